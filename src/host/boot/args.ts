/**
 * Which kernel arguments this host needs for the VM, and nothing more (research/host-boot.md §1.1):
 * `intel_iommu=on` only on Intel hosts whose IOMMU is off (or that were booted with it, so it stays),
 * never `amd_iommu=on` (not a value the kernel knows: AMD-Vi is on whenever the firmware enables it),
 * `iommu=pt` for passthrough, and a 1 GiB hugepage pool at boot when the VM asks for 1 GiB pages (they
 * can rarely be allocated once memory is fragmented). Pure: facts in, arguments out.
 */
import type { HostFacts } from '../facts.js';
import type { HostNeeds } from '../needs.js';
import { cmdlineValue, type KernelArg } from '../procfs.js';

export interface WantedArg {
  key: string;
  value: string;
  /** A value the user already set for this key is kept (`iommu=nopt` is a choice, not a gap). */
  keepUserValue: boolean;
  /** Helps but is not required: doctor does not ask for it unless virt-gen configured it. */
  optional?: boolean;
  why: string;
}

const GIB_KIB = 1024 * 1024;

export const argText = (a: Pick<WantedArg, 'key' | 'value'>): string => `${a.key}=${a.value}`;

function iommuArgs(facts: HostFacts, needs: HostNeeds, ours: readonly KernelArg[]): WantedArg[] {
  if (needs.pciDevices.length === 0) return [];
  const args: WantedArg[] = [];
  const intel = facts.cpuInfo.vendor === 'GenuineIntel';
  const off = facts.iommuGroups.length === 0;
  const bootedWith = cmdlineValue(facts.cmdline ?? [], 'intel_iommu') === 'on';
  const alreadyOurs = cmdlineValue(ours, 'intel_iommu') === 'on';
  if (intel && (off || bootedWith || alreadyOurs)) {
    args.push({
      key: 'intel_iommu',
      value: 'on',
      keepUserValue: false,
      why: off
        ? 'the IOMMU is off on this Intel host (no /sys/kernel/iommu_groups)'
        : 'this Intel host runs with intel_iommu=on',
    });
  }
  args.push({
    key: 'iommu',
    value: 'pt',
    keepUserValue: true,
    optional: true,
    why: 'identity DMA mapping for the devices the host keeps (faster; passed-through devices stay translated)',
  });
  return args;
}

function hugepageArgs(facts: HostFacts, needs: HostNeeds): WantedArg[] {
  const hp = needs.hugepages;
  if (hp?.sizeKiB !== GIB_KIB) return [];
  const pool = facts.memory.pools.find((p) => p.sizeKiB === GIB_KIB);
  const why = `reserve ${hp.count} × 1 GiB hugepages at boot for the VM's memory`;
  // A pool that exists came from the command line (or a hook): whatever made it, keep the count it has
  // if it is large enough; otherwise ask for the count the VM needs.
  const count = Math.max(hp.count, pool && pool.total >= hp.count ? pool.total : 0);
  return [
    { key: 'default_hugepagesz', value: '1G', keepUserValue: true, why },
    { key: 'hugepagesz', value: '1G', keepUserValue: true, why },
    { key: 'hugepages', value: String(count), keepUserValue: false, why },
  ];
}

/**
 * The arguments the VM needs on this host. `ours` are the arguments virt-gen configured earlier (its
 * own drop-in): an argument that made the IOMMU come on must stay once it has.
 */
export function wantedArgs(facts: HostFacts, needs: HostNeeds, ours: readonly KernelArg[] = []): WantedArg[] {
  return [...iommuArgs(facts, needs, ours), ...hugepageArgs(facts, needs)];
}

/** Warnings about the command line that virt-gen does not fix itself. */
export function cmdlineWarnings(facts: HostFacts, needs: HostNeeds): string[] {
  if (needs.pciDevices.length === 0) return [];
  const warnings: string[] = [];
  const amd = facts.cpuInfo.vendor === 'AuthenticAMD';
  if (amd && facts.iommuGroups.length === 0) {
    const offArg = cmdlineValue(facts.cmdline ?? [], 'amd_iommu') === 'off';
    warnings.push(
      offArg
        ? 'the kernel runs with amd_iommu=off: remove it from the kernel command line (AMD-Vi is on by default)'
        : 'the IOMMU is off on this AMD host: enable IOMMU/AMD-Vi (SVM) in the firmware setup. ' +
            'No kernel argument turns it on (amd_iommu=on is not a value the kernel knows)',
    );
  }
  return warnings;
}
