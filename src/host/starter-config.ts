/**
 * A starter config from what `discover` found: the GPU to pass through, a guest CPU that `pin: 'auto'`
 * can place on whole cores in one L3 cache, memory and hugepages the host can give. Every choice is
 * explained in a comment, so the user can review it before the first `define`.
 */
import { formatPciAddress } from '../domain/address.js';
import { formatCpuList } from './cpulist.js';
import type { HostFacts } from './facts.js';
import { checkGroups } from './iommu.js';
import { availablePages } from './memory.js';
import { isDisplay, pciIds, sameSlot, type PciDevice } from './pci.js';
import { autoPin, type PinPlan } from './pinning.js';
import { usbIds } from './usb.js';

export interface StarterChoices {
  name: string;
  gpu?: { device: PciDevice; functions: PciDevice[]; group?: number; viable: boolean };
  cpu?: { cores: number; threads: number; plan: PinPlan };
  memoryMiB: number;
  hugepages?: '2M' | '1G';
}

function cardOf(facts: HostFacts, dev: PciDevice): PciDevice[] {
  return facts.pci.filter((d) => sameSlot(d.address, dev.address));
}

function viable(facts: HostFacts, card: PciDevice[]): boolean {
  if (card.some((d) => d.iommuGroup === undefined)) return false;
  return checkGroups(
    facts,
    card.map((d) => d.address),
  ).every((v) => v.viable);
}

/** The GPU a user most likely passes through: not the boot GPU, a viable group, vfio-pci first. */
function chooseGpu(facts: HostFacts): StarterChoices['gpu'] {
  const gpus = facts.pci.filter((d) => isDisplay(d) && d.address.function === 0);
  const score = (d: PciDevice): number =>
    (d.bootVga ? 0 : 4) + (viable(facts, cardOf(facts, d)) ? 2 : 0) + (d.driver === 'vfio-pci' ? 1 : 0);
  const best = [...gpus].sort((a, b) => score(b) - score(a))[0];
  if (!best) return undefined;
  const functions = cardOf(facts, best);
  return {
    device: best,
    functions,
    ...(best.iommuGroup !== undefined ? { group: best.iommuGroup } : {}),
    viable: viable(facts, functions),
  };
}

/** The most cores `autoPin` places in one L3 group without mixing P- and E-cores. */
function chooseCpu(facts: HostFacts): StarterChoices['cpu'] {
  const threads = Math.max(
    1,
    ...facts.cpu.cores.filter((c) => c.kind !== 'efficiency').map((c) => c.cpus.length),
  );
  const byId = new Map(facts.cpu.cpus.map((c) => [c.id, c]));
  for (let cores = facts.cpu.cores.length; cores >= 1; cores--) {
    let plan: PinPlan;
    try {
      plan = autoPin(facts.cpu, { cores, threads });
    } catch {
      continue;
    }
    const used = plan.vcpus.map((id) => byId.get(id));
    if (new Set(used.map((c) => c?.l3)).size <= 1 && new Set(used.map((c) => c?.kind)).size <= 1) {
      return { cores, threads, plan };
    }
  }
  return undefined;
}

/**
 * Half the host's RAM in whole GiB, between 4 and 32 GiB; but when the host has set aside a hugepage
 * pool of at least 2 GiB (most likely for this VM), as much of it as fits, on those pages.
 */
function chooseMemory(facts: HostFacts): Pick<StarterChoices, 'memoryMiB' | 'hugepages'> {
  const totalMiB = facts.memory.totalKiB !== undefined ? facts.memory.totalKiB / 1024 : 16384;
  const halfMiB = Math.min(32, Math.max(4, Math.floor(totalMiB / 2 / 1024))) * 1024;
  for (const [size, kib] of [
    ['1G', 1048576],
    ['2M', 2048],
  ] as const) {
    const pool = facts.memory.pools.find((p) => p.sizeKiB === kib);
    const poolMiB = pool ? (availablePages(pool) * kib) / 1024 : 0;
    if (poolMiB >= 2048) return { memoryMiB: Math.min(halfMiB, poolMiB), hugepages: size };
  }
  return { memoryMiB: halfMiB };
}

export function starterChoices(facts: HostFacts, name = 'win-gaming'): StarterChoices {
  const gpu = chooseGpu(facts);
  const cpu = chooseCpu(facts);
  return { name, ...(gpu ? { gpu } : {}), ...(cpu ? { cpu } : {}), ...chooseMemory(facts) };
}

/** `'02:00.0'` for domain 0, the full form otherwise. */
function shortAddress(dev: PciDevice): string {
  const full = formatPciAddress(dev.address);
  return dev.address.domain === 0 ? full.slice(5) : full;
}

function cpuLines(c: StarterChoices['cpu']): string[] {
  if (!c)
    return ['  cpu: { cores: 2, threads: 1 }, // no CPU topology was read: set the guest topology by hand'];
  const where = formatCpuList(c.plan.vcpus);
  return [
    '  cpu: {',
    `    cores: ${c.cores},`,
    `    threads: ${c.threads},`,
    `    // vCPUs on host CPUs ${where} (whole cores, one L3 cache); the host keeps ${formatCpuList(c.plan.hostCpus) || 'no core'}`,
    "    pin: 'auto',",
    '  },',
  ];
}

function gpuLines(g: StarterChoices['gpu']): string[] {
  if (!g) return ["  // gpu: { host: '01:00.0' }, // no GPU was found"];
  const fns = g.functions.map((f) => `${shortAddress(f)} [${pciIds(f)}]`).join(', ');
  const group =
    g.group === undefined
      ? 'no IOMMU group (IOMMU off)'
      : `IOMMU group ${g.group}${g.viable ? '' : ', NOT viable: see virt-gen doctor'}`;
  return [`  // ${fns}; ${group}`, `  gpu: { host: '${shortAddress(g.device)}' },`];
}

function usbLines(facts: HostFacts): string[] {
  const devices = facts.usb.filter((u) => !u.rootHub);
  if (devices.length === 0) return [];
  return [
    '  // USB devices of this host; uncomment the ones to pass through:',
    '  // usb: [',
    ...devices.map(
      (u) => `  //   '${usbIds(u)}', // ${[u.manufacturer, u.productName].filter(Boolean).join(' ')}`,
    ),
    '  // ],',
  ];
}

/** TypeScript source of a config for this host. */
export function starterConfigSource(facts: HostFacts, name = 'win-gaming'): string {
  const c = starterChoices(facts, name);
  const hp = c.hugepages
    ? [`  hugepages: '${c.hugepages}', // from the host's pool of free ${c.hugepages} pages`]
    : [];
  return [
    '// A starter config written by `virt-gen discover --config`: review every value, then',
    '// `virt-gen doctor THIS_FILE` and `virt-gen define THIS_FILE`.',
    "import { defineVm } from 'virt-gen';",
    '',
    'export default defineVm({',
    `  name: '${c.name}',`,
    c.memoryMiB % 1024 === 0 ? `  memory: '${c.memoryMiB / 1024} GiB',` : `  memory: ${c.memoryMiB}, // MiB`,
    ...hp,
    ...cpuLines(c.cpu),
    ...gpuLines(c.gpu),
    '  disks: [',
    `    { path: '/var/lib/libvirt/images/${c.name}.qcow2' },`,
    "    { path: '/var/lib/libvirt/images/windows.iso', device: 'cdrom' },",
    '  ],',
    ...usbLines(facts),
    '});',
    '',
  ].join('\n');
}
