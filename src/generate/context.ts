/**
 * What the generator may learn from the host. The generator itself does no I/O: the CLI fills
 * this in from HostFacts (sysfs under --root) only when the config asks for a derived value.
 */
import { VirtGenError } from '../util/errors.js';
import type { PciAddress } from '../domain/address.js';
import type { ResolvedCpu } from '../config/resolved.js';

export interface PinPlan {
  /** Host cpuset per vCPU, in vCPU order. */
  vcpus: string[];
  emulator?: string;
  iothread?: string;
  /** Host NUMA node of each vCPU (`pin: 'auto'` on a host with NUMA labels). */
  vcpuNodes?: number[];
  /** What the pinning chose that the user should know (a guest spanning caches or nodes). */
  warnings?: string[];
}

/** Pages of one size from one host node's pool (node undefined: the global pool). */
export interface PagePlan {
  node?: number;
  count: number;
}

/** The page size `hugepages` resolved to on this host, and where the pages come from. */
export interface HugepagePlan {
  sizeKiB: number;
  pages: PagePlan[];
  notes: GenerateNote[];
}

export interface HugepageRequest {
  memoryMiB: number;
  /** The size the config fixed ('2M'/'1G'), or undefined to choose. */
  sizeKiB?: number;
  /** Guest memory (MiB) per host node, when the VM is placed on nodes. */
  perNode?: Array<{ node: number; memoryMiB: number }>;
  /** The runtime hook allocates the pages at start: a missing pool is not a warning. */
  allocateAtStart: boolean;
}

/** A diagnostic of generation: shown by `xml`, `define`, `doctor` and in `--json`. */
export interface GenerateNote {
  level: 'info' | 'warning';
  /** The config field it concerns, as the user writes it: `cpu.pin`, `hugepages`. */
  field: string;
  message: string;
}

export interface GenerateContext {
  /** Every function the host has for the device at `address` (same bus and slot), if known. */
  gpuFunctions?(address: PciAddress): number[] | undefined;
  /** The NUMA node of the device at `address`, when the host has more than one node. */
  deviceNode?(address: PciAddress): number | undefined;
  /** Pins for `cpu.pin: 'auto'`, from the host's topology, on `node` when given. */
  autoPin?(cpu: ResolvedCpu, node?: number): PinPlan;
  /** The page size and pools for `hugepages`, from the host's pools. */
  hugepages?(request: HugepageRequest): HugepagePlan;
  /** The host's NUMA node ids (more than one: the host is NUMA). */
  hostNodes?: number[];
  /** The host's online CPUs (for what the runtime hook keeps for the host). */
  onlineCpus?: number[];
  /** The host CPU's vendor (`AuthenticAMD`, `GenuineIntel`), for vendor-specific CPU features. */
  cpuVendor?: string;
}

export class GenerateError extends VirtGenError {
  constructor(message: string) {
    super(message);
    this.name = 'GenerateError';
  }
}
