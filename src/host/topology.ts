/**
 * CPU topology from `/sys/devices/system/cpu` (research/passthrough.md §5.3): logical CPUs, the
 * physical cores they belong to (thread siblings), L3 cache domains and, on hybrid Intel CPUs, which
 * cores are performance (P) and which efficiency (E) cores.
 */
import { parseCpuList } from './cpulist.js';
import { listDir, readNumber, readTrimmed } from './read.js';

export type CoreKind = 'performance' | 'efficiency';

export interface LogicalCpu {
  id: number;
  package: number;
  die: number;
  coreId: number;
  /** SMT siblings including this CPU, sorted (`core_cpus_list`). */
  siblings: number[];
  /** Index into `CpuTopology.l3Groups`; undefined when the CPU reports no L3. */
  l3?: number;
  /** `cpu_capacity` (hybrid and big.LITTLE kernels). */
  capacity?: number;
  kind?: CoreKind;
  /** NUMA node (`/sys/devices/system/node/nodeN/cpulist`); undefined when the host shows none. */
  node?: number;
}

export interface PhysicalCore {
  package: number;
  die: number;
  coreId: number;
  /** Its logical CPUs, sorted: the thread siblings. */
  cpus: number[];
  l3?: number;
  kind?: CoreKind;
  node?: number;
}

export interface CpuTopology {
  /** Online logical CPUs, by id. */
  cpus: LogicalCpu[];
  /** Physical cores, ordered by their lowest CPU number. */
  cores: PhysicalCore[];
  /** L3 cache domains as CPU lists (`shared_cpu_list` of the level-3 unified cache), ordered by lowest CPU. */
  l3Groups: number[][];
  /** True when both P- and E-cores were found. */
  hybrid: boolean;
}

const CPU_DIR = '/sys/devices/system/cpu';

async function onlineCpus(root: string): Promise<number[]> {
  const online = await readTrimmed(root, `${CPU_DIR}/online`);
  if (online !== undefined) return parseCpuList(online);
  // No `online` file (some containers): every cpuN directory counts.
  return (await listDir(root, CPU_DIR))
    .map((n) => /^cpu(\d+)$/.exec(n)?.[1])
    .filter((n): n is string => n !== undefined)
    .map(Number)
    .sort((a, b) => a - b);
}

/** The level-3 unified cache's `shared_cpu_list`; the index number is not the level, so search. */
async function l3SharedList(root: string, cpu: number): Promise<number[] | undefined> {
  const dir = `${CPU_DIR}/cpu${cpu}/cache`;
  for (const index of (await listDir(root, dir)).filter((n) => n.startsWith('index'))) {
    const level = await readNumber(root, `${dir}/${index}/level`);
    const type = await readTrimmed(root, `${dir}/${index}/type`);
    if (level !== 3 || (type !== undefined && type !== 'Unified')) continue;
    const shared = await readTrimmed(root, `${dir}/${index}/shared_cpu_list`);
    if (shared !== undefined) return parseCpuList(shared);
  }
  return undefined;
}

interface RawCpu extends Omit<LogicalCpu, 'l3' | 'kind'> {
  l3Shared?: number[];
}

async function readCpu(root: string, id: number): Promise<RawCpu> {
  const topo = `${CPU_DIR}/cpu${id}/topology`;
  const [pkg, die, core, coreCpus, threadSiblings, capacity, l3Shared] = await Promise.all([
    readNumber(root, `${topo}/physical_package_id`),
    readNumber(root, `${topo}/die_id`),
    readNumber(root, `${topo}/core_id`),
    readTrimmed(root, `${topo}/core_cpus_list`),
    // The deprecated name, for kernels before 5.7.
    readTrimmed(root, `${topo}/thread_siblings_list`),
    readNumber(root, `${CPU_DIR}/cpu${id}/cpu_capacity`),
    l3SharedList(root, id),
  ]);
  const siblingsText = coreCpus ?? threadSiblings;
  const cpu: RawCpu = {
    id,
    package: pkg ?? 0,
    die: die ?? 0,
    coreId: core ?? id,
    siblings: siblingsText !== undefined ? parseCpuList(siblingsText) : [id],
  };
  if (capacity !== undefined) cpu.capacity = capacity;
  if (l3Shared !== undefined) cpu.l3Shared = l3Shared;
  return cpu;
}

/**
 * P/E classification: the PMU device lists (`/sys/devices/cpu_core/cpus`, `cpu_atom/cpus`) when the
 * kernel has them, else a lower `cpu_capacity` marks E-cores. Undefined for a homogeneous CPU.
 */
async function coreKinds(root: string, cpus: RawCpu[]): Promise<Map<number, CoreKind> | undefined> {
  const pList = await readTrimmed(root, '/sys/devices/cpu_core/cpus');
  const eList = await readTrimmed(root, '/sys/devices/cpu_atom/cpus');
  const kinds = new Map<number, CoreKind>();
  if (pList !== undefined && eList !== undefined) {
    for (const id of parseCpuList(pList)) kinds.set(id, 'performance');
    for (const id of parseCpuList(eList)) kinds.set(id, 'efficiency');
    return kinds;
  }
  const capacities = cpus.map((c) => c.capacity).filter((c): c is number => c !== undefined);
  if (capacities.length < cpus.length || new Set(capacities).size < 2) return undefined;
  const max = Math.max(...capacities);
  for (const c of cpus) kinds.set(c.id, c.capacity === max ? 'performance' : 'efficiency');
  return kinds;
}

function l3Groups(cpus: RawCpu[]): number[][] {
  const seen = new Map<string, number[]>();
  for (const c of cpus) if (c.l3Shared) seen.set(c.l3Shared.join(','), c.l3Shared);
  return [...seen.values()].sort((a, b) => (a[0] as number) - (b[0] as number));
}

function buildCores(cpus: LogicalCpu[]): PhysicalCore[] {
  const byKey = new Map<string, PhysicalCore>();
  for (const c of cpus) {
    // core_id is not unique across packages and dies.
    const key = `${c.package}/${c.die}/${c.coreId}`;
    let core = byKey.get(key);
    if (!core) {
      core = { package: c.package, die: c.die, coreId: c.coreId, cpus: [] };
      if (c.l3 !== undefined) core.l3 = c.l3;
      if (c.kind !== undefined) core.kind = c.kind;
      byKey.set(key, core);
    }
    core.cpus.push(c.id);
  }
  const cores = [...byKey.values()];
  for (const core of cores) core.cpus.sort((a, b) => a - b);
  return cores.sort((a, b) => (a.cpus[0] as number) - (b.cpus[0] as number));
}

export async function readCpuTopology(root: string): Promise<CpuTopology> {
  const raw = await Promise.all((await onlineCpus(root)).map((id) => readCpu(root, id)));
  const groups = l3Groups(raw);
  const kinds = await coreKinds(root, raw);
  const online = new Set(raw.map((c) => c.id));
  const cpus: LogicalCpu[] = raw.map(({ l3Shared, ...c }) => {
    const cpu: LogicalCpu = { ...c, siblings: c.siblings.filter((s) => online.has(s)) };
    const l3 = l3Shared ? groups.findIndex((g) => g.join(',') === l3Shared.join(',')) : -1;
    if (l3 >= 0) cpu.l3 = l3;
    const kind = kinds?.get(c.id);
    if (kind !== undefined) cpu.kind = kind;
    return cpu;
  });
  const cores = buildCores(cpus);
  const hybrid = cores.some((c) => c.kind === 'performance') && cores.some((c) => c.kind === 'efficiency');
  return { cpus, cores, l3Groups: groups, hybrid };
}

/**
 * The topology with each CPU and core labelled with its NUMA node. Kept apart from reading so the
 * node lists can come from sysfs or from libvirt's capabilities (`<cell><cpus>`) alike.
 */
export function withNodes(
  topology: CpuTopology,
  nodes: ReadonlyArray<{ id: number; cpus: number[] }>,
): CpuTopology {
  const nodeOf = new Map<number, number>();
  for (const n of nodes) for (const cpu of n.cpus) nodeOf.set(cpu, n.id);
  const label = <T extends { node?: number }>(item: T, cpu: number | undefined): T => {
    const node = cpu === undefined ? undefined : nodeOf.get(cpu);
    return node === undefined ? item : { ...item, node };
  };
  return {
    ...topology,
    cpus: topology.cpus.map((c) => label(c, c.id)),
    cores: topology.cores.map((c) => label(c, c.cpus[0])),
  };
}
