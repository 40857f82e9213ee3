/**
 * Which host functions a passed-through card brings along, and whether its IOMMU groups are viable.
 *
 * VFIO hands a whole IOMMU group to one user. QEMU fails with "group N is not viable" unless every
 * device in the group is bound to vfio-pci (or pci-stub, or to no driver); PCIe bridges and root ports
 * may stay on pcieport (kernel driver-api/vfio.rst; research/passthrough.md §4 item 2). libvirt's
 * `managed='yes'` rebinds only the devices named in the domain, so anything else in the group must be
 * bound by the user or passed through too.
 */
import { formatPciAddress, type PciAddress } from '../domain/address.js';
import { HostError } from './errors.js';
import type { HostFacts } from './facts.js';
import { isBridge, pciClassName, pciIds, sameAddress, sameSlot, type PciDevice } from './pci.js';

/** Drivers that leave a device safe to share a group with a VFIO user. */
const VFIO_SAFE_DRIVERS = new Set(['vfio-pci', 'pci-stub']);

export type MemberRole = 'passthrough' | 'bridge' | 'vfio' | 'unbound' | 'offender';

export interface GroupMember {
  device: PciDevice;
  role: MemberRole;
}

export interface GroupViability {
  group: number;
  members: GroupMember[];
  /** Members that make the group unusable: bound to a host driver and not passed through. */
  offenders: PciDevice[];
  viable: boolean;
}

/** `0000:04:00.0 (Ethernet controller 8086:10d3)`. */
export function describeDevice(dev: PciDevice): string {
  return `${dev.name} (${pciClassName(dev.class)} ${pciIds(dev)})`;
}

export function findDevice(facts: Pick<HostFacts, 'pci'>, address: PciAddress): PciDevice {
  const dev = facts.pci.find((d) => sameAddress(d.address, address));
  if (!dev) {
    throw new HostError(
      `PCI device ${formatPciAddress(address)} is not on this host (see \`virt-gen discover\` or lspci)`,
      'pci-not-found',
    );
  }
  return dev;
}

/** Every function of the card at `address` (same domain:bus:slot), function 0 first. */
export function cardFunctions(facts: Pick<HostFacts, 'pci'>, address: PciAddress): PciDevice[] {
  findDevice(facts, address);
  return facts.pci
    .filter((d) => sameSlot(d.address, address))
    .sort((a, b) => a.address.function - b.address.function);
}

function roleOf(dev: PciDevice, passthrough: readonly PciAddress[]): MemberRole {
  if (passthrough.some((a) => sameAddress(a, dev.address))) return 'passthrough';
  if (isBridge(dev)) return 'bridge';
  if (dev.driver === undefined) return 'unbound';
  return VFIO_SAFE_DRIVERS.has(dev.driver) ? 'vfio' : 'offender';
}

/** The IOMMU groups of the passed-through devices; an error when a device has none (IOMMU off). */
export function groupsOf(facts: Pick<HostFacts, 'pci'>, passthrough: readonly PciAddress[]): number[] {
  const groups = new Set<number>();
  for (const address of passthrough) {
    const dev = findDevice(facts, address);
    if (dev.iommuGroup === undefined) {
      throw new HostError(
        `${describeDevice(dev)} has no IOMMU group: the IOMMU is off. Enable VT-d/AMD-Vi in the firmware ` +
          `and boot with intel_iommu=on (Intel)`,
        'iommu-off',
      );
    }
    groups.add(dev.iommuGroup);
  }
  return [...groups].sort((a, b) => a - b);
}

/** Viability of every group a passed-through device is in. */
export function checkGroups(
  facts: Pick<HostFacts, 'pci'>,
  passthrough: readonly PciAddress[],
): GroupViability[] {
  return groupsOf(facts, passthrough).map((group) => {
    const members = facts.pci
      .filter((d) => d.iommuGroup === group)
      .map((device) => ({ device, role: roleOf(device, passthrough) }));
    const offenders = members.filter((m) => m.role === 'offender').map((m) => m.device);
    return { group, members, offenders, viable: offenders.length === 0 };
  });
}

/** `IOMMU group 13 is not viable: 0000:04:00.0 (Ethernet controller 8086:10d3) is bound to e1000e` */
export function viabilityProblem(v: GroupViability): string {
  const who = v.offenders.map((d) => `${describeDevice(d)} is bound to ${d.driver}`).join('; ');
  return `IOMMU group ${v.group} is not viable: ${who}`;
}

/** What to do about a group that is not viable. */
export function viabilityFix(v: GroupViability): string {
  const them = v.offenders.length > 1 ? 'them' : 'it';
  return (
    `pass ${them} through as well, bind ${them} to vfio-pci, or move the card to a slot with its own ` +
    `group (a CPU-attached slot); the ACS override patch is insecure`
  );
}

/** The message for a group that is not viable: names each offending device and its driver. */
export function viabilityMessage(v: GroupViability): string {
  return (
    `${viabilityProblem(v)}. Every device in the group must be bound to vfio-pci or passed through too ` +
    `(bridges may stay on pcieport): ${viabilityFix(v)}.`
  );
}

/** Throws the viability message of the first group that is not viable. */
export function assertGroupsViable(
  facts: Pick<HostFacts, 'pci'>,
  passthrough: readonly PciAddress[],
): GroupViability[] {
  const result = checkGroups(facts, passthrough);
  const bad = result.find((v) => !v.viable);
  if (bad) throw new HostError(viabilityMessage(bad), 'iommu-group-not-viable');
  return result;
}
