/**
 * Hugepage pools (`/sys/kernel/mm/hugepages`) and memory totals (`/proc/meminfo`), §5.4.
 */
import { listDir, readNumber, readText } from './read.js';

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

async function readPool(root: string, dirName: string): Promise<HugepagePool | undefined> {
  const m = /^hugepages-(\d+)kB$/.exec(dirName);
  if (!m) return undefined;
  const dir = `${HP_DIR}/${dirName}`;
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

export async function readMemory(root: string): Promise<MemoryFacts> {
  const pools = (await Promise.all((await listDir(root, HP_DIR)).map((d) => readPool(root, d))))
    .filter((p): p is HugepagePool => p !== undefined)
    .sort((a, b) => a.sizeKiB - b.sizeKiB);
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
