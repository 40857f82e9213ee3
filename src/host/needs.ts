/**
 * What a VM needs from the host, independent of the config format: the lead derives it from the
 * VmConfig, the planners only see this. Keeping the planners off the config type lets them be tested
 * (and reused, e.g. by `import`) without a config.
 */
import type { PciAddress } from '../domain/address.js';

export interface HostNeeds {
  /** PCI functions passed through (host addresses) */
  pciDevices: PciAddress[];
  /** extra device nodes QEMU must open that libvirt does not know about, e.g. /dev/kvmfr0 */
  deviceNodes: string[];
  /** files QEMU must read that AppArmor may not allow, e.g. a ROM outside /usr/share/vgabios */
  readFiles: string[];
  /** the guide's /dev/vfio/* wildcard instead of per-group rules */
  vfioWildcard?: boolean;
  /**
   * hugepages of one size; `node`: the NUMA node the memory is bound to (its own pool counts);
   * `atStart`: virt-gen's hook allocates them when the VM starts (runtime.allocateHugepages)
   */
  hugepages?: { sizeKiB: number; count: number; node?: number; atStart?: boolean };
  /** the VM has a runtime plan: virt-gen's libvirt hook must be installed */
  runtimeHook?: boolean;
}

/** Needs of a VM that uses nothing from the host: the starting point for callers that add to it. */
export function emptyNeeds(): HostNeeds {
  return { pciDevices: [], deviceNodes: [], readFiles: [] };
}
