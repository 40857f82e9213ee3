/**
 * Every default of the config, in one table: what a field is when the config leaves it out. The
 * validator fills them in (config -> ResolvedVm), the importer leaves a field out of the config it
 * writes when the domain already has the default (domain -> config), and docs/config.md states them.
 * Defaults that depend on other fields (the display, disk cache/io for a CD-ROM, scsi queues = vCPUs)
 * are functions of what they depend on.
 */
import type {
  CacheMode,
  ClockOffset,
  CpuMode,
  DiscardMode,
  DiskBus,
  DiskDevice,
  Display,
  GrabToggle,
  IoMode,
  NicModel,
  NumaLayout,
  PitTickPolicy,
  RebootAction,
  RootPortModel,
  SoundModel,
  UsbController,
  TpmModel,
  TpmVersion,
  VideoModel,
} from './vocabulary.js';
import type { AudioConfig } from './types.js';

export const DEFAULTS = {
  machine: 'q35',
  emulator: '/usr/bin/qemu-system-x86_64',
  kvmHidden: true,
  secureBoot: false,
  tpm: false,
  /** `tpm: true`: TPM 2.0 on CRB, what Windows 11 and virt-manager use. */
  tpmDevice: { model: 'crb' as TpmModel, version: '2.0' as TpmVersion },
  rng: false,
  /** `rng: true`: the host's non-blocking pool. */
  rngSource: '/dev/urandom',
  /**
   * The guest clock: local time (what Windows expects); the PIT delays missed ticks (QEMU's default),
   * and no HPET, which is slow to read (Windows uses the Hyper-V clock or the TSC instead).
   */
  clock: { offset: 'localtime' as ClockOffset, pit: 'delay' as PitTickPolicy, hpet: false },
  /** Guest S3/S4 off: with a passed-through GPU the guest rarely wakes up again. */
  suspend: { s3: false, s4: false },
  onReboot: 'restart' as RebootAction,
  noMemballoon: true,
  /** No VM generation ID: Windows only needs one to notice snapshot restores (AD, crypto seeds). */
  genid: false,
  memoryBacking: { locked: false, shared: false, preallocate: false },
  /** With a GPU, the card is the display; without one, SPICE (the guide's setup phase). */
  display: (hasGpu: boolean): Display => (hasGpu ? 'none' : 'spice'),
  /** The adapter each display shows by default: QXL for SPICE, standard VGA for VNC, none with the GPU. */
  video: { none: 'none', spice: 'qxl', vnc: 'vga' } as Record<Display, VideoModel>,
  /** A USB tablet when there is a SPICE/VNC window for the pointer to follow. */
  tablet: (display: Display): boolean => display !== 'none',
  usbController: 'qemu-xhci' as UsbController,
  mdev: { display: false },
  cpu: {
    sockets: 1,
    threads: 1,
    mode: 'host-passthrough' as CpuMode,
    /** With host-passthrough and maximum: off (see CpuConfig.migratable). */
    migratable: false,
    cachePassthrough: true,
    hostCores: 1,
    numa: 'auto' as NumaLayout,
  },
  hyperv: { spinlocks: 8191 },
  rootPort: { model: 'pcie-root-port' as RootPortModel, multifunction: false },
  /**
   * On i440fx, the first GPU's guest slot on the root bus (the next GPU takes the next one): clear
   * of the slots libvirt fills from 3 upward with the devices it places itself.
   */
  i440fxGpuSlot: 0x10,
  usb: { required: false },
  disk: {
    device: 'disk' as DiskDevice,
    bus: (device: DiskDevice): DiskBus => (device === 'disk' ? 'scsi' : 'sata'),
    /** A CD-ROM is read-only: no cache, I/O or discard mode unless asked. */
    cache: 'none' as CacheMode,
    io: 'native' as IoMode,
    discard: 'unmap' as DiscardMode,
  },
  scsi: { iothread: true },
  network: { network: 'default', model: 'virtio' as NicModel },
  sound: { model: 'ich9' as SoundModel, audio: { type: 'pulseaudio' } as AudioConfig },
  evdev: { grabToggle: 'ctrl-ctrl' as GrabToggle, virtioInput: true },
  lookingGlassMiB: 64,
  runtime: { isolateCpus: false, allocateHugepages: false },
} as const;
