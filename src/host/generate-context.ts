/**
 * The bridge from host facts to the generator's GenerateContext: the GPU's functions and NUMA node,
 * `cpu.pin: 'auto'`, the hugepage pools. The generator stays pure; the CLI builds this only when it
 * has read the host.
 */
import type { PciAddress } from '../domain/address.js';
import type { ResolvedCpu } from '../config/resolved.js';
import type { GenerateContext, PinPlan as GeneratorPins } from '../generate/context.js';
import { formatCpuList } from './cpulist.js';
import type { HostFacts } from './facts.js';
import { chooseHugepages } from './hugepage-choice.js';
import { autoPin, type AutoPinOptions } from './pinning.js';
import { sameAddress, sameSlot } from './pci.js';

/** Functions of the card at `address`, or undefined when the host has no such device. */
export function hostGpuFunctions(facts: Pick<HostFacts, 'pci'>, address: PciAddress): number[] | undefined {
  if (!facts.pci.some((d) => sameAddress(d.address, address))) return undefined;
  return facts.pci
    .filter((d) => sameSlot(d.address, address))
    .map((d) => d.address.function)
    .sort((a, b) => a - b);
}

export function hostAutoPin(
  facts: Pick<HostFacts, 'cpu'>,
  cpu: ResolvedCpu,
  opts: AutoPinOptions = {},
): GeneratorPins {
  const plan = autoPin(facts.cpu, { cores: cpu.cores * cpu.sockets, threads: cpu.threads }, opts);
  const nodes = plan.coreNodes;
  return {
    vcpus: plan.vcpus.map((c) => String(c)),
    emulator: formatCpuList(plan.emulator),
    iothread: formatCpuList(plan.iothreads),
    // vCPUs are laid out core by core, `threads` per core.
    ...(nodes ? { vcpuNodes: plan.vcpus.map((_, v) => nodes[Math.floor(v / cpu.threads)] as number) } : {}),
    warnings: plan.warnings,
  };
}

/** The NUMA node of a PCI device, on a host with more than one node (else there is no choice to make). */
export function hostDeviceNode(
  facts: Pick<HostFacts, 'pci' | 'numa'>,
  address: PciAddress,
): number | undefined {
  if ((facts.numa?.length ?? 0) < 2) return undefined;
  return facts.pci.find((d) => sameAddress(d.address, address))?.numaNode;
}

export function hostGenerateContext(facts: HostFacts, opts: AutoPinOptions = {}): GenerateContext {
  return {
    gpuFunctions: (address) => hostGpuFunctions(facts, address),
    deviceNode: (address) => hostDeviceNode(facts, address),
    autoPin: (cpu, node) =>
      hostAutoPin(facts, cpu, { hostCores: cpu.hostCores, ...(node !== undefined ? { node } : {}), ...opts }),
    hugepages: (request) => chooseHugepages(facts, request),
    ...(facts.numa?.length ? { hostNodes: facts.numa.map((n) => n.id) } : {}),
    onlineCpus: facts.cpu.cpus.map((c) => c.id),
    ...(facts.cpuInfo.vendor ? { cpuVendor: facts.cpuInfo.vendor } : {}),
  };
}
