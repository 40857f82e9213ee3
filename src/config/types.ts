/**
 * The virt-gen configuration: what a `gaming.ts` file passes to `defineVm()`.
 *
 * Every field is optional unless marked otherwise; where a field is left out, virt-gen uses current
 * best practice for a Windows gaming VM with a passed-through GPU (see docs/config.md). The guide's
 * 2016 choices (ioh3420 root port, ich6 sound, spinlocks 0x1fff, a vendor id) are all expressible.
 */

import type {
  BootDevice,
  ClockOffset,
  Display,
  HugepageSize,
  RebootAction,
  UsbController,
} from './vocabulary.js';
import type {
  CpuConfig,
  MemoryBackingConfig,
  SmbiosConfig,
  RuntimeConfig,
  HypervConfig,
  FirmwareConfig,
  ClockConfig,
  SuspendConfig,
} from './machine-types.js';
import type {
  GpuConfig,
  PciDeviceConfig,
  DiskConfig,
  ScsiConfig,
  NetworkConfig,
  DisplayConfig,
  TpmConfig,
  RngConfig,
  MdevConfig,
  UsbDeviceConfig,
  SoundConfig,
  EvdevConfig,
} from './device-types.js';

export type * from './vocabulary.js';
export type * from './machine-types.js';
export type * from './device-types.js';

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
  /**
   * Machine type. Default `'q35'` (PCIe; libvirt expands it to the newest `pc-q35-X.Y`). `'pc'` (or a
   * versioned `'pc-i440fx-7.2'`) is the older i440fx: conventional PCI, the GPU on the root bus
   * (`gpu.slot`), IDE disks allowed, no Secure Boot. Keep it for a VM installed on it; new VMs take q35.
   */
  machine?: string;
  /**
   * QEMU binary. Default `/usr/bin/qemu-system-x86_64`. Its name sets the guest architecture:
   * `qemu-system-i386` runs a 32-bit x86 guest (`arch='i686'`); `qemu-system-x86_64`, `qemu-kvm`,
   * `kvm` and other names (a patched build) a 64-bit one. Binaries of other architectures are refused.
   */
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
  /**
   * Hyper-V enlightenments for Windows guests. Default: the recommended set (see HypervConfig).
   * `'passthrough'`: every enlightenment the host's KVM offers (`<hyperv mode='passthrough'>`,
   * libvirt ≥ 8.0; no vendor id or spinlock count then). `false`: none.
   */
  hyperv?: HypervConfig | 'passthrough' | false;
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
  /**
   * Boot by kind of device, in order (`<os><boot dev>`, QEMU's `-boot order=dc`): `['cdrom', 'hd']`
   * boots an installer CD-ROM, then the disks; `'network'` is PXE, `'fd'` the floppy. Default: the
   * disks (libvirt's `hd`), or the per-device `boot` orders. Not with a per-device `boot` on a disk,
   * NIC or `pci` device (libvirt refuses both). SeaBIOS (`firmware: 'bios'`) follows this list;
   * OVMF (UEFI) reads the per-device orders, which name the exact device.
   */
  boot?: BootDevice[];
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
  /**
   * Guest clock base. Default `'localtime'` (what Windows expects); `'utc'` when dual-booting with
   * `RealTimeIsUniversal`. The object form also sets the timers: `{ offset: 'utc', pit: 'discard', hpet: true }`.
   */
  clock?: ClockOffset | ClockConfig;
  /** Guest S3/S4 power states, e.g. `{ s3: true }`. Default: both off. */
  suspend?: SuspendConfig;
  /** What a guest reboot does (`<on_reboot>`): `'restart'` (default), or `'destroy'` to stop the VM (QEMU's `-no-reboot`). */
  onReboot?: RebootAction;
  /** Disable the memory balloon (bad for VFIO). Default `true`. */
  noMemballoon?: boolean;
  /** Extra QEMU arguments libvirt has no element for (`<qemu:commandline>`), e.g. `['-global', 'isa-debugcon.iobase=0x402']`. */
  qemuArgs?: string[];
}
