/**
 * Where the guest runs on the host: vCPU pins, the NUMA nodes they use, guest NUMA cells, and the
 * hugepage pools its memory comes from. Decided once here so that `<cputune>`, `<numatune>`,
 * `<cpu><numa>`, `<memoryBacking>` and the runtime plan cannot disagree.
 */
import type { ResolvedVm } from '../config/resolved.js';
import { type GenerateContext, type GenerateNote, type HugepagePlan, type PinPlan } from './context.js';

export interface GuestCell {
  id: number;
  /** Guest vCPU numbers of the cell. */
  vcpus: number[];
  memoryMiB: number;
  /** The host node backing it (none for cells written by hand in the config). */
  node?: number;
}

export interface Placement {
  pins?: PinPlan;
  /** Host NUMA nodes the vCPUs use, sorted; empty when the host has one node or is not known. */
  nodes: number[];
  /** Guest NUMA cells (`cpu.numa` as a list, or `'spread'` on a guest that spans nodes). */
  cells: GuestCell[];
  /** The host pools `hugepages` resolved to (only when the host is known). */
  hugepages?: HugepagePlan;
  notes: GenerateNote[];
}

export function placeVm(vm: ResolvedVm, ctx: GenerateContext): Placement {
  const notes: GenerateNote[] = [];
  const pins = pinPlan(vm, ctx, notes);
  const multiNode = (ctx.hostNodes?.length ?? 0) > 1;
  const vcpuNodes = multiNode ? pins?.vcpuNodes : undefined;
  const nodes = vcpuNodes ? [...new Set(vcpuNodes)].sort((a, b) => a - b) : [];
  const cells = guestCells(vm, vcpuNodes, notes);
  const hugepages = hugepagePlan(vm, ctx, nodes, cells, vcpuNodes);
  if (hugepages) notes.push(...hugepages.notes);
  return { ...(pins ? { pins } : {}), nodes, cells, ...(hugepages ? { hugepages } : {}), notes };
}

function pinPlan(vm: ResolvedVm, ctx: GenerateContext, notes: GenerateNote[]): PinPlan | undefined {
  const { pin } = vm.cpu;
  let plan: PinPlan | undefined;
  if (pin === 'auto') {
    // Offline (`virt-gen xml` without --root) there is no host to pin to: the pins are chosen when
    // the VM is defined on its host, so the offline XML is the same on every machine.
    const gpu = vm.gpus[0];
    const node = gpu ? ctx.deviceNode?.(gpu.address) : undefined;
    plan = ctx.autoPin?.(vm.cpu, node);
    for (const message of plan?.warnings ?? []) notes.push({ level: 'warning', field: 'cpu.pin', message });
  } else if (pin) {
    plan = { vcpus: pin };
  }
  if (!plan && !vm.cpu.emulatorPin) return undefined;
  // Explicit emulator/iothread pins in the config win over derived ones.
  const emulator = vm.cpu.emulatorPin ?? plan?.emulator;
  const iothread = vm.cpu.iothreadPin ?? plan?.iothread;
  return {
    vcpus: plan?.vcpus ?? [],
    ...(emulator ? { emulator } : {}),
    ...(iothread ? { iothread } : {}),
    ...(plan?.vcpuNodes ? { vcpuNodes: plan.vcpuNodes } : {}),
  };
}

/**
 * The config's own cells, as written; else, with `cpu.numa: 'spread'`, one guest cell per host node,
 * memory shared by vCPU count (2 MiB steps).
 */
function guestCells(vm: ResolvedVm, vcpuNodes: number[] | undefined, notes: GenerateNote[]): GuestCell[] {
  if (vm.cpu.cells) return vm.cpu.cells.map((c, id) => ({ id, vcpus: c.vcpus, memoryMiB: c.memoryMiB }));
  const spanned = vcpuNodes ? [...new Set(vcpuNodes)] : [];
  if (vm.cpu.numa !== 'spread') return [];
  if (spanned.length < 2) {
    const where = spanned.length === 1 ? `: the guest fits on node ${spanned[0]}` : ' on this host';
    notes.push({ level: 'info', field: 'cpu.numa', message: `'spread' has nothing to spread${where}` });
    return [];
  }
  const nodesInOrder = spanned;
  const total = vm.memoryMiB;
  let given = 0;
  return nodesInOrder.map((node, id) => {
    const vcpus = (vcpuNodes as number[]).flatMap((n, v) => (n === node ? [v] : []));
    const last = id === nodesInOrder.length - 1;
    const share = Math.floor((total * vcpus.length) / vm.cpu.vcpus / 2) * 2;
    const memoryMiB = last ? total - given : share;
    given += memoryMiB;
    return { id, vcpus, memoryMiB, node };
  });
}

function hugepagePlan(
  vm: ResolvedVm,
  ctx: GenerateContext,
  nodes: number[],
  cells: GuestCell[],
  vcpuNodes: number[] | undefined,
): HugepagePlan | undefined {
  if (vm.hugepages === false || !ctx.hugepages) return undefined;
  let perNode: Array<{ node: number; memoryMiB: number }> | undefined;
  const bound = cells.flatMap((c) =>
    c.node === undefined ? [] : [{ node: c.node, memoryMiB: c.memoryMiB }],
  );
  if (bound.length > 0) perNode = bound;
  else if (nodes.length === 1) perNode = [{ node: nodes[0] as number, memoryMiB: vm.memoryMiB }];
  else if (nodes.length > 1 && vcpuNodes) {
    // One guest node over several host nodes: the kernel places pages near the vCPU that touches them.
    perNode = spreadByVcpus(vm.memoryMiB, nodes, vcpuNodes);
  }
  return ctx.hugepages({
    memoryMiB: vm.memoryMiB,
    ...(vm.hugepages.sizeKiB !== undefined ? { sizeKiB: vm.hugepages.sizeKiB } : {}),
    ...(perNode ? { perNode } : {}),
    allocateAtStart: vm.runtime !== false && vm.runtime.allocateHugepages,
  });
}

function spreadByVcpus(memoryMiB: number, nodes: number[], vcpuNodes: number[]) {
  let given = 0;
  return nodes.map((node, i) => {
    const count = vcpuNodes.filter((n) => n === node).length;
    const share =
      i === nodes.length - 1 ? memoryMiB - given : Math.floor((memoryMiB * count) / vcpuNodes.length / 2) * 2;
    given += share;
    return { node, memoryMiB: share };
  });
}
