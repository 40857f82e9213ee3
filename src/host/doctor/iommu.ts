/** IOMMU on: groups exist (research/passthrough.md §4 "IOMMU off", §5.1). */
import type { HostFacts } from '../facts.js';
import { cmdlineValue } from '../procfs.js';
import { fail, ok, type Finding } from './finding.js';

function enableFix(facts: HostFacts): string {
  const intel = facts.cpuInfo.vendor === 'GenuineIntel';
  const args = facts.cmdline ?? [];
  if (intel && cmdlineValue(args, 'intel_iommu') === 'on') {
    return 'intel_iommu=on is set: enable VT-d in the firmware setup';
  }
  if (intel)
    return 'enable VT-d in the firmware setup and add intel_iommu=on (and iommu=pt) to the kernel command line, then reboot';
  if (cmdlineValue(args, 'amd_iommu') === 'off')
    return 'remove amd_iommu=off from the kernel command line, then reboot';
  return 'enable the IOMMU (AMD-Vi / "IOMMU" / SVM options) in the firmware setup, then reboot';
}

export function checkIommu(facts: HostFacts): Finding[] {
  const n = facts.iommuGroups.length;
  if (n > 0)
    return [
      ok(
        'iommu',
        `IOMMU is on: ${n} IOMMU group${n === 1 ? '' : 's'} (${facts.iommuUnits.join(', ') || 'units not listed'})`,
      ),
    ];
  return [
    fail(
      'iommu',
      'IOMMU is off: /sys/kernel/iommu_groups is empty',
      'VFIO passes devices through by IOMMU group; without an IOMMU there are none, and no device can be passed through',
      enableFix(facts),
    ),
  ];
}
