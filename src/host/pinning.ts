/**
 * vCPU pinning: `autoPin` chooses host CPUs for a guest topology, `checkPins` checks explicit ones.
 * Pure functions of the topology (research/passthrough.md §5.3, "Pinning algorithm").
 *
 * The rules, and why:
 * - Whole host cores go to the guest with their thread siblings, and guest vCPUs 2k and 2k+1 (its SMT
 *   siblings when threads = 2) land on sibling threads of one host core: the guest scheduler's idea of
 *   which CPUs share a core is then true, and no host thread competes with a vCPU on its core.
 * - The host's first core stays with the host (`hostCores`, default 1), and QEMU's emulator and I/O
 *   threads are pinned there, off the guest's cores, so their work does not steal vCPU time.
 * - One L3 cache domain when the guest fits in one (a CCD on AMD), preferring one without the host's
 *   reserved core; on hybrid Intel CPUs, P-cores before E-cores.
 * - On a NUMA host, everything on the node of the passed-through GPU (`node`): its DMA then never
 *   crosses the socket interconnect, and neither do the vCPUs' memory accesses. The host's kept core
 *   is that node's first, so the emulator and I/O threads (which handle the GPU's interrupts) are local
 *   too. A guest larger than the node takes the rest from the other nodes, with a warning.
 */
import { formatCpuList } from './cpulist.js';
import { HostError } from './errors.js';
import type { CpuTopology, PhysicalCore } from './topology.js';

export interface GuestShape {
  cores: number;
  threads: number;
}

export interface AutoPinOptions {
  /** Whole host cores kept for the host and QEMU's emulator/I/O threads. Default 1; 0 gives the guest every core. */
  hostCores?: number;
  /** NUMA node to place the guest on (the GPU's); ignored when the topology has no node labels. */
  node?: number;
}

export interface PinPlan {
  /** Host CPU of each vCPU, indexed by vCPU number. */
  vcpus: number[];
  /** The host cores given to the guest, in guest core order (their CPUs). */
  guestCores: number[][];
  /** CPUs for `<emulatorpin>`. */
  emulator: number[];
  /** CPUs for `<iothreadpin>`. */
  iothreads: number[];
  /** CPUs kept for the host. */
  hostCpus: number[];
  /** Host NUMA node of each guest core (in guest core order), when the host has NUMA labels. */
  coreNodes?: number[];
  warnings: string[];
}

export interface PinCheck {
  errors: string[];
  warnings: string[];
}

function validateShape(guest: GuestShape): void {
  for (const [k, v] of Object.entries(guest)) {
    if (!Number.isInteger(v) || v < 1) {
      throw new HostError(`cpu.${k}: ${v} is not a positive whole number`, 'pin-guest-shape');
    }
  }
}

/** The order cores are handed to the host: the core of the lowest CPU first. */
function reserveHostCores(cores: PhysicalCore[], count: number): PhysicalCore[] {
  if (count > cores.length) {
    throw new HostError(`cannot keep ${count} cores for the host: it has ${cores.length}`, 'pin-host-cores');
  }
  return cores.slice(0, count);
}

/** Takes `n` cores from `pool`, from one L3 group when one holds enough. */
function pickFromL3(pool: PhysicalCore[], n: number, reserved: PhysicalCore[]): PhysicalCore[] | undefined {
  if (pool.length < n) return undefined;
  const groups = new Map<number, PhysicalCore[]>();
  for (const core of pool) {
    const key = core.l3 ?? -1;
    groups.set(key, [...(groups.get(key) ?? []), core]);
  }
  const reservedL3 = new Set(reserved.map((c) => c.l3 ?? -1));
  // Groups without the host's core first (the guest then has its cache to itself), then by CPU number.
  const ordered = [...groups.entries()].sort(
    ([ka, a], [kb, b]) =>
      Number(reservedL3.has(ka)) - Number(reservedL3.has(kb)) || (a[0]?.cpus[0] ?? 0) - (b[0]?.cpus[0] ?? 0),
  );
  const fitting = ordered.find(([, cores]) => cores.length >= n);
  return (fitting ? fitting[1] : pool).slice(0, n);
}

function describeShortage(
  topology: CpuTopology,
  guest: GuestShape,
  eligible: number,
  hostCores: number,
): string {
  const fit = `at most ${eligible} core${eligible === 1 ? '' : 's'} × ${guest.threads} thread${guest.threads === 1 ? '' : 's'} fit`;
  const kept =
    hostCores > 0
      ? ` and ${hostCores} ${hostCores === 1 ? 'is' : 'are'} kept for the host and QEMU's emulator threads`
      : '';
  const eNote = topology.hybrid && guest.threads > 1 ? ' (E-cores have one thread each)' : '';
  return (
    `cpu.pin 'auto': the guest needs ${guest.cores} cores × ${guest.threads} threads, but this host has ` +
    `${topology.cores.length} cores${eNote}${kept}: ${fit}. Lower cpu.cores to ${Math.max(1, eligible)}, or pin ` +
    `explicitly (cpu.pin: [host CPU of vCPU 0, 1, …]) to share the host's cores as the guide did.`
  );
}

function eCoreWarning(cores: PhysicalCore[]): string {
  const eCpus = formatCpuList(cores.filter((c) => c.kind === 'efficiency').flatMap((c) => c.cpus));
  return `the guest does not fit on P-cores alone: it also gets E-cores (CPUs ${eCpus})`;
}

interface Choice {
  cores: PhysicalCore[];
  warnings: string[];
}

/** P-cores first on hybrid CPUs; E-cores only when the guest does not fit without them. */
function chooseCores(
  topology: CpuTopology,
  guest: GuestShape,
  reserved: PhysicalCore[],
  hostCores: number,
): Choice {
  const eligible = topology.cores.filter((c) => !reserved.includes(c) && c.cpus.length >= guest.threads);
  const tiers = topology.hybrid ? [eligible.filter((c) => c.kind === 'performance'), eligible] : [eligible];
  for (const [i, tier] of tiers.entries()) {
    const cores = pickFromL3(tier, guest.cores, reserved);
    if (!cores) continue;
    const warnings: string[] = [];
    if (i > 0) warnings.push(eCoreWarning(cores));
    const l3 = new Set(cores.map((c) => c.l3 ?? -1));
    if (l3.size > 1) warnings.push(`the guest spans ${l3.size} L3 caches: fewer cores would keep it in one`);
    return { cores, warnings };
  }
  throw new HostError(describeShortage(topology, guest, eligible.length, hostCores), 'pin-does-not-fit');
}

function checkThreads(topology: CpuTopology, guest: GuestShape): string[] {
  const maxThreads = Math.max(...topology.cores.map((c) => c.cpus.length));
  if (guest.threads > maxThreads) {
    throw new HostError(
      `cpu.pin 'auto': the guest has ${guest.threads} threads per core but this host's cores have at most ` +
        `${maxThreads}: set cpu.threads to ${maxThreads}`,
      'pin-threads',
    );
  }
  return guest.threads < maxThreads
    ? [
        `the guest has ${guest.threads} thread per core on a host with ${maxThreads}: the other thread of each pinned core stays with the host (cpu.threads: ${maxThreads} uses it)`,
      ]
    : [];
}

/** Emulator on the first reserved core, I/O threads on the others when there are others. */
function hostSideSets(topology: CpuTopology, reserved: PhysicalCore[], guestCpus: Set<number>) {
  if (reserved.length === 0) {
    const free = topology.cpus.map((c) => c.id).filter((id) => !guestCpus.has(id));
    const set = free.length > 0 ? free : topology.cpus.map((c) => c.id);
    const warnings =
      free.length > 0 ? [] : ["no host core is kept: QEMU's emulator threads share the guest's CPUs"];
    return { emulator: set, iothreads: set, hostCpus: free, warnings };
  }
  const all = reserved.flatMap((c) => c.cpus).sort((a, b) => a - b);
  const emulator = (reserved[0] as PhysicalCore).cpus;
  const rest = reserved.slice(1).flatMap((c) => c.cpus);
  return { emulator, iothreads: rest.length > 0 ? rest : emulator, hostCpus: all, warnings: [] as string[] };
}

/**
 * On a hybrid CPU whose P-cores the guest needs all of, the host keeps E-cores instead of its first
 * (P-)core: the guest gets every P-core and QEMU's threads run on E-cores.
 */
function chooseWithHybridFallback(topology: CpuTopology, guest: GuestShape, hostCores: number) {
  const reserved = reserveHostCores(topology.cores, hostCores);
  try {
    return { reserved, choice: chooseCores(topology, guest, reserved, hostCores), warnings: [] as string[] };
  } catch (err) {
    const eCores = topology.cores.filter((c) => c.kind === 'efficiency');
    if (!(err instanceof HostError) || !topology.hybrid || hostCores === 0 || eCores.length < hostCores)
      throw err;
    const eReserved = eCores.slice(0, hostCores);
    let choice: Choice;
    try {
      choice = chooseCores(topology, guest, eReserved, hostCores);
    } catch {
      throw err;
    }
    const cpus = formatCpuList(eReserved.flatMap((c) => c.cpus));
    const warnings = [
      `the guest takes every P-core it needs: the host keeps E-core CPUs ${cpus} instead of its first core`,
    ];
    return { reserved: eReserved, choice, warnings };
  }
}

export function autoPin(topology: CpuTopology, guest: GuestShape, opts: AutoPinOptions = {}): PinPlan {
  validateShape(guest);
  if (topology.cores.length === 0) {
    throw new HostError(
      "cpu.pin 'auto': no CPU topology could be read from /sys/devices/system/cpu",
      'pin-no-topology',
    );
  }
  const hostCores = opts.hostCores ?? 1;
  const warnings = checkThreads(topology, guest);
  const onNode = opts.node !== undefined && topology.cores.some((c) => c.node === opts.node);
  const {
    reserved,
    choice,
    warnings: fallback,
  } = onNode
    ? chooseOnNode(topology, guest, hostCores, opts.node as number)
    : chooseWithHybridFallback(topology, guest, hostCores);
  const guestCores = choice.cores.map((c) => c.cpus.slice(0, guest.threads));
  const vcpus = guestCores.flat();
  const host = hostSideSets(topology, reserved, new Set(vcpus));
  const nodes = choice.cores.map((c) => c.node);
  return {
    vcpus,
    guestCores,
    emulator: host.emulator,
    iothreads: host.iothreads,
    hostCpus: host.hostCpus,
    ...(nodes.every((n) => n !== undefined) ? { coreNodes: nodes } : {}),
    warnings: [...warnings, ...fallback, ...choice.warnings, ...host.warnings],
  };
}

/**
 * The guest on `node`: the host keeps that node's first core(s), the guest takes the node's other
 * cores (one L3 when it fits); when the node is too small, the other nodes' cores follow, nearest
 * numbers first, and a warning says so.
 */
function chooseOnNode(topology: CpuTopology, guest: GuestShape, hostCores: number, node: number) {
  const local = topology.cores.filter((c) => c.node === node);
  const reserved = reserveHostCores(local, Math.min(hostCores, local.length));
  const nodeTopology: CpuTopology = { ...topology, cores: local };
  try {
    return {
      reserved,
      choice: chooseCores(nodeTopology, guest, reserved, hostCores),
      warnings: [] as string[],
    };
  } catch (err) {
    if (!(err instanceof HostError)) throw err;
  }
  const fits = (c: PhysicalCore): boolean => !reserved.includes(c) && c.cpus.length >= guest.threads;
  const pool = [...local.filter(fits), ...topology.cores.filter((c) => c.node !== node && fits(c))];
  if (pool.length < guest.cores) {
    throw new HostError(describeShortage(topology, guest, pool.length, hostCores), 'pin-does-not-fit');
  }
  const cores = pool.slice(0, guest.cores);
  const others = [...new Set(cores.map((c) => c.node).filter((n) => n !== node))];
  const inNode = cores.filter((c) => c.node === node).length;
  const warning =
    `the guest needs ${guest.cores} cores but node ${node} (the GPU's) has ${inNode} beside the host's: ` +
    `it also gets ${guest.cores - inNode} core(s) of node ${others.join(', ')}, and its memory comes from ` +
    `both nodes (cpu.numa: 'spread' shows the guest two NUMA nodes; fewer cores keep it on node ${node})`;
  return { reserved, choice: { cores, warnings: [] }, warnings: [warning] };
}

export interface ExplicitPins {
  /** Host CPUs of each vCPU (a cpuset each), indexed by vCPU number. */
  vcpus: number[][];
  emulator?: number[];
  iothreads?: number[];
  /** `cpu.cpuset`: where every vCPU and the emulator may run. */
  cpuset?: number[];
}

/** Errors for a `cpu.cpuset` naming CPUs this host does not have (libvirt would fail at start). */
export function checkCpuset(topology: CpuTopology, cpuset: number[]): string[] {
  return checkExist(topology, { vcpus: [], cpuset });
}

function checkExist(topology: CpuTopology, pins: ExplicitPins): string[] {
  const online = new Set(topology.cpus.map((c) => c.id));
  const all = formatCpuList([...online]);
  const errors: string[] = [];
  const check = (what: string, cpus: number[]): void => {
    const missing = cpus.filter((c) => !online.has(c));
    if (missing.length > 0)
      errors.push(
        `${what} is pinned to CPU ${formatCpuList(missing)}, which this host does not have (online CPUs: ${all})`,
      );
  };
  pins.vcpus.forEach((set, i) => check(`vCPU ${i}`, set));
  if (pins.emulator) check('the emulator', pins.emulator);
  if (pins.iothreads) check('the I/O threads', pins.iothreads);
  if (pins.cpuset) check('cpu.cpuset', pins.cpuset);
  return errors;
}

/** Guest thread siblings (vCPUs of one guest core) should be host thread siblings. */
function checkSiblings(topology: CpuTopology, guest: GuestShape, pins: ExplicitPins): string[] {
  if (guest.threads < 2) return [];
  const coreOf = new Map(topology.cpus.map((c) => [c.id, c.siblings.join(',')]));
  const warnings: string[] = [];
  for (let core = 0; core * guest.threads < pins.vcpus.length; core++) {
    const ids = Array.from({ length: guest.threads }, (_, t) => core * guest.threads + t).filter(
      (v) => v < pins.vcpus.length,
    );
    const single = ids
      .map((v) => pins.vcpus[v] as number[])
      .filter((s) => s.length === 1)
      .map((s) => s[0] as number);
    if (single.length !== ids.length) continue;
    if (new Set(single.map((cpu) => coreOf.get(cpu))).size > 1) {
      const hint = single.map((cpu) => `CPU ${cpu}'s siblings are ${coreOf.get(cpu) ?? '?'}`).join('; ');
      warnings.push(
        `vCPUs ${ids.join(' and ')} are thread siblings in the guest but host CPUs ${single.join(' and ')} are not (${hint})`,
      );
    }
  }
  return warnings;
}

function checkSharing(pins: ExplicitPins): string[] {
  const warnings: string[] = [];
  const owner = new Map<number, number>();
  pins.vcpus.forEach((set, v) => {
    if (set.length !== 1) return;
    const cpu = set[0] as number;
    const other = owner.get(cpu);
    if (other !== undefined) warnings.push(`vCPUs ${other} and ${v} are both pinned to CPU ${cpu}`);
    else owner.set(cpu, v);
  });
  const vcpuCpus = new Set(pins.vcpus.flat());
  for (const [what, set] of [
    ['the emulator threads share', pins.emulator],
    ['the I/O threads share', pins.iothreads],
  ] as const) {
    const shared = (set ?? []).filter((c) => vcpuCpus.has(c));
    if (shared.length > 0)
      warnings.push(
        `${what} host CPUs ${formatCpuList(shared)} with vCPUs: pin them to the cores kept for the host`,
      );
  }
  return warnings;
}

function checkSpread(topology: CpuTopology, pins: ExplicitPins): string[] {
  const byId = new Map(topology.cpus.map((c) => [c.id, c]));
  const used = pins.vcpus
    .flat()
    .map((id) => byId.get(id))
    .filter((c) => c !== undefined);
  const warnings: string[] = [];
  const l3 = new Set(used.map((c) => c.l3 ?? -1));
  if (l3.size > 1) warnings.push(`the vCPUs span ${l3.size} L3 caches`);
  if (topology.hybrid && new Set(used.map((c) => c.kind)).size > 1)
    warnings.push('the vCPUs mix P-cores and E-cores');
  return warnings;
}

/** Checks explicit pins against the host: errors for CPUs it lacks, warnings for poor choices. */
export function checkPins(topology: CpuTopology, guest: GuestShape, pins: ExplicitPins): PinCheck {
  const total = guest.cores * guest.threads;
  const errors = checkExist(topology, pins);
  if (pins.vcpus.length > total)
    errors.push(`cpu.pin lists ${pins.vcpus.length} vCPUs but the guest has ${total}`);
  const warnings: string[] = [];
  if (pins.vcpus.length < total) warnings.push(`vCPUs ${pins.vcpus.length}-${total - 1} are not pinned`);
  warnings.push(
    ...checkSiblings(topology, guest, pins),
    ...checkSharing(pins),
    ...checkSpread(topology, pins),
  );
  return { errors, warnings };
}
