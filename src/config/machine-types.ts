/** The config's machine-level shapes: CPU, NUMA, memory backing, SMBIOS, the runtime hook, Hyper-V, firmware (re-exported by types.ts). */
import type {
  ClockOffset,
  CpuMode,
  FeaturePolicy,
  Governor,
  HypervFeature,
  NumaLayout,
  PitTickPolicy,
  SmbiosTable,
  SMBIOS_FIELDS,
} from './vocabulary.js';
import type { Size } from './types.js';

export interface CpuConfig {
  /** Guest sockets. Default 1. */
  sockets?: number;
  /** Guest cores per socket. Required. */
  cores: number;
  /** Threads per core (2 for SMT, matching the host's siblings). Default 1. */
  threads?: number;
  /**
   * CPU model mode. Default `'host-passthrough'` (with `migratable: false`). `'custom'` shows the
   * guest the named `model`; `'maximum'` is QEMU's `-cpu max`.
   */
  mode?: CpuMode;
  /**
   * With `mode` `'host-passthrough'` or `'maximum'` (the only modes libvirt takes it with):
   * `true` hides the host features that would stop a live migration (`migratable='on'`, QEMU's own
   * default). Default `false` (`migratable='off'`): a VM with a passed-through device cannot migrate
   * anyway, and `off` gives the guest host-only features such as the invariant TSC (`invtsc`).
   */
  migratable?: boolean;
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

/** `clock` as an object: the offset and the timers a user sets (`<clock>`, `<timer>`). */
export interface ClockConfig {
  /** The guest clock base. Default `'localtime'` (what Windows expects). */
  offset?: ClockOffset;
  /**
   * What the PIT does with ticks the guest missed while not running (`<timer name='pit' tickpolicy>`):
   * `'delay'` (default, QEMU's) replays them late, `'catchup'` faster until caught up, `'discard'`
   * drops them (what Proxmox sets).
   */
  pit?: PitTickPolicy;
  /**
   * Give the guest an HPET (`<timer name='hpet' present='yes'>`), as QEMU does without `-no-hpet`.
   * Default `false`: the HPET is slow to read, and Windows then uses the Hyper-V clock or the TSC.
   */
  hpet?: boolean;
}

/** Guest power states (`<pm>`): both off by default, as a passed-through GPU rarely wakes up again. */
export interface SuspendConfig {
  /** Suspend to RAM, S3 (`<suspend-to-mem enabled>`). Default `false`. */
  s3?: boolean;
  /** Suspend to disk, S4: hibernation (`<suspend-to-disk enabled>`). Default `false`. */
  s4?: boolean;
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
