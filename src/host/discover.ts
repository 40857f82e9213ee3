/**
 * `virt-gen discover`: the GPUs with their functions and IOMMU groups, the CPU topology, hugepage
 * pools and USB devices of a host, as data (JSON) or text. starter-config.ts turns it into a config.
 */
import { formatCpuList } from './cpulist.js';
import type { HostFacts } from './facts.js';
import { checkGroups, describeDevice } from './iommu.js';
import { availablePages, formatPageSize, type NumaNode } from './memory.js';
import { isDisplay, pciClassName, pciIds, sameSlot, type PciDevice } from './pci.js';
import { hugetlbfsPageKiB } from './procfs.js';
import { usbIds } from './usb.js';

export interface DiscoveredFunction {
  address: string;
  ids: string;
  class: string;
  driver?: string;
}

export interface DiscoveredGroupMember extends DiscoveredFunction {
  role: string;
}

export interface DiscoveredGpu extends DiscoveredFunction {
  bootVga: boolean;
  /** Every function of the card (same bus and slot), this one first. */
  functions: DiscoveredFunction[];
  iommuGroup?: { id: number; viable: boolean; members: DiscoveredGroupMember[]; offenders: string[] };
  /** The card's NUMA node, on a host with more than one (where `pin: 'auto'` places the VM). */
  numaNode?: number;
}

export interface DiscoveredNode {
  node: number;
  cpus: string;
  memoryMiB?: number;
  hugepages: Array<{ size: string; total: number; free: number }>;
}

export interface DiscoveredCpu {
  model?: string;
  logicalCpus: number;
  cores: number;
  threadsPerCore: number;
  hybrid: boolean;
  /** Each physical core: its CPUs, L3 group and P/E kind. */
  coreList: Array<{ cpus: string; l3?: number; kind?: string }>;
  l3Groups: string[];
}

export interface DiscoveredPool {
  size: string;
  sizeKiB: number;
  total: number;
  free: number;
  reserved: number;
  mounts: string[];
}

export interface Discovery {
  iommu: boolean;
  gpus: DiscoveredGpu[];
  cpu: DiscoveredCpu;
  memoryMiB?: number;
  hugepages: DiscoveredPool[];
  /** NUMA nodes, when the host has more than one. */
  numa?: DiscoveredNode[];
  usb: Array<{ ids: string; name: string; bus?: number; device?: number }>;
}

function fn(dev: PciDevice): DiscoveredFunction {
  return {
    address: dev.name,
    ids: pciIds(dev),
    class: pciClassName(dev.class),
    ...(dev.driver ? { driver: dev.driver } : {}),
  };
}

function discoverGpu(facts: HostFacts, dev: PciDevice): DiscoveredGpu {
  const card = facts.pci.filter((d) => sameSlot(d.address, dev.address));
  const gpu: DiscoveredGpu = { ...fn(dev), bootVga: dev.bootVga === true, functions: card.map(fn) };
  if ((facts.numa?.length ?? 0) > 1 && dev.numaNode !== undefined) gpu.numaNode = dev.numaNode;
  // Viability as if the whole card were passed through, which is what a config with this GPU does.
  if (card.every((d) => d.iommuGroup !== undefined)) {
    const v = checkGroups(
      facts,
      card.map((d) => d.address),
    ).find((g) => g.group === dev.iommuGroup);
    if (v) {
      gpu.iommuGroup = {
        id: v.group,
        viable: v.viable,
        members: v.members.map((m) => ({ ...fn(m.device), role: m.role })),
        offenders: v.offenders.map((d) => `${describeDevice(d)} on ${d.driver}`),
      };
    }
  }
  return gpu;
}

function discoverCpu(facts: HostFacts): DiscoveredCpu {
  const t = facts.cpu;
  const cpu: DiscoveredCpu = {
    logicalCpus: t.cpus.length,
    cores: t.cores.length,
    threadsPerCore: Math.max(0, ...t.cores.map((c) => c.cpus.length)),
    hybrid: t.hybrid,
    coreList: t.cores.map((c) => ({
      cpus: formatCpuList(c.cpus),
      ...(c.l3 !== undefined ? { l3: c.l3 } : {}),
      ...(c.kind ? { kind: c.kind } : {}),
    })),
    l3Groups: t.l3Groups.map(formatCpuList),
  };
  if (facts.cpuInfo.modelName) cpu.model = facts.cpuInfo.modelName;
  return cpu;
}

function discoverPools(facts: HostFacts): DiscoveredPool[] {
  return facts.memory.pools.map((p) => ({
    size: formatPageSize(p.sizeKiB),
    sizeKiB: p.sizeKiB,
    total: p.total,
    free: availablePages(p),
    reserved: p.reserved,
    mounts: facts.mounts
      .filter(
        (m) =>
          m.fstype === 'hugetlbfs' && (hugetlbfsPageKiB(m) ?? facts.memory.defaultHugepageKiB) === p.sizeKiB,
      )
      .map((m) => m.target),
  }));
}

export function discover(facts: HostFacts): Discovery {
  const d: Discovery = {
    iommu: facts.iommuGroups.length > 0,
    // A card's display function is function 0; other display-class functions belong to the same card.
    gpus: facts.pci.filter((p) => isDisplay(p) && p.address.function === 0).map((p) => discoverGpu(facts, p)),
    cpu: discoverCpu(facts),
    hugepages: discoverPools(facts),
    usb: facts.usb
      .filter((u) => !u.rootHub)
      .map((u) => ({
        ids: usbIds(u),
        name: [u.manufacturer, u.productName].filter((s) => s !== undefined).join(' ') || u.name,
        ...(u.busnum !== undefined ? { bus: u.busnum } : {}),
        ...(u.devnum !== undefined ? { device: u.devnum } : {}),
      })),
  };
  if (facts.memory.totalKiB !== undefined) d.memoryMiB = Math.floor(facts.memory.totalKiB / 1024);
  if ((facts.numa?.length ?? 0) > 1) d.numa = (facts.numa ?? []).map(discoverNode);
  return d;
}

function discoverNode(n: NumaNode): DiscoveredNode {
  return {
    node: n.id,
    cpus: formatCpuList(n.cpus),
    ...(n.totalKiB !== undefined ? { memoryMiB: Math.floor(n.totalKiB / 1024) } : {}),
    hugepages: n.pools.map((p) => ({ size: formatPageSize(p.sizeKiB), total: p.total, free: p.free })),
  };
}

function numaText(nodes: DiscoveredNode[]): string[] {
  return [
    '',
    'NUMA nodes:',
    ...nodes.map(
      (n) =>
        `  node ${n.node}: CPUs ${n.cpus}, ${n.memoryMiB ?? '?'} MiB; hugepages ` +
        (n.hugepages.map((p) => `${p.size} ${p.free}/${p.total} free`).join(', ') || 'none'),
    ),
  ];
}

function gpuText(g: DiscoveredGpu): string[] {
  const node = g.numaNode !== undefined ? `  (NUMA node ${g.numaNode})` : '';
  const lines = [`  ${g.address}  ${g.class} [${g.ids}]${g.bootVga ? '  (boot GPU)' : ''}${node}`];
  for (const f of g.functions)
    lines.push(`    function ${f.address.slice(-1)}: ${f.class} [${f.ids}]  driver: ${f.driver ?? 'none'}`);
  const grp = g.iommuGroup;
  if (!grp) lines.push('    IOMMU group: none (IOMMU off)');
  else {
    lines.push(`    IOMMU group ${grp.id}: ${grp.viable ? 'viable' : 'NOT viable'}`);
    for (const m of grp.members)
      lines.push(`      ${m.address}  ${m.class} [${m.ids}]  ${m.driver ?? 'no driver'}  (${m.role})`);
  }
  return lines;
}

export function formatDiscoveryText(d: Discovery): string {
  const lines: string[] = [`IOMMU: ${d.iommu ? 'on' : 'off'}`, '', 'GPUs:'];
  if (d.gpus.length === 0) lines.push('  none');
  for (const g of d.gpus) lines.push(...gpuText(g));
  const c = d.cpu;
  lines.push(
    '',
    `CPU: ${c.model ?? 'unknown model'}: ${c.cores} cores, ${c.logicalCpus} threads${c.hybrid ? ' (hybrid: P- and E-cores)' : ''}`,
  );
  lines.push(`  L3 groups: ${c.l3Groups.join(' | ') || 'unknown'}`);
  lines.push(
    `  cores (thread siblings): ${c.coreList.map((k) => k.cpus + (k.kind ? (k.kind === 'performance' ? 'P' : 'E') : '')).join(' ')}`,
  );
  lines.push(
    '',
    `Memory: ${d.memoryMiB !== undefined ? `${d.memoryMiB} MiB` : 'unknown'}`,
    'Hugepage pools:',
  );
  for (const p of d.hugepages)
    lines.push(
      `  ${p.size}: ${p.total} allocated, ${p.free} free${p.mounts.length > 0 ? `, mounted at ${p.mounts.join(', ')}` : ', not mounted'}`,
    );
  if (d.hugepages.length === 0) lines.push('  none');
  if (d.numa) lines.push(...numaText(d.numa));
  lines.push('', 'USB devices:');
  for (const u of d.usb) lines.push(`  ${u.ids}  ${u.name}`);
  if (d.usb.length === 0) lines.push('  none');
  return lines.join('\n') + '\n';
}
