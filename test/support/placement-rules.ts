/**
 * The placement rules of issue 13, checked on a domain against the host it is for, independently of
 * how the domain was made: the same checker judges virt-gen's output (tests) and the XML a
 * hand-written virt-install command gives (bench/numa.mjs). Each rule is a property of the XML and the
 * host's facts, never a comparison with what virt-gen computed.
 */
import type { Domain } from '../../src/domain/model.js';
import { parseCpuList } from '../../src/host/cpulist.js';
import type { HostFacts } from '../../src/host/facts.js';
import { availablePages } from '../../src/host/memory.js';

export type RuleResult = 'yes' | 'no' | 'n/a';

export interface RuleTable {
  /** Guest core k (vCPUs k·t … k·t+t−1) on the thread siblings of one host core, whole cores only. */
  siblingsTogether: RuleResult;
  /** The emulator pinned to CPUs no vCPU uses, which are whole host cores kept for the host. */
  hostCoreKeptForEmulator: RuleResult;
  /** The vCPUs in one L3 cache domain when the guest fits in one beside a host core. */
  oneL3WhenItFits: RuleResult;
  /** Every vCPU on the GPU's NUMA node (when the guest fits in it). */
  vcpusOnGpuNode: RuleResult;
  emulatorOnGpuNode: RuleResult;
  /** `<numatune><memory mode='strict'>` on the GPU's node. */
  memoryOnGpuNode: RuleResult;
  /** The page size's pool, on the node the memory is bound to, has enough free pages now. */
  poolHoldsVm: RuleResult;
}

const yn = (b: boolean): RuleResult => (b ? 'yes' : 'no');

function pins(domain: Domain): number[][] {
  return (domain.cputune?.vcpupin ?? []).map((p) => parseCpuList(p.cpuset ?? ''));
}

function siblingsTogether(facts: HostFacts, domain: Domain): RuleResult {
  const vcpus = pins(domain);
  const threads = domain.cpu?.topology?.threads ?? 1;
  const total = domain.vcpu?.value ?? 0;
  if (vcpus.length < total || vcpus.some((s) => s.length !== 1)) return 'no';
  const coreOf = new Map(facts.cpu.cores.flatMap((c) => c.cpus.map((cpu) => [cpu, c] as const)));
  const used = new Set(vcpus.flat());
  for (let k = 0; k * threads < total; k++) {
    const cpus = vcpus.slice(k * threads, k * threads + threads).flat();
    const cores = new Set(cpus.map((c) => coreOf.get(c)));
    if (cores.size !== 1) return 'no';
    // No other work on the guest's host cores: every sibling is this guest core's or left idle.
    const core = [...cores][0];
    if (!core || core.cpus.some((c) => used.has(c) && !cpus.includes(c))) return 'no';
  }
  return 'yes';
}

function emulatorCpus(domain: Domain): number[] | undefined {
  const set = domain.cputune?.emulatorpin?.cpuset;
  return set ? parseCpuList(set) : undefined;
}

function hostCoreKept(facts: HostFacts, domain: Domain): RuleResult {
  const emulator = emulatorCpus(domain);
  if (!emulator) return 'no';
  const vcpus = new Set(pins(domain).flat());
  if (emulator.some((c) => vcpus.has(c))) return 'no';
  const cores = facts.cpu.cores.filter((c) => c.cpus.some((cpu) => emulator.includes(cpu)));
  return yn(cores.every((c) => c.cpus.every((cpu) => !vcpus.has(cpu))));
}

function oneL3(facts: HostFacts, domain: Domain): RuleResult {
  const guestCores = (domain.cpu?.topology?.cores ?? 1) * (domain.cpu?.topology?.sockets ?? 1);
  const perL3 = facts.cpu.l3Groups.map(
    (g) => facts.cpu.cores.filter((c) => g.includes(c.cpus[0] as number)).length,
  );
  if (!perL3.some((n) => n >= guestCores + 1)) return 'n/a';
  const vcpus = pins(domain).flat();
  if (vcpus.length === 0) return 'no';
  return yn(new Set(vcpus.map((c) => facts.cpu.l3Groups.findIndex((g) => g.includes(c)))).size === 1);
}

/** The GPU's node CPUs, when the host has several nodes and the guest fits on that node. */
function gpuNodeCpus(facts: HostFacts, gpuNode: number | undefined, domain: Domain): number[] | undefined {
  if ((facts.numa?.length ?? 0) < 2 || gpuNode === undefined) return undefined;
  const node = facts.numa?.find((n) => n.id === gpuNode);
  const guestCores = (domain.cpu?.topology?.cores ?? 1) * (domain.cpu?.topology?.sockets ?? 1);
  const nodeCores = facts.cpu.cores.filter((c) => c.node === gpuNode).length;
  return node && nodeCores >= guestCores + 1 ? node.cpus : undefined;
}

function onNode(cpus: number[] | undefined, nodeCpus: number[] | undefined): RuleResult {
  if (!nodeCpus) return 'n/a';
  return yn(cpus !== undefined && cpus.length > 0 && cpus.every((c) => nodeCpus.includes(c)));
}

function poolHolds(facts: HostFacts, domain: Domain): RuleResult {
  const backing = domain.memoryBacking?.hugepages;
  if (!backing) return 'n/a';
  const sizeKiB = backing.page?.[0]?.size ?? facts.memory.defaultHugepageKiB ?? 2048;
  const unitKiB: Record<string, number> = { KiB: 1, k: 1, MiB: 1024, M: 1024, GiB: 1048576, G: 1048576 };
  const memKiB = (domain.memory?.value ?? 0) * (unitKiB[domain.memory?.unit ?? 'KiB'] ?? 1);
  const count = Math.ceil(memKiB / sizeKiB);
  const nodeset = domain.numatune?.memory?.nodeset;
  const nodes = nodeset !== undefined ? parseCpuList(nodeset) : [];
  if (nodes.length === 1 && facts.numa?.length) {
    const pool = facts.numa.find((n) => n.id === nodes[0])?.pools.find((p) => p.sizeKiB === sizeKiB);
    return yn(pool !== undefined && availablePages(pool) >= count);
  }
  const pool = facts.memory.pools.find((p) => p.sizeKiB === sizeKiB);
  return yn(pool !== undefined && availablePages(pool) >= count);
}

export function checkRules(facts: HostFacts, domain: Domain, gpuNode: number | undefined): RuleTable {
  const nodeCpus = gpuNodeCpus(facts, gpuNode, domain);
  const nodeset = domain.numatune?.memory;
  return {
    siblingsTogether: siblingsTogether(facts, domain),
    hostCoreKeptForEmulator: hostCoreKept(facts, domain),
    oneL3WhenItFits: oneL3(facts, domain),
    vcpusOnGpuNode: onNode(pins(domain).flat(), nodeCpus),
    emulatorOnGpuNode: onNode(emulatorCpus(domain), nodeCpus),
    memoryOnGpuNode: nodeCpus ? yn(nodeset?.mode === 'strict' && nodeset.nodeset === String(gpuNode)) : 'n/a',
    poolHoldsVm: poolHolds(facts, domain),
  };
}
