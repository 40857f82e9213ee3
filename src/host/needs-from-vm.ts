/**
 * The HostNeeds of a VM: an adapter between the config and the host planners, which never see
 * the config type. The PCI devices come from the generated domain itself, so the host is
 * configured for exactly the functions the domain passes through.
 */
import type { ResolvedVm } from '../config/resolved.js';
import type { PciAddress } from '../domain/address.js';
import type { Domain } from '../domain/model.js';
import path from 'node:path';
import { HostError } from './errors.js';
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

/**
 * A path that becomes an AppArmor rule must name exactly one file: absolute and normalised. A `..`
 * would let `mem-path=/dev/../etc/shadow` pass for a device node and grant `/etc/shadow` to QEMU.
 */
export function checkRulePath(p: string, field: string): string {
  const normal = path.posix.normalize(p);
  if (!p.startsWith('/') || normal !== p || p.endsWith('/') || /\p{Cc}/u.test(p)) {
    throw new HostError(
      `${field}: "${p}" is not a normalised absolute path (no "..", ".", "//" or control characters): ` +
        `write the path itself${normal !== p && normal.startsWith('/') ? `, e.g. "${normal}"` : ''}`,
      'host-rule-path',
    );
  }
  return p;
}

/**
 * Device nodes named in extra QEMU arguments (`mem-path=/dev/kvmfr0`). libvirt does not know them, so
 * its per-VM AppArmor profile (virt-aa-helper) cannot allow them: they are the one kind of device path
 * that must go into the rules all VMs share. Each one is checked, naming its `qemuArgs[i]`.
 */
function qemuArgNodes(args: readonly string[]): string[] {
  const nodes = args.flatMap((a, i) =>
    [...a.matchAll(/(?:^|[=,\s])(\/dev\/[^\s,]+)/g)].map((m) =>
      checkRulePath(m[1] as string, `qemuArgs[${i}]`),
    ),
  );
  return [...new Set(nodes)];
}

/** ROM files (virt-aa-helper adds no rule for `<rom file=…>`), each checked, naming its field. */
function romFiles(vm: ResolvedVm): string[] {
  const roms = [
    ...vm.gpus.map((g, i) => [g.rom, `gpu${vm.gpus.length > 1 ? `[${i}]` : ''}.rom`] as const),
    ...vm.pci.map((p, i) => [p.rom, `pci[${i}].rom`] as const),
  ];
  return roms.flatMap(([rom, field]) => (rom === undefined ? [] : [checkRulePath(rom, field)]));
}

export function hostNeedsOf(vm: ResolvedVm, domain: Domain, facts?: HostFacts): HostNeeds {
  const readFiles = romFiles(vm);
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
