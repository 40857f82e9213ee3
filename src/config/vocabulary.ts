/**
 * The config's closed sets of words, each declared once. The type of a field is derived from its
 * list (`(typeof DISK_BUSES)[number]`), and the validator, the generator and the importer's reverse
 * mapping (domain -> config) all read the same list, so a word added here is accepted, generated and
 * imported alike, and a word missing here is refused everywhere.
 */

/** `display`, or `display.type`: the emulated display (see VmConfig.display). */
export const DISPLAYS = ['none', 'spice', 'vnc'] as const;
export type Display = (typeof DISPLAYS)[number];

/**
 * `display.video`: libvirt's `<video><model type>` of the emulated adapter on x86. `vga` is QEMU's
 * standard VGA (`-vga std`), `bochs` the same without legacy VGA (UEFI guests), `ramfb` a boot
 * framebuffer (for mdev vGPUs), `none` no adapter at all.
 */
export const VIDEO_MODELS = ['none', 'vga', 'qxl', 'virtio', 'bochs', 'ramfb', 'cirrus'] as const;
export type VideoModel = (typeof VIDEO_MODELS)[number];

/** `clock`: the guest clock base. */
export const CLOCK_OFFSETS = ['localtime', 'utc'] as const;
export type ClockOffset = (typeof CLOCK_OFFSETS)[number];

/**
 * `clock.pit`: the PIT's `<timer name='pit' tickpolicy>`, what QEMU does with ticks the guest missed
 * (kvm-pit.lost_tick_policy): `delay` replays them late, `catchup` faster until caught up, `discard`
 * drops them (Proxmox). libvirt 9.0 refuses the schema's fourth word, `merge`, for the PIT.
 */
export const PIT_TICK_POLICIES = ['delay', 'catchup', 'discard'] as const;
export type PitTickPolicy = (typeof PIT_TICK_POLICIES)[number];

/** `onReboot`: libvirt's `<on_reboot>` actions QEMU takes: restart the guest, or stop it (`-no-reboot`). */
export const REBOOT_ACTIONS = ['restart', 'destroy'] as const;
export type RebootAction = (typeof REBOOT_ACTIONS)[number];

/**
 * The guest architectures a config makes (`<os><type arch>`): 64-bit x86, and 32-bit x86 (libvirt's
 * `i686`), which `emulator` chooses (archOfEmulator): the config has no separate arch field, since
 * libvirt refuses an emulator that cannot run the arch ("does not support arch 'x86_64'").
 */
export const GUEST_ARCHES = ['x86_64', 'i686'] as const;
export type GuestArch = (typeof GUEST_ARCHES)[number];

/** libvirt's names for QEMU's target names, where they differ (`qemu-system-i386` runs `i686`). */
const QEMU_TARGET_ARCHES: Readonly<Record<string, string>> = { i386: 'i686', arm: 'armv7l' };

/**
 * The guest architecture a QEMU binary runs, from its name, in libvirt's spelling: `qemu-system-X`
 * runs X (`qemu-system-i386`: `i686`), the old `qemu` binary 32-bit x86; `qemu-kvm`, `kvm` and
 * any other name (a patched build) x86_64. The importer reads a command line's binary with it, the
 * config its `emulator`: one table for both directions.
 */
export function archOfEmulator(binary: string): string {
  const m = /qemu-system-([A-Za-z0-9_]+)$/.exec(binary);
  if (m) return QEMU_TARGET_ARCHES[m[1] as string] ?? (m[1] as string);
  if (/(^|\/)qemu$/.test(binary)) return 'i686';
  return 'x86_64';
}

/** `hugepages` as a size, and the page size in KiB libvirt writes for it (`<page size unit='KiB'>`). */
export const HUGEPAGE_SIZES = { '2M': 2048, '1G': 1048576 } as const;
export type HugepageSize = keyof typeof HUGEPAGE_SIZES;

/** The config's word for a page size in KiB (the reverse of HUGEPAGE_SIZES), if it has one. */
export function hugepageSizeOfKiB(kib: number | undefined): HugepageSize | undefined {
  return (Object.keys(HUGEPAGE_SIZES) as HugepageSize[]).find((k) => HUGEPAGE_SIZES[k] === kib);
}

/**
 * `cpu.mode`: libvirt's CPU modes the config offers. `custom` names a QEMU CPU model (`cpu.model`),
 * `maximum` is QEMU's `-cpu max` (every feature KVM can give).
 */
export const CPU_MODES = ['host-passthrough', 'host-model', 'custom', 'maximum'] as const;
export type CpuMode = (typeof CPU_MODES)[number];

/** `cpu.features` policies, as libvirt spells them. */
export const FEATURE_POLICIES = ['require', 'disable', 'force', 'optional', 'forbid'] as const;
export type FeaturePolicy = (typeof FEATURE_POLICIES)[number];

/** `cpu.numa`: how a guest larger than the GPU's NUMA node is laid out. */
export const NUMA_LAYOUTS = ['auto', 'spread'] as const;
export type NumaLayout = (typeof NUMA_LAYOUTS)[number];

/**
 * `smbios` tables and the entries libvirt's schema takes in each (`<sysinfo type='smbios'>`, the
 * sysinfo-*-name definitions of domaincommon.rng), in the order libvirt writes them.
 */
export const SMBIOS_FIELDS = {
  bios: ['vendor', 'version', 'date', 'release'],
  system: ['manufacturer', 'product', 'version', 'serial', 'uuid', 'sku', 'family'],
  baseBoard: ['manufacturer', 'product', 'version', 'serial', 'asset', 'location'],
  chassis: ['manufacturer', 'version', 'serial', 'asset', 'sku'],
} as const;
export type SmbiosTable = keyof typeof SMBIOS_FIELDS;
export const SMBIOS_TABLES = Object.keys(SMBIOS_FIELDS) as SmbiosTable[];

/** `runtime.governor`. */
export const GOVERNORS = ['performance'] as const;
export type Governor = (typeof GOVERNORS)[number];

/**
 * QEMU's recommended Hyper-V set for Windows (docs/system/i386/hyperv.rst), in the order a config
 * lists them; `time` is the hypervclock timer, every other name an element of libvirt's `<hyperv>`.
 */
export const RECOMMENDED_HYPERV = [
  'relaxed',
  'vapic',
  'spinlocks',
  'vpindex',
  'runtime',
  'synic',
  'stimer',
  'reset',
  'frequencies',
  'reenlightenment',
  'tlbflush',
  'ipi',
  'time',
] as const;

/** Every enlightenment a config can name. */
export const HYPERV_FEATURES = [...RECOMMENDED_HYPERV, 'evmcs', 'avic'] as const;
export type HypervFeature = (typeof HYPERV_FEATURES)[number];

/**
 * Enlightenments that QEMU refuses to start without others (docs/system/i386/hyperv.rst, "Requires").
 * `time` is the hypervclock timer, QEMU's hv-time.
 */
export const HYPERV_REQUIRES: Partial<Record<HypervFeature, readonly HypervFeature[]>> = {
  synic: ['vpindex'],
  stimer: ['vpindex', 'synic', 'time'],
  tlbflush: ['vpindex'],
  ipi: ['vpindex'],
  evmcs: ['vapic'],
};

/** `gpu.rootPort.model`: libvirt's `<model name>` of a PCIe root port. */
export const ROOT_PORT_MODELS = ['pcie-root-port', 'ioh3420'] as const;
export type RootPortModel = (typeof ROOT_PORT_MODELS)[number];

/** `disks[].device`. */
export const DISK_DEVICES = ['disk', 'cdrom'] as const;
export type DiskDevice = (typeof DISK_DEVICES)[number];

/** `disks[].bus`: libvirt's `<target bus>`. `ide` exists on i440fx only (q35 has no IDE controller). */
export const DISK_BUSES = ['scsi', 'virtio', 'sata', 'usb', 'ide'] as const;
export type DiskBus = (typeof DISK_BUSES)[number];

/**
 * `boot`: libvirt's `<os><boot dev>` (QEMU's `-boot order=`): the kinds of device the firmware tries,
 * in order: disks (`hd`), CD-ROMs, the network (PXE), the floppy.
 */
export const BOOT_DEVICES = ['hd', 'cdrom', 'network', 'fd'] as const;
export type BootDevice = (typeof BOOT_DEVICES)[number];

/** `disks[].format`: libvirt's `<driver type>`. */
export const DISK_FORMATS = ['raw', 'qcow2'] as const;
export type DiskFormat = (typeof DISK_FORMATS)[number];

/** `disks[].cache`: libvirt's `<driver cache>`. */
export const CACHE_MODES = ['none', 'writeback', 'writethrough', 'directsync', 'unsafe'] as const;
export type CacheMode = (typeof CACHE_MODES)[number];

/** `disks[].io`: libvirt's `<driver io>`. */
export const IO_MODES = ['native', 'threads', 'io_uring'] as const;
export type IoMode = (typeof IO_MODES)[number];

/** `disks[].discard`: libvirt's `<driver discard>`. */
export const DISCARD_MODES = ['unmap', 'ignore'] as const;
export type DiscardMode = (typeof DISCARD_MODES)[number];

/**
 * `usbController`: libvirt's `<controller type='usb' model>`. `qemu-xhci` is USB 3 with few
 * interrupts; `nec-xhci`, the ICH9 EHCI and the PIIX UHCI are what older command lines and guides
 * used; `none` is no USB at all (no tablet, no USB devices).
 */
export const USB_CONTROLLERS = [
  'qemu-xhci',
  'nec-xhci',
  'ich9-ehci1',
  'piix3-uhci',
  'piix4-uhci',
  'none',
] as const;
export type UsbController = (typeof USB_CONTROLLERS)[number];

/**
 * `network[].model`: libvirt's `<model type>` of an interface, the x86 NICs QEMU has: `e1000` is
 * i440fx's default and many guides', `vmxnet3` VMware's (for images moved from ESXi/Workstation).
 */
export const NIC_MODELS = ['virtio', 'e1000e', 'e1000', 'rtl8139', 'vmxnet3'] as const;
export type NicModel = (typeof NIC_MODELS)[number];

/** `sound.model`: libvirt's `<sound model>`. */
export const SOUND_MODELS = ['ich9', 'ich6', 'ac97', 'usb'] as const;
export type SoundModel = (typeof SOUND_MODELS)[number];

/** `sound.audio.type`: libvirt's `<audio type>`. */
export const AUDIO_TYPES = ['pulseaudio', 'pipewire', 'alsa', 'spice', 'none'] as const;
export type AudioType = (typeof AUDIO_TYPES)[number];

/** `evdev.grabToggle`: libvirt's `<source grabToggle>`. */
export const GRAB_TOGGLES = [
  'ctrl-ctrl',
  'alt-alt',
  'shift-shift',
  'meta-meta',
  'scrolllock',
  'ctrl-scrolllock',
] as const;
export type GrabToggle = (typeof GRAB_TOGGLES)[number];

/** `tpm.model`: the TPM's interface (`tpm-tis` or `tpm-crb`), without libvirt's `tpm-` prefix. */
export const TPM_MODELS = ['crb', 'tis'] as const;
export type TpmModel = (typeof TPM_MODELS)[number];

/** `tpm.version`: the TPM's spec version, as libvirt's `<backend version>` says it. CRB is 2.0 only. */
export const TPM_VERSIONS = ['2.0', '1.2'] as const;
export type TpmVersion = (typeof TPM_VERSIONS)[number];

/** True when `value` is one of `words`: narrows a string read from a domain to the config's word. */
export function isOneOf<const T extends readonly string[]>(
  words: T,
  value: string | undefined,
): value is T[number] {
  return value !== undefined && (words as readonly string[]).includes(value);
}
