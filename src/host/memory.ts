/**
 * Hugepage pools (`/sys/kernel/mm/hugepages`, and per NUMA node under
 * `/sys/devices/system/node/nodeN/hugepages`) and memory totals (`/proc/meminfo`), §5.4.
 * A VM pinned to one node can only use that node's pages (`<numatune mode='strict'>`), so the
 * per-node pools, not the global one, say whether it will start.
 */
import { parseCpuList } from './cpulist.js';
import { listDir, readNumber, readText, readTrimmed } from './read.js';

export interface HugepagePool {
  sizeKiB: number;
  /** nr_hugepages: pages allocated to the pool. */
  total: number;
  /** free_hugepages: not in use (includes reserved ones). */
  free: number;
  /** resv_hugepages: promised to a mapping but not yet faulted in. */
  reserved: number;
  surplus: number;
}

export interface MemoryFacts {
  pools: HugepagePool[];
  /** `Hugepagesize` of /proc/meminfo: the size `hugepages: true` means. */
  defaultHugepageKiB?: number;
  totalKiB?: number;
  availableKiB?: number;
}

const HP_DIR = '/sys/kernel/mm/hugepages';
const NODE_DIR = '/sys/devices/system/node';

/** One NUMA node: its CPUs, its memory and its own hugepage pools. */
export interface NumaNode {
  id: number;
  /** Online CPUs of the node (`cpulist`). */
  cpus: number[];
  /** `Node N MemTotal` of the node's meminfo. */
  totalKiB?: number;
  /** The node's pools (per-node sysfs has no `resv_hugepages`: `reserved` is 0 there). */
  pools: HugepagePool[];
}

/** The node's pool sysfs directory, or the global one for `node` undefined. */
export function poolDir(sizeKiB: number, node?: number): string {
  const base = node === undefined ? HP_DIR : `${NODE_DIR}/node${node}/hugepages`;
  return `${base}/hugepages-${sizeKiB}kB`;
}

async function readPools(root: string, base: string): Promise<HugepagePool[]> {
  return (await Promise.all((await listDir(root, base)).map((d) => readPool(root, base, d))))
    .filter((p): p is HugepagePool => p !== undefined)
    .sort((a, b) => a.sizeKiB - b.sizeKiB);
}

async function readPool(root: string, base: string, dirName: string): Promise<HugepagePool | undefined> {
  const m = /^hugepages-(\d+)kB$/.exec(dirName);
  if (!m) return undefined;
  const dir = `${base}/${dirName}`;
  const [total, free, reserved, surplus] = await Promise.all(
    ['nr_hugepages', 'free_hugepages', 'resv_hugepages', 'surplus_hugepages'].map((f) =>
      readNumber(root, `${dir}/${f}`),
    ),
  );
  return {
    sizeKiB: Number(m[1]),
    total: total ?? 0,
    free: free ?? 0,
    reserved: reserved ?? 0,
    surplus: surplus ?? 0,
  };
}

/** `/proc/meminfo` as `key → kB`. */
export function parseMeminfo(text: string): Map<string, number> {
  const out = new Map<string, number>();
  for (const line of text.split('\n')) {
    const m = /^([^:]+):\s+(\d+)/.exec(line);
    if (m) out.set(m[1] as string, Number(m[2]));
  }
  return out;
}

/** NUMA nodes with online CPUs or memory, by id; empty when the kernel shows no node directory. */
export async function readNumaNodes(root: string): Promise<NumaNode[]> {
  const ids = (await listDir(root, NODE_DIR))
    .map((n) => /^node(\d+)$/.exec(n)?.[1])
    .filter((n): n is string => n !== undefined)
    .map(Number)
    .sort((a, b) => a - b);
  return Promise.all(
    ids.map(async (id) => {
      const dir = `${NODE_DIR}/node${id}`;
      const [cpus, meminfo, pools] = await Promise.all([
        readTrimmed(root, `${dir}/cpulist`),
        readText(root, `${dir}/meminfo`),
        readPools(root, `${dir}/hugepages`),
      ]);
      const node: NumaNode = { id, cpus: cpus ? parseCpuList(cpus) : [], pools };
      const total = meminfo && /MemTotal:\s+(\d+)/.exec(meminfo)?.[1];
      if (total) node.totalKiB = Number(total);
      return node;
    }),
  );
}

export async function readMemory(root: string): Promise<MemoryFacts> {
  const pools = await readPools(root, HP_DIR);
  const facts: MemoryFacts = { pools };
  const meminfo = await readText(root, '/proc/meminfo');
  if (meminfo !== undefined) {
    const info = parseMeminfo(meminfo);
    const hugepage = info.get('Hugepagesize');
    const total = info.get('MemTotal');
    const available = info.get('MemAvailable');
    if (hugepage !== undefined) facts.defaultHugepageKiB = hugepage;
    if (total !== undefined) facts.totalKiB = total;
    if (available !== undefined) facts.availableKiB = available;
  }
  return facts;
}

/** Pages a new guest can take from the pool now: free ones not promised to another mapping. */
export const availablePages = (pool: HugepagePool): number => Math.max(0, pool.free - pool.reserved);

/** `2048` → `2M`, `1048576` → `1G`. */
export function formatPageSize(kib: number): string {
  if (kib % (1024 * 1024) === 0) return `${kib / (1024 * 1024)}G`;
  if (kib % 1024 === 0) return `${kib / 1024}M`;
  return `${kib}K`;
}
