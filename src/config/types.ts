/**
 * The virt-gen configuration: what a `gaming.ts` file passes to `defineVm()`.
 *
 * Every field is optional unless marked otherwise; where a field is left out, virt-gen uses current
 * best practice for a Windows gaming VM with a passed-through GPU (see docs/config.md). The guide's
 * 2016 choices (ioh3420 root port, ich6 sound, spinlocks 0x1fff, a vendor id) are all expressible.
 */

import type {
  CacheMode,
  ClockOffset,
  CpuMode,
  DiscardMode,
  DiskBus,
  DiskDevice,
  DiskFormat,
  Display,
  FeaturePolicy,
  Governor,
  GrabToggle,
  HugepageSize,
  HypervFeature,
  IoMode,
  NicModel,
  NumaLayout,
  RootPortModel,
  SmbiosTable,
  SMBIOS_FIELDS,
  SoundModel,
  UsbController,
  TpmModel,
  TpmVersion,
  VideoModel,
} from './vocabulary.js';

export type * from './vocabulary.js';

/** A size in MiB (number) or a string with a unit: `'16 GiB'`, `'4000M'`, `'512 MiB'`. */
export type Size = number | string;

/** A host PCI address as `lspci` prints it: `'02:00.0'` or `'0000:02:00.0'`. */
export type PciAddressText = string;

export interface VmConfig {
  /** Domain name, as listed by `virsh list --all` and virt-manager. Letters, digits, `.`, `-`, `_`. Required. */
  name: string;
  /** Fixed domain UUID. Default: libvirt assigns one, and `define` keeps it on every re-define. */
  uuid?: string;
  /**
   * VM generation ID (`<genid>`), which Windows reads to notice that it was restored from a snapshot
   * or cloned (Active Directory and crypto seeds then reset). `true`: libvirt makes one at the first
   * define and `define` keeps it; a UUID fixes it. Default `false`: none.
   */
  genid?: boolean | string;
  /** One-line title shown by virt-manager. */
  title?: string;
  /** Free-text description, kept in the domain. */
  description?: string;
  /**
   * A domain XML file to start from (path relative to this config file), such as your own
   * `virsh dumpxml` or one of virt-gen's `xml-templates/`. What the config sets replaces the
   * template's element; everything else in the template is kept as it is.
   */
  template?: string;
  /** Machine type. Default `'q35'` (libvirt expands it to the newest `pc-q35-X.Y`). */
  machine?: string;
  /** QEMU binary. Default `/usr/bin/qemu-system-x86_64`. */
  emulator?: string;
  /** Guest RAM. Required. A number is MiB: `memory: 16384` or `memory: '16 GiB'`. */
  memory: Size;
  /**
   * Back guest RAM with static hugepages (`<memoryBacking><hugepages>`). `true` picks, on the host,
   * the page size whose pool (on the VM's NUMA node) can hold the VM, preferring 1G; when none can, a
   * warning says how many pages of which size to reserve and where. `'2M'` or `'1G'` fixes the size.
   * Default `false`.
   */
  hugepages?: boolean | HugepageSize;
  /** How guest RAM is held on the host (`<memoryBacking>`), beside `hugepages`. Default: none of these. */
  memoryBacking?: MemoryBackingConfig;
  /**
   * What virt-gen's libvirt hook does while this VM runs (`host apply` installs the hook,
   * `/etc/libvirt/hooks/qemu.d/virt-gen`; the plan travels in the domain's `<metadata>`).
   */
  runtime?: RuntimeConfig;
  /** Guest CPU: topology and pinning. Required. */
  cpu: CpuConfig;
  /** Hyper-V enlightenments for Windows guests. Default: the recommended set (see HypervConfig). `false`: none. */
  hyperv?: HypervConfig | false;
  /** Hide KVM from the guest (`<kvm><hidden state='on'/>`, the guide's `kvm=off`). Default `true`. */
  kvmHidden?: boolean;
  /** Firmware. Default `'efi'` (libvirt picks OVMF and a per-VM NVRAM). */
  firmware?: FirmwareConfig;
  /**
   * UEFI Secure Boot with Microsoft's keys enrolled (Windows 11 requires it; libvirt picks the
   * `.ms` OVMF build and turns on SMM). Needs `firmware: 'efi'`. Default `false`.
   */
  secureBoot?: boolean;
  /**
   * The SMBIOS tables the guest reads (manufacturer, product, serial…: what `wmic csproduct` shows).
   * `'host'`: copy the host's BIOS and system tables, all but the UUID (libvirt's `<smbios mode='host'/>`,
   * read with `dmidecode` on the host; some anti-cheat and OEM-licensed software look for real ones). Tables: `{ system: { manufacturer: 'Dell', product: 'OptiPlex 7080' } }`
   * (`<sysinfo type='smbios'>`). Default: QEMU's own ("QEMU", "Standard PC").
   */
  smbios?: 'host' | SmbiosConfig;
  /**
   * An emulated TPM, backed by swtpm (install the `swtpm` package). Windows 11 requires one.
   * `true`: TPM 2.0 on the CRB interface (`tpm-crb`). `{ model: 'tis' }` for the TIS interface
   * (`tpm-tis`, what QEMU command lines often use), `version: '1.2'` for old guests (TIS only).
   * Default `false`.
   */
  tpm?: boolean | TpmConfig;
  /**
   * A virtio entropy source (`<rng model='virtio'>`): the guest's random numbers come from the host.
   * `true` reads `/dev/urandom`; `{ source }` names another host device or `'builtin'` (QEMU's own
   * generator). Default `false`.
   */
  rng?: boolean | RngConfig;
  /** The passed-through GPU (or several). */
  gpu?: GpuConfig | GpuConfig[];
  /** Other PCI devices to pass through whole (a USB controller, an NVMe drive): `'03:00.0'` or `{ host, rom, boot }`. */
  pci?: Array<PciAddressText | PciDeviceConfig>;
  /**
   * Mediated devices to give the guest (`<hostdev type='mdev'>`): slices of a GPU such as Intel GVT-g
   * or NVIDIA vGPU, by the UUID of a device already created on the host (`mdevctl`, or
   * `/sys/bus/mdev/devices/<uuid>`): `'4b20d080-…'` or `{ uuid, display: true }`.
   */
  mdev?: Array<string | MdevConfig>;
  /** Disks and CD-ROMs, in boot order unless `boot` is given. */
  disks?: DiskConfig[];
  /** The virtio-scsi controller that `bus: 'scsi'` disks sit on. */
  scsi?: ScsiConfig;
  /** Number of I/O threads. Default: 1 when a virtio-scsi controller is used, else 0. */
  iothreads?: number;
  /** Network interfaces. Default: one virtio NIC on libvirt's `default` network. `false`: none. */
  network?: NetworkConfig | NetworkConfig[] | false;
  /**
   * Host USB devices passed through by vendor:product: `'046d:c051'` or `{ vendor: 0x046d, product: 0xc051 }`.
   * The guest starts without a device that is unplugged (`startupPolicy='optional'`) unless `required`.
   * `{ bus: 3, device: 5 }` names one by where it is plugged (two devices with the same ids).
   */
  usb?: Array<string | UsbDeviceConfig>;
  /** Emulated sound card. Default `false`: the GPU's HDMI/DP audio is passed through with it. */
  sound?: SoundConfig | false;
  /**
   * Emulated display. `'none'`: the passed-through GPU is the only display (default with a GPU).
   * `'spice'`: QXL + SPICE (the guide's setup phase; default without a GPU). `'vnc'`: VGA + VNC.
   * The object form fixes a port, a listen address or the video adapter:
   * `{ type: 'spice', port: 5905, listen: '127.0.0.1' }`, `{ type: 'none', video: 'vga' }`.
   */
  display?: Display | DisplayConfig;
  /**
   * A USB tablet: an absolute pointer, so the guest's mouse follows the SPICE/VNC window.
   * Default `true` when there is a display (`display` not `'none'`).
   */
  tablet?: boolean;
  /**
   * The USB controller. Default `'qemu-xhci'` (USB 3, 15 ports). `'none'`: no USB at all, as a
   * command line without `-usb` had (then no tablet, no `usb` devices, no USB disks or sound).
   */
  usbController?: UsbController;
  /** Keyboard and mouse shared with the host through evdev (switch with both Ctrl keys). */
  evdev?: EvdevConfig;
  /** Looking Glass shared memory (`<shmem name='looking-glass'>`, ivshmem-plain). `true` = 64 MiB (up to 1440p SDR). */
  lookingGlass?: boolean | { sizeMiB: number };
  /** Guest clock base. Default `'localtime'` (what Windows expects); `'utc'` when dual-booting with `RealTimeIsUniversal`. */
  clock?: ClockOffset;
  /** Disable the memory balloon (bad for VFIO). Default `true`. */
  noMemballoon?: boolean;
  /** Extra QEMU arguments libvirt has no element for (`<qemu:commandline>`), e.g. `['-global', 'isa-debugcon.iobase=0x402']`. */
  qemuArgs?: string[];
}

export interface CpuConfig {
  /** Guest sockets. Default 1. */
  sockets?: number;
  /** Guest cores per socket. Required. */
  cores: number;
  /** Threads per core (2 for SMT, matching the host's siblings). Default 1. */
  threads?: number;
  /**
   * CPU model mode. Default `'host-passthrough'` (with `migratable='off'`). `'custom'` shows the
   * guest the named `model`; `'maximum'` is QEMU's `-cpu max`.
   */
  mode?: CpuMode;
  /**
   * With `mode: 'custom'`: the QEMU CPU model, as `virsh domcapabilities` lists it (`'Haswell-noTSX'`,
   * `'EPYC-Rome'`). QEMU refuses to start when the host cannot run it (`fallback='forbid'`);
   * `define` warns of that first.
   */
  model?: string;
  /** Pass the host cache topology through (`<cache mode='passthrough'/>`). Default `true`. */
  cachePassthrough?: boolean;
  /** Extra CPU feature policies, e.g. `{ topoext: 'require' }` on AMD. */
  features?: Record<string, FeaturePolicy>;
  /**
   * vCPU pinning (`<cputune><vcpupin>`).
   * - `'auto'`: read the host topology and pin whole cores with their thread siblings, keeping the
   *   host's first core for the host (needs the host: `define`, or `xml --root`).
   * - an array: host CPU (number or cpuset string such as `'0-7'`) for vCPU 0, 1, …
   * - `false` (default): no pinning.
   */
  pin?: 'auto' | Array<number | string> | false;
  /**
   * With `pin: 'auto'`: whole host cores kept for the host and QEMU's emulator and I/O threads.
   * Default 1 (the host's first core). `0` gives the guest every core, as the guide's `taskset -c 0-7` did.
   */
  hostCores?: number;
  /**
   * Host CPUs every vCPU and QEMU's emulator may run on, unpinned within the set (`<vcpu cpuset>`,
   * what `taskset -c 2-7,10-15` did): `'2-7,10-15'`. `pin` and `emulatorPin` override it per thread.
   */
  cpuset?: string;
  /** Host CPUs for QEMU's emulator threads (`<emulatorpin>`), as a cpuset: `'0-1'`. */
  emulatorPin?: string;
  /** Host CPUs for the I/O threads (`<iothreadpin>`), as a cpuset. Default: same as `emulatorPin`. */
  iothreadPin?: string;
  /**
   * With `pin: 'auto'` on a multi-node host, when the guest is larger than the GPU's NUMA node:
   * `'auto'` (default) keeps one guest node and binds its memory to the nodes its vCPUs use;
   * `'spread'` shows the guest one NUMA node per host node it spans (`<cpu><numa>` cells, each
   * cell's memory bound to its host node).
   * A list of cells sets the guest's NUMA nodes by hand (`<cpu><numa>`): each vCPU in exactly one
   * cell, the cells' memory adding up to `memory`:
   * `[{ cpus: '0-3', memory: '8 GiB' }, { cpus: '4-7', memory: '8 GiB' }]`.
   */
  numa?: NumaLayout | NumaCellConfig[];
}

/** One guest NUMA node. */
export interface NumaCellConfig {
  /** Its vCPUs (guest numbers, 0 to vCPUs - 1), as a cpuset: `'0-3'`. Required. */
  cpus: string;
  /** Its RAM: `8192` (MiB) or `'8 GiB'`. Required. */
  memory: Size;
}

export interface MemoryBackingConfig {
  /**
   * Lock guest RAM in host memory, never swapped (`<locked/>`): for real-time guests, and some VFIO
   * setups that pin memory late. libvirt lifts QEMU's memlock limit for it. Default `false`.
   */
  locked?: boolean;
  /**
   * Map guest RAM shared (`<access mode='shared'/>`), which virtiofs and vhost-user devices need.
   * Default `false`.
   */
  shared?: boolean;
  /** Allocate all of guest RAM when the VM starts (`<allocation mode='immediate'/>`, QEMU's prealloc). Default `false`. */
  preallocate?: boolean;
}

/**
 * SMBIOS tables by name, each entry as libvirt's `<sysinfo>` spells it. `bios`: vendor, version,
 * date (`mm/dd/yyyy`), release (`major.minor`); `system`: manufacturer, product, version, serial,
 * uuid (must be the VM's `uuid`), sku, family; `baseBoard`: manufacturer, product, version, serial,
 * asset, location; `chassis`: manufacturer, version, serial, asset, sku.
 */
export type SmbiosConfig = {
  [T in SmbiosTable]?: { [F in (typeof SMBIOS_FIELDS)[T][number]]?: string };
};

/** Work done at VM start and undone at stop by virt-gen's libvirt hook. */
export interface RuntimeConfig {
  /**
   * While the VM runs, keep the host's own work (`user.slice`, `system.slice`, `init.scope`) off the
   * vCPUs' cores (`systemctl set-property --runtime … AllowedCPUs=`; systemd ≥ 244, cgroup v2).
   * Needs `cpu.pin` or `cpu.cpuset`. Default `false`.
   */
  isolateCpus?: boolean;
  /**
   * Allocate the VM's hugepages at start (after dropping caches and compacting memory, on the VM's
   * NUMA node) and free them at stop, instead of reserving them at boot. Needs `hugepages`.
   * Default `false`.
   */
  allocateHugepages?: boolean;
  /** The CPU frequency governor of the vCPUs' CPUs while the VM runs (restored at stop). */
  governor?: Governor;
}

export interface HypervConfig {
  /**
   * Which enlightenments. Default `'recommended'`: QEMU's recommended set for Windows (relaxed, vapic,
   * spinlocks, vpindex, runtime, synic, stimer with direct mode, reset, frequencies, reenlightenment,
   * tlbflush, ipi, time). The guide used `['relaxed', 'vapic', 'spinlocks', 'time']`.
   */
  features?: 'recommended' | HypervFeature[];
  /** Spinlock retries (libvirt ≥ 4095). Default 8191 (the guide's `hv_spinlocks=0x1fff`). */
  spinlocks?: number;
  /**
   * Hyper-V vendor id shown to the guest, at most 12 characters (the guide's `Nvidia43FIX`). Old NVIDIA
   * drivers (before R465) and AMD drivers need one. Default: none.
   */
  vendorId?: string;
}

export type FirmwareConfig =
  /** UEFI chosen by libvirt from the installed firmware descriptors (OVMF). */
  | 'efi'
  /** Legacy SeaBIOS. */
  | 'bios'
  | {
      /** Path of the read-only UEFI code, e.g. `/usr/share/OVMF/OVMF_CODE_4M.fd`. */
      loader: string;
      /** Template for the per-VM variable store, e.g. `/usr/share/OVMF/OVMF_VARS_4M.fd`. */
      varsTemplate?: string;
      /** Path of this VM's variable store. Default: libvirt's `/var/lib/libvirt/qemu/nvram/<name>_VARS.fd`. */
      nvram?: string;
    };

export interface GpuConfig {
  /** Host PCI address of the GPU (function 0), as `lspci` shows it: `'02:00.0'`. Required. */
  host: PciAddressText;
  /**
   * Functions of the card to pass through, all on one multifunction guest slot. Default: every
   * function the host has at that address (read from sysfs); `[0, 1]` (video + HDMI audio) when the
   * host is not read, as in `virt-gen xml`.
   */
  functions?: number[];
  /** A VBIOS ROM file for the guest (put it in /usr/share/vgabios/ so AppArmor allows it). */
  rom?: string;
  /** The PCIe root port the GPU sits behind. Default: a generic `pcie-root-port` placed by libvirt. */
  rootPort?: RootPortConfig;
}

export interface RootPortConfig {
  /** `'pcie-root-port'` (default) or the guide's Intel `'ioh3420'`. */
  model?: RootPortModel;
  /** Slot on `pcie.0`, e.g. `0x1c` as in the guide. Default: libvirt picks. */
  slot?: number;
  /** Chassis number. Default: libvirt picks. */
  chassis?: number;
  /** Port number. Default: libvirt picks. */
  port?: number;
  /** Mark the root port's own slot multifunction, as the guide's `ioh3420,…,multifunction=on`. Default `false`. */
  multifunction?: boolean;
}

export interface PciDeviceConfig {
  /** Host PCI address: `'03:00.0'`. Required. */
  host: PciAddressText;
  /** A ROM file for the device. */
  rom?: string;
  /** Boot order, 1 first: boot from a passed-through NVMe drive or USB controller. */
  boot?: number;
}

export interface DiskConfig {
  /** A block device (`/dev/…`, becomes `type='block'`) or an image/ISO file. Required. */
  path: string;
  /** `'disk'` (default) or `'cdrom'` (read-only). */
  device?: DiskDevice;
  /**
   * Bus. Default `'scsi'` (virtio-scsi) for disks, `'sata'` for CD-ROMs. `'ide'` only on an i440fx
   * `machine` (q35 has no IDE controller: use `'sata'`).
   */
  bus?: DiskBus;
  /** Image format. Default `'raw'`, or `'qcow2'` for a `.qcow2` file. */
  format?: DiskFormat;
  /** Host cache mode. Default `'none'` for disks. */
  cache?: CacheMode;
  /** Host I/O mode. Default `'native'` for disks (needs `cache: 'none'`). */
  io?: IoMode;
  /** Pass TRIM through (`'unmap'`, default for disks) or not (`'ignore'`). */
  discard?: DiscardMode;
  /** Boot order, 1 first (a CD-ROM with `boot: 1` boots the installer before the disks). */
  boot?: number;
  /** Serial number shown to the guest. */
  serial?: string;
}

export interface ScsiConfig {
  /** Request queues (`num_queues`). Default: the vCPU count. */
  queues?: number;
  /** Give the controller an I/O thread. Default `true`. */
  iothread?: boolean;
  /** ioeventfd (the guide set `ioeventfd=on`). Default: libvirt's (on). */
  ioeventfd?: boolean;
}

/**
 * A NIC. Where it connects is one of `bridge`, `network`, `user`, or `tap` alone (a host tap device
 * of your own, connected to nothing by libvirt).
 */
export type NetworkConfig = (
  | {
      /** A host bridge to attach to, e.g. `'br0'` (the guide's tap + `qemu-ifup` script). */
      bridge: string;
      /** Name of the tap device libvirt creates, e.g. `'vmtap0'`. Default: libvirt names it (`vnetN`). */
      tap?: string;
    }
  | {
      /** A libvirt virtual network, e.g. `'default'`. */
      network: string;
      /** Name of the tap device libvirt creates. Default: libvirt names it (`vnetN`). */
      tap?: string;
    }
  | {
      /**
       * User-mode networking (`<interface type='user'>`, QEMU's `-nic user`): outbound NAT inside
       * QEMU, no host setup, no inbound connections, slower than a bridge or network.
       */
      user: true;
    }
  | {
      /**
       * A host tap with no bridge (`<interface type='ethernet'>`, QEMU's `-netdev tap,script=no`):
       * the name of a tap you create and connect yourself (`ip tuntap add vmtap0 mode tap user …`),
       * which libvirt uses as it is (`managed='no'`); or `true`: libvirt creates one (`vnetN`) and
       * connects it to nothing.
       */
      tap: string | true;
    }
) & {
  /** MAC address `'de:ad:be:ef:33:4a'`. Default: libvirt generates one and keeps it. */
  mac?: string;
  /** NIC model. Default `'virtio'`; `'e1000'` or `'e1000e'` for guests without virtio drivers. */
  model?: NicModel;
  /** virtio multiqueue count. */
  queues?: number;
  /** Boot order, 1 first (network boot, PXE). */
  boot?: number;
};

export interface DisplayConfig {
  /** `'spice'`, `'vnc'`, or `'none'` (no SPICE/VNC server, e.g. only an emulated adapter). Required. */
  type: Display;
  /**
   * A fixed TCP port (SPICE 1024–65535, VNC 5900–65535: display `:1` is 5901). Default: libvirt picks
   * a free one (`autoport`). Not with `type: 'none'`.
   */
  port?: number;
  /** The address the server listens on: `'127.0.0.1'` (default of libvirt's qemu.conf), `'0.0.0.0'`, `'::'`. */
  listen?: string;
  /**
   * The emulated video adapter. Default: `'qxl'` for SPICE, `'vga'` for VNC, `'none'` without a
   * display (the passed-through GPU is the only one).
   */
  video?: VideoModel;
}

export interface TpmConfig {
  /** `'crb'` (default; TPM 2.0 only) or `'tis'`. */
  model?: TpmModel;
  /** `'2.0'` (default) or `'1.2'` (needs `model: 'tis'`). */
  version?: TpmVersion;
}

export interface RngConfig {
  /** Host entropy source: an absolute device path (default `/dev/urandom`) or `'builtin'` (QEMU's getrandom()). */
  source?: string;
}

export interface MdevConfig {
  /** UUID of the mediated device on the host (`/sys/bus/mdev/devices/<uuid>`). Required. */
  uuid: string;
  /**
   * Show the vGPU's output through SPICE/VNC (`display='on'`; needs a `display` other than `'none'`).
   * Default `false`.
   */
  display?: boolean;
}

/**
 * A USB device by its ids, or, for two devices with the same ids, by where it is plugged:
 * `{ bus: 3, device: 5 }` (lsusb's `Bus 003 Device 005`; the number changes when it is plugged again).
 */
export type UsbDeviceConfig = UsbIdConfig | { bus: number; device: number };

export interface UsbIdConfig {
  /** USB vendor id: `0x046d` or `'046d'`. Required. */
  vendor: number | string;
  /** USB product id: `0xc051` or `'c051'`. Required. */
  product: number | string;
  /** Refuse to start the VM without this device (`startupPolicy='mandatory'`). Default `false`. */
  required?: boolean;
}

export interface SoundConfig {
  /** Sound card. Default `'ich9'` (HDA with input and output); the guide's `-soundhw hda` is `'ich6'`. */
  model?: SoundModel;
  /** Where the sound goes on the host. Default `{ type: 'pulseaudio' }`. */
  audio?: AudioConfig;
}

export type AudioConfig =
  | {
      type: 'pulseaudio';
      /** Server socket, e.g. `/run/user/1000/pulse/native` (QEMU runs as libvirt's user: grant it access). */
      server?: string;
      /** Buffer latency in microseconds; ~20000 avoids crackling. */
      latency?: number;
    }
  | {
      /** PipeWire needs libvirt ≥ 9.10 and QEMU ≥ 8.1. */
      type: 'pipewire';
      /** The desktop user's runtime dir, e.g. `/run/user/1000`. */
      runtimeDir?: string;
      latency?: number;
    }
  | { type: 'alsa'; latency?: number }
  | { type: 'spice' }
  | { type: 'none' };

export interface EvdevConfig {
  /** `/dev/input/by-id/…-event-kbd`: grabbed, toggled with both Ctrl keys. */
  keyboard?: string;
  /** `/dev/input/by-id/…-event-mouse`. */
  mouse?: string;
  /** Keys that switch input between host and guest. Default `'ctrl-ctrl'`. */
  grabToggle?: GrabToggle;
  /** Add virtio keyboard and mouse (install vioinput in the guest). Default `true`. */
  virtioInput?: boolean;
}
