/** The config's device shapes: passthrough, disks, network, display, TPM/RNG, mdev, USB, sound, evdev (re-exported by types.ts). */
import type {
  CacheMode,
  DiscardMode,
  DiskBus,
  DiskDevice,
  DiskFormat,
  Display,
  GrabToggle,
  IoMode,
  NicModel,
  RootPortModel,
  SoundModel,
  TpmModel,
  TpmVersion,
  VideoModel,
} from './vocabulary.js';
import type { PciAddressText } from './types.js';

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
  /**
   * q35 only: the PCIe root port the GPU sits behind. Default: a generic `pcie-root-port` placed by
   * libvirt.
   */
  rootPort?: RootPortConfig;
  /**
   * i440fx (`machine: 'pc'`) only: the guest PCI slot on the root bus that holds the card's
   * functions, 3 to 0x1f. Default `0x10` for the first GPU, `0x11` for the second.
   */
  slot?: number;
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
  /**
   * The disk's name in the guest's firmware and libvirt (`<target dev>`): `'sdc'`, as the guide's
   * CD-ROM. `sd` and a letter on SCSI (`sda`–`sdg`), SATA and USB, `vd` on virtio, `hd` on IDE
   * (`hda`–`hdd`; QEMU's `-cdrom` is `hdc`); unique in the VM. libvirt places SATA, SCSI and IDE disks by it
   * (`sdc` on SATA is port 2). Default: the next free name of its bus, in list order (names other
   * disks take are skipped).
   */
  target?: string;
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
  /**
   * Give the controller an I/O thread: `true` is thread 1, a number names another of the VM's
   * `iothreads` (`2` leaves thread 1 to virtio disks a template gives one). Default `true`.
   */
  iothread?: boolean | number;
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
