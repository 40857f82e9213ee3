/**
 * The HostNeeds of a resolved config: an adapter between the config and the host planners, which
 * never see the config type. With host facts, a GPU brings every function the host has at its
 * address; without, the config's functions or [0, 1].
 */
import type { ResolvedVm } from '../config/resolved.js';
import type { PciAddress } from '../domain/address.js';
import type { HostFacts } from './facts.js';
import { hostGpuFunctions } from './generate-context.js';
import type { HostNeeds } from './needs.js';

function gpuAddresses(vm: ResolvedVm, facts: HostFacts | undefined): PciAddress[] {
  return vm.gpus.flatMap((gpu) => {
    const functions = gpu.functions ?? (facts && hostGpuFunctions(facts, gpu.address)) ?? [0, 1];
    return functions.map((f) => ({ ...gpu.address, function: f }));
  });
}

/** Device nodes named in extra QEMU arguments (`mem-path=/dev/kvmfr0`): libvirt does not know them. */
function qemuArgNodes(args: readonly string[]): string[] {
  const nodes = args.flatMap((a) =>
    [...a.matchAll(/(?:^|[=,\s])(\/dev\/[^\s,]+)/g)].map((m) => m[1] as string),
  );
  return [...new Set(nodes)];
}

export function hostNeedsOf(vm: ResolvedVm, facts?: HostFacts): HostNeeds {
  const pciDevices = [...gpuAddresses(vm, facts), ...vm.pci.map((p) => p.address)];
  const readFiles = [...vm.gpus.map((g) => g.rom), ...vm.pci.map((p) => p.rom)].filter(
    (r): r is string => r !== undefined,
  );
  const needs: HostNeeds = { pciDevices, deviceNodes: qemuArgNodes(vm.qemuArgs), readFiles };
  if (vm.hugepages !== false) {
    const sizeKiB = vm.hugepages.sizeKiB ?? facts?.memory.defaultHugepageKiB ?? 2048;
    needs.hugepages = { sizeKiB, count: Math.ceil((vm.memoryMiB * 1024) / sizeKiB) };
  }
  return needs;
}
