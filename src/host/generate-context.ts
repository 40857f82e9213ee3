/**
 * The bridge from host facts to the generator's GenerateContext: the GPU's functions and
 * `cpu.pin: 'auto'`. The generator stays pure; the CLI builds this only when it has read the host.
 */
import type { PciAddress } from '../domain/address.js';
import type { ResolvedCpu } from '../config/resolved.js';
import type { GenerateContext, PinPlan as GeneratorPins } from '../generate/context.js';
import { formatCpuList } from './cpulist.js';
import type { HostFacts } from './facts.js';
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
  return {
    vcpus: plan.vcpus.map((c) => String(c)),
    emulator: formatCpuList(plan.emulator),
    iothread: formatCpuList(plan.iothreads),
  };
}

export function hostGenerateContext(facts: HostFacts, opts: AutoPinOptions = {}): GenerateContext {
  return {
    gpuFunctions: (address) => hostGpuFunctions(facts, address),
    autoPin: (cpu) => hostAutoPin(facts, cpu, { hostCores: cpu.hostCores, ...opts }),
    ...(facts.cpuInfo.vendor ? { cpuVendor: facts.cpuInfo.vendor } : {}),
  };
}
