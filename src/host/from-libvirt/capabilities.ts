/**
 * Host facts from `virsh capabilities` (formatcaps.rst) and `virsh freepages --all`: CPU topology
 * with thread siblings, L3 cache banks, hugepage pools per NUMA cell, the CPU vendor and features,
 * IOMMU support and whether KVM works (research/libvirt-host-facts.md §2.1–2.2).
 */
import { textOf } from '../../domain/xml-node.js';
import { parseCpuList } from '../cpulist.js';
import type { HugepagePool } from '../memory.js';
import type { RawCpu } from '../topology.js';
import { kid, kids, kidText, num, parseAnswer } from './xml.js';

export interface LibvirtCapabilities {
  /** `AuthenticAMD` / `GenuineIntel`, as /proc/cpuinfo spells it (libvirt says `AMD` / `Intel`). */
  vendor?: string;
  /** Feature names of the host CPU (libvirt's names: `pdpe1gb`, `topoext`, `svm`, …). */
  features: string[];
  /** `<iommu support='yes'>`: /sys/kernel/iommu_groups has entries. Undefined before libvirt 4.5. */
  iommu?: boolean;
  /** A guest domain type `kvm` exists: /dev/kvm works for libvirt. */
  kvm: boolean;
  /** Online CPUs with siblings and L3 (offline ones have no socket_id in the XML). */
  cpus: RawCpu[];
  /** Page pool totals by size, summed over the NUMA cells; the system page size left out. */
  pageTotals: Map<number, number>;
  /** Memory of all cells, KiB. */
  memoryKiB?: number;
  /** The NUMA cells: their online CPUs, memory and hugepage pool totals (system pages left out). */
  cells: LibvirtCell[];
}

export interface LibvirtCell {
  id: number;
  cpus: number[];
  memoryKiB?: number;
  pageTotals: Map<number, number>;
}

const VENDORS: Record<string, string> = { AMD: 'AuthenticAMD', Intel: 'GenuineIntel' };

function topologyCpus(caps: ReturnType<typeof parseAnswer>): RawCpu[] {
  const host = kid(caps, 'host');
  const cells = kids(kid(kid(host, 'topology'), 'cells'), 'cell');
  const l3Banks = kids(kid(host, 'cache'), 'bank')
    .filter((b) => b.attrs.level === '3' && b.attrs.cpus !== undefined)
    .map((b) => parseCpuList(b.attrs.cpus as string));
  const cpus: RawCpu[] = [];
  for (const el of cells.flatMap((c) => kids(kid(c, 'cpus'), 'cpu'))) {
    const id = num(el.attrs.id);
    if (id === undefined || el.attrs.socket_id === undefined) continue;
    const cpu: RawCpu = {
      id,
      package: num(el.attrs.socket_id) ?? 0,
      die: num(el.attrs.die_id) ?? 0,
      coreId: num(el.attrs.core_id) ?? id,
      siblings: el.attrs.siblings !== undefined ? parseCpuList(el.attrs.siblings) : [id],
    };
    const l3 = l3Banks.find((b) => b.includes(id));
    if (l3) cpu.l3Shared = l3;
    cpus.push(cpu);
  }
  return cpus.sort((a, b) => a.id - b.id);
}

function cellsOf(caps: ReturnType<typeof parseAnswer>): LibvirtCell[] {
  const host = kid(caps, 'host');
  // The smallest size the CPU lists is the system page size: not a hugepage pool.
  const sizes = kids(kid(host, 'cpu'), 'pages').map((p) => num(p.attrs.size) ?? 0);
  const systemKiB = sizes.length > 0 ? Math.min(...sizes) : 4;
  return kids(kid(kid(host, 'topology'), 'cells'), 'cell').map((cell, i) => {
    const pageTotals = new Map<number, number>();
    for (const p of kids(cell, 'pages')) {
      const size = num(p.attrs.size);
      if (size !== undefined && size > systemKiB) pageTotals.set(size, num(textOf(p)) ?? 0);
    }
    const cpus = kids(kid(cell, 'cpus'), 'cpu')
      .filter((c) => c.attrs.socket_id !== undefined)
      .map((c) => num(c.attrs.id))
      .filter((id): id is number => id !== undefined)
      .sort((a, b) => a - b);
    const memoryKiB = num(kidText(cell, 'memory'));
    const out: LibvirtCell = { id: num(cell.attrs.id) ?? i, cpus, pageTotals };
    if (memoryKiB !== undefined) out.memoryKiB = memoryKiB;
    return out;
  });
}

function sumTotals(cells: LibvirtCell[]): Map<number, number> {
  const totals = new Map<number, number>();
  for (const c of cells) for (const [size, n] of c.pageTotals) totals.set(size, (totals.get(size) ?? 0) + n);
  return totals;
}

export function parseCapabilities(xml: string): LibvirtCapabilities {
  const caps = parseAnswer(xml, 'capabilities');
  const host = kid(caps, 'host');
  const cpu = kid(host, 'cpu');
  const vendorText = kidText(cpu, 'vendor');
  const iommu = kid(host, 'iommu')?.attrs.support;
  const cells = cellsOf(caps);
  const memories = cells.map((c) => c.memoryKiB).filter((m): m is number => m !== undefined);
  const result: LibvirtCapabilities = {
    features: kids(cpu, 'feature')
      .map((f) => f.attrs.name)
      .filter((n): n is string => n !== undefined),
    kvm: kids(caps, 'guest').some((g) => kids(kid(g, 'arch'), 'domain').some((d) => d.attrs.type === 'kvm')),
    cpus: topologyCpus(caps),
    pageTotals: sumTotals(cells),
    cells,
  };
  if (vendorText !== undefined) result.vendor = VENDORS[vendorText] ?? vendorText;
  if (iommu !== undefined) result.iommu = iommu === 'yes';
  if (memories.length > 0) result.memoryKiB = memories.reduce((a, b) => a + b, 0);
  return result;
}

/** `virsh freepages --all`: "Node 0:" then "2048KiB: 12" lines; free pages by node, then by size. */
export function parseFreePagesByNode(text: string): Map<number, Map<number, number>> {
  const nodes = new Map<number, Map<number, number>>();
  let current: Map<number, number> | undefined;
  for (const line of text.split('\n')) {
    const node = /^\s*Node\s+(\d+):\s*$/.exec(line);
    if (node) nodes.set(Number(node[1]), (current = new Map()));
    const page = /^\s*(\d+)KiB:\s*(\d+)\s*$/.exec(line);
    // Without NUMA, virsh prints the sizes under no "Node" line: they are the host's, node 0.
    if (page && !current) nodes.set(0, (current = new Map()));
    if (page && current) current.set(Number(page[1]), Number(page[2]));
  }
  return nodes;
}

/** Free pages by size, summed over the nodes. */
export function parseFreePages(text: string): Map<number, number> {
  const free = new Map<number, number>();
  for (const sizes of parseFreePagesByNode(text).values())
    for (const [size, n] of sizes) free.set(size, (free.get(size) ?? 0) + n);
  return free;
}

/** `virsh nodememstats`: "total  :  24683652 KiB" (MemTotal of the host's /proc/meminfo). */
export function parseMemoryTotal(text: string): number | undefined {
  const m = /^total\s*:\s*(\d+)\s*KiB/m.exec(text);
  return m ? Number(m[1]) : undefined;
}

/** Hugepage pools as the sysfs reader reports them. libvirt has no reserved or surplus counts. */
export function hugepagePools(caps: LibvirtCapabilities, free: Map<number, number>): HugepagePool[] {
  return [...caps.pageTotals.entries()]
    .sort(([a], [b]) => a - b)
    .map(([sizeKiB, total]) => ({ sizeKiB, total, free: free.get(sizeKiB) ?? 0, reserved: 0, surplus: 0 }));
}

/** A NUMA node as the sysfs reader makes it (memory.ts NumaNode): CPUs, memory, its own pools. */
export interface LibvirtNumaNode {
  id: number;
  cpus: number[];
  totalKiB?: number;
  /** Per-node pools: totals from the cell, free counts from freepages; no reserved count per node. */
  pools: HugepagePool[];
}

export function numaNodes(
  caps: LibvirtCapabilities,
  freeByNode: Map<number, Map<number, number>>,
): LibvirtNumaNode[] {
  return caps.cells.map((cell) => {
    const free = freeByNode.get(cell.id) ?? new Map<number, number>();
    const node: LibvirtNumaNode = {
      id: cell.id,
      cpus: cell.cpus,
      pools: [...cell.pageTotals.entries()]
        .sort(([a], [b]) => a - b)
        .map(([sizeKiB, total]) => ({
          sizeKiB,
          total,
          free: free.get(sizeKiB) ?? 0,
          reserved: 0,
          surplus: 0,
        })),
    };
    if (cell.memoryKiB !== undefined) node.totalKiB = cell.memoryKiB;
    return node;
  });
}
