/**
 * A validated config with every default filled in and every value parsed: what the generator reads.
 * The generator never sees user spellings (`'16 GiB'`, `'02:00.0'`), only these types.
 */
import type { PciAddress } from '../domain/address.js';
import type { AudioConfig, EvdevConfig } from './types.js';
import type {
  BootDevice,
  ClockOffset,
  CpuMode,
  Display,
  Governor,
  GuestArch,
  HypervFeature,
  NicModel,
  NumaLayout,
  PitTickPolicy,
  RebootAction,
  SmbiosTable,
  TpmModel,
  TpmVersion,
  UsbController,
  VideoModel,
} from './vocabulary.js';

export interface ResolvedVm {
  name: string;
  uuid?: string;
  /** false: no `<genid>`; `{}`: libvirt makes one; `{ uuid }`: that one. */
  genid: false | { uuid?: string };
  title?: string;
  description?: string;
  /** Absolute path of the template XML, if any. */
  template?: string;
  machine: string;
  emulator: string;
  /** The guest architecture, from the emulator's name (archOfEmulator). */
  arch: GuestArch;
  memoryMiB: number;
  /** false, or the page size in KiB (undefined = the host's default size). */
  hugepages: false | { sizeKiB?: number };
  memoryBacking: { locked: boolean; shared: boolean; preallocate: boolean };
  cpu: ResolvedCpu;
  hyperv: false | ResolvedHyperv;
  kvmHidden: boolean;
  firmware: ResolvedFirmware;
  secureBoot: boolean;
  /** false: QEMU's own tables; 'host': the host's; else the entries of each table, in libvirt's order. */
  smbios: false | 'host' | ResolvedSmbiosTables;
  tpm: false | { model: TpmModel; version: TpmVersion };
  /** The host entropy source of a virtio-rng: a device path or 'builtin'. */
  rng: false | { source: string };
  mdev: Array<{ uuid: string; display: boolean }>;
  gpus: ResolvedGpu[];
  pci: Array<{ address: PciAddress; rom?: string; boot?: number }>;
  disks: ResolvedDisk[];
  /** `<os><boot dev>`, in order; empty: none (libvirt's default, `hd`, or the per-device orders). */
  boot: BootDevice[];
  /** `iothread`: the controller's I/O thread, 0 for none. */
  scsi?: { queues: number; iothread: number; ioeventfd?: boolean };
  iothreads: number;
  networks: ResolvedNetwork[];
  usb: ResolvedUsb[];
  sound: false | { model: string; audio: AudioConfig };
  display: ResolvedDisplay;
  tablet: boolean;
  usbController: UsbController;
  evdev?: ResolvedEvdev;
  lookingGlassMiB?: number;
  clock: ResolvedClock;
  suspend: { s3: boolean; s4: boolean };
  onReboot: RebootAction;
  noMemballoon: boolean;
  qemuArgs: string[];
  /** false when the config asks the hook for nothing. */
  runtime: false | ResolvedRuntime;
}

export interface ResolvedClock {
  offset: ClockOffset;
  pit: PitTickPolicy;
  hpet: boolean;
}

export type ResolvedSmbiosTables = Partial<Record<SmbiosTable, Array<{ name: string; value: string }>>>;

/** A USB device by vendor:product, or by where it is plugged (bus and device number). */
export type ResolvedUsb =
  { vendor: number; product: number; required: boolean } | { bus: number; device: number };

export interface ResolvedDisplay {
  type: Display;
  /** A fixed port, or undefined: autoport. */
  port?: number;
  listen?: string;
  video: VideoModel;
}

/** The evdev config with its defaults filled in. */
export type ResolvedEvdev = EvdevConfig & Required<Pick<EvdevConfig, 'grabToggle' | 'virtioInput'>>;

export interface ResolvedRuntime {
  isolateCpus: boolean;
  allocateHugepages: boolean;
  governor?: Governor;
}

export interface ResolvedCpu {
  sockets: number;
  cores: number;
  threads: number;
  vcpus: number;
  mode: CpuMode;
  /** `<cpu migratable>`: set with host-passthrough and maximum only (libvirt refuses it elsewhere). */
  migratable?: boolean;
  /** The named CPU model of `mode: 'custom'`. */
  model?: string;
  cachePassthrough: boolean;
  features: Array<{ name: string; policy: string }>;
  /** Host cpuset per vCPU, 'auto' (to be derived from the host), or false. */
  pin: 'auto' | string[] | false;
  /** Host cores kept off the guest by `pin: 'auto'`. */
  hostCores: number;
  /** Guest NUMA presentation when the guest spans host nodes. */
  numa: NumaLayout;
  /** Guest NUMA cells written by hand (`cpu.numa` as a list): they replace the derived ones. */
  cells?: Array<{ vcpus: number[]; memoryMiB: number }>;
  /** Host CPUs of every vCPU and the emulator, unpinned (`<vcpu cpuset>`). */
  cpuset?: string;
  emulatorPin?: string;
  iothreadPin?: string;
}

/** The enlightenments listed (`mode='custom'`), or every one the host offers (`mode='passthrough'`). */
export type ResolvedHyperv =
  | { mode: 'custom'; features: Set<HypervFeature>; spinlocks: number; vendorId?: string }
  | { mode: 'passthrough' };

export type ResolvedFirmware =
  | { kind: 'efi' }
  | { kind: 'bios' }
  | { kind: 'custom'; loader: string; varsTemplate?: string; nvram?: string };

export interface ResolvedGpu {
  address: PciAddress;
  /** Explicit functions, or undefined: every function the host has (or [0, 1] without host facts). */
  functions?: number[];
  rom?: string;
  /** On i440fx, the guest slot on the root bus holding the functions; undefined on q35 (rootPort). */
  slot?: number;
  /** On q35, the root port the GPU sits behind (unused on i440fx). */
  rootPort: {
    model: 'pcie-root-port' | 'ioh3420';
    slot?: number;
    chassis?: number;
    port?: number;
    multifunction: boolean;
  };
}

export interface ResolvedDisk {
  device: 'disk' | 'cdrom';
  /** 'block' for /dev paths, 'file' otherwise. */
  type: 'block' | 'file';
  path: string;
  bus: 'scsi' | 'virtio' | 'sata' | 'usb' | 'ide';
  /** The guest's name of the disk (`<target dev>`): the config's, or the default (config/disk-names.ts). */
  target: string;
  format: 'raw' | 'qcow2';
  cache?: string;
  io?: string;
  discard?: string;
  boot?: number;
  serial?: string;
}

export interface ResolvedNetwork {
  /** `user`: QEMU's user-mode stack; `ethernet`: a bare host tap (`tap` names it if it is the user's). */
  source: { bridge: string } | { network: string } | { user: true } | { ethernet: true };
  mac?: string;
  model: NicModel;
  tap?: string;
  queues?: number;
  boot?: number;
}
