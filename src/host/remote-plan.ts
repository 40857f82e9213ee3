/**
 * The host plan of a host reached through libvirt. No libvirt API writes qemu.conf, AppArmor
 * policy, boot files or hooks (research/libvirt-host-facts.md §3.2), so for a remote host virt-gen
 * says what that host needs and the exact commands that make it so there; it never writes a
 * remote file behind the user's back.
 */
import { formatPciAddress } from '../domain/address.js';
import type { HostFacts } from './facts.js';
import { groupsOf } from './iommu.js';
import type { HostNeeds } from './needs.js';
import { aclWanted } from './plan.js';

/** Lines that show a remote host's plan: what it needs, then the commands to run there. */
export function remotePlanLines(facts: HostFacts, needs: HostNeeds, config: string, uri: string): string[] {
  const acl = aclWanted(groupsOf(facts, needs.pciDevices), needs);
  // A VM without host devices or files needs nothing of the host beyond libvirt itself.
  if (acl.length === 0 && needs.readFiles.length === 0) return [];
  const lines = [
    `the host at ${uri} needs (libvirt cannot change host files, so nothing there was written):`,
  ];
  if (acl.length > 0) lines.push(`  qemu.conf cgroup_device_acl allows ${acl.join(', ')}`);
  if (acl.length > 0 || needs.readFiles.length > 0) {
    const files = needs.readFiles.length > 0 ? ` and reads of ${needs.readFiles.join(', ')}` : '';
    lines.push(`  AppArmor (when enabled there) allows QEMU those nodes${files}`);
  }
  if (needs.pciDevices.length > 0)
    lines.push(
      `  ${needs.pciDevices.map(formatPciAddress).join(', ')} free for vfio-pci (doctor there checks)`,
    );
  lines.push(
    `on that host, with ${config} copied there:`,
    `  virt-gen host plan ${config}          # the exact diffs`,
    `  sudo virt-gen host apply ${config}    # make them (one backup, atomic writes)`,
    `  virt-gen doctor ${config}             # what libvirt could not show from here`,
  );
  return lines;
}
