/**
 * `hugepages: true` on a real host: the page size whose pool, on the node(s) the VM's memory is
 * bound to, can hold the VM now, preferring 1G (fewer TLB misses, fewer pages to pin). When none can,
 * a warning says how many pages of which size to reserve, on which node, at boot or at start.
 * Pure: a function of the pools (HostFacts), so fixture hosts test it.
 */
import type { GenerateNote, HugepagePlan, HugepageRequest, PagePlan } from '../generate/context.js';
import {
  availablePages,
  formatPageSize,
  poolDir,
  type HugepagePool,
  type MemoryFacts,
  type NumaNode,
} from './memory.js';

interface Pools {
  memory: MemoryFacts;
  numa?: NumaNode[];
}

const GIB_KIB = 1024 * 1024;

/** The pool a part of the VM draws from: the node's own, or the global one. */
function poolOf(facts: Pools, sizeKiB: number, node: number | undefined): HugepagePool | undefined {
  const pools = node === undefined ? facts.memory.pools : facts.numa?.find((n) => n.id === node)?.pools;
  return pools?.find((p) => p.sizeKiB === sizeKiB);
}

/** Pages per node for `size`, or undefined when some part of the memory is not a whole number of pages. */
function pagesFor(request: HugepageRequest, sizeKiB: number): PagePlan[] | undefined {
  const parts = request.perNode ?? [{ node: undefined, memoryMiB: request.memoryMiB }];
  if (parts.some((p) => (p.memoryMiB * 1024) % sizeKiB !== 0)) return undefined;
  return parts.map((p) => ({
    ...(p.node !== undefined ? { node: p.node } : {}),
    count: (p.memoryMiB * 1024) / sizeKiB,
  }));
}

const holds = (facts: Pools, sizeKiB: number, pages: PagePlan[]): boolean =>
  pages.every((p) => {
    const pool = poolOf(facts, sizeKiB, p.node);
    return pool !== undefined && availablePages(pool) >= p.count;
  });

const where = (p: PagePlan): string => (p.node === undefined ? '' : ` on node ${p.node}`);
const describePages = (sizeKiB: number, pages: PagePlan[]): string =>
  pages.map((p) => `${p.count} × ${formatPageSize(sizeKiB)} pages${where(p)}`).join(' and ');

/** What to do when no pool holds the VM: the size to use and how to get its pages. */
function shortage(facts: Pools, request: HugepageRequest, candidates: number[]): HugepagePlan {
  // At start, 2M pages are the ones memory fragmentation still leaves; at boot, 1G is best.
  const order = request.allocateAtStart ? [...candidates].sort((a, b) => a - b) : candidates;
  const sizeKiB = order.find((s) => pagesFor(request, s)) ?? order[0] ?? 2048;
  const pages = pagesFor(request, sizeKiB) ?? [{ count: Math.ceil((request.memoryMiB * 1024) / sizeKiB) }];
  const size = formatPageSize(sizeKiB);
  const note: GenerateNote = request.allocateAtStart
    ? {
        level: 'info',
        field: 'hugepages',
        message: `no pool holds the VM now: virt-gen's hook allocates ${describePages(sizeKiB, pages)} at each start (runtime.allocateHugepages)`,
      }
    : {
        level: 'warning',
        field: 'hugepages',
        message:
          `no hugepage pool${request.perNode ? " on the VM's node" : ''} can hold ${request.memoryMiB} MiB: reserve ` +
          pages.map((p) => reserveHint(facts, sizeKiB, p)).join('; ') +
          ` (at boot: hugepagesz=${size} hugepages=N on the kernel command line; or at start: runtime.allocateHugepages: true)`,
      };
  return { sizeKiB, pages, notes: [note] };
}

function reserveHint(facts: Pools, sizeKiB: number, p: PagePlan): string {
  const pool = poolOf(facts, sizeKiB, p.node);
  const missing = p.count - (pool ? availablePages(pool) : 0);
  const target = (pool?.total ?? 0) + missing;
  return `${missing} more ${formatPageSize(sizeKiB)} pages${where(p)} (echo ${target} > ${poolDir(sizeKiB, p.node)}/nr_hugepages)`;
}

export function chooseHugepages(facts: Pools, request: HugepageRequest): HugepagePlan {
  const sizes = [...new Set(facts.memory.pools.map((p) => p.sizeKiB))].sort((a, b) => b - a);
  const candidates = request.sizeKiB !== undefined ? [request.sizeKiB] : sizes.length ? sizes : [2048];
  for (const sizeKiB of candidates) {
    const pages = pagesFor(request, sizeKiB);
    if (pages && holds(facts, sizeKiB, pages)) {
      const from =
        request.sizeKiB !== undefined
          ? ''
          : sizeKiB === GIB_KIB
            ? ' (1G preferred)'
            : ' (the largest size with enough free pages)';
      return {
        sizeKiB,
        pages,
        notes: [
          {
            level: 'info',
            field: 'hugepages',
            message: `${describePages(sizeKiB, pages)}, from the free pool${from}`,
          },
        ],
      };
    }
  }
  return shortage(facts, request, candidates);
}
