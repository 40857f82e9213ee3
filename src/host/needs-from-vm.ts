/**
 * The HostNeeds of a VM: an adapter between the config and the host planners, which never see
 * the config type. The PCI devices come from the generated domain itself, so the host is
 * configured for exactly the functions the domain passes through.
 */
import type { ResolvedVm } from '../config/resolved.js';
import type { PciAddress } from '../domain/address.js';
import type { Domain } from '../domain/model.js';
import type { HostFacts } from './facts.js';
import type { HostNeeds } from './needs.js';

/** Host addresses of the domain's PCI hostdevs. */
export function passedThroughPci(domain: Domain): PciAddress[] {
  return (domain.devices?.hostdev ?? []).flatMap((h) => {
    const a = h.type === 'pci' ? h.source?.address : undefined;
    if (!a?.bus || !a.slot || !a.function) return [];
    const n = (v: string): number => parseInt(v, 16);
    return [{ domain: n(a.domain ?? '0'), bus: n(a.bus), slot: n(a.slot), function: n(a.function) }];
  });
}

/** Device nodes named in extra QEMU arguments (`mem-path=/dev/kvmfr0`): libvirt does not know them. */
function qemuArgNodes(args: readonly string[]): string[] {
  const nodes = args.flatMap((a) =>
    [...a.matchAll(/(?:^|[=,\s])(\/dev\/[^\s,]+)/g)].map((m) => m[1] as string),
  );
  return [...new Set(nodes)];
}

export function hostNeedsOf(vm: ResolvedVm, domain: Domain, facts?: HostFacts): HostNeeds {
  const readFiles = [...vm.gpus.map((g) => g.rom), ...vm.pci.map((p) => p.rom)].filter(
    (r): r is string => r !== undefined,
  );
  const needs: HostNeeds = {
    pciDevices: passedThroughPci(domain),
    deviceNodes: qemuArgNodes(vm.qemuArgs),
    readFiles,
  };
  if (vm.runtime !== false) needs.runtimeHook = true;
  if (vm.hugepages !== false) {
    // The size generation chose on this host (domain), else the config's, else the host's default.
    const chosen = domain.memoryBacking?.hugepages?.page?.[0]?.size;
    const sizeKiB = chosen ?? vm.hugepages.sizeKiB ?? facts?.memory.defaultHugepageKiB ?? 2048;
    // Memory bound to one node (numatune) draws from that node's pool only.
    const nodeset = domain.numatune?.memory?.nodeset;
    needs.hugepages = {
      sizeKiB,
      count: Math.ceil((vm.memoryMiB * 1024) / sizeKiB),
      ...(nodeset !== undefined && /^\d+$/.test(nodeset) ? { node: Number(nodeset) } : {}),
      ...(vm.runtime && vm.runtime.allocateHugepages ? { atStart: true } : {}),
    };
  }

  return needs;
}
