/**
 * vCPUs, CPU model and topology, pinning and NUMA (`<vcpu>`, `<cpu>`, `<cputune>`, `<numatune>`,
 * `<iothreads>`), from the placement decided in placement.ts.
 */
import type { Domain, DomainCPU, DomainCPUTune } from '../domain/model.js';
import type { ResolvedVm } from '../config/resolved.js';
import { formatCpuList } from '../host/cpulist.js';
import type { GenerateContext, PinPlan } from './context.js';
import type { GuestCell, Placement } from './placement.js';

export function cpuElements(vm: ResolvedVm, ctx: GenerateContext, place: Placement): Partial<Domain> {
  const pins = place.pins;
  return {
    vcpu: { placement: 'static', ...(vm.cpu.cpuset ? { cpuset: vm.cpu.cpuset } : {}), value: vm.cpu.vcpus },
    ...(vm.iothreads > 0 ? { iothreads: { value: vm.iothreads } } : {}),
    ...(pins ? { cputune: cputune(vm, pins) } : {}),
    ...numatune(place),
    cpu: cpuModel(vm, ctx, place.cells),
  };
}

/** Guest memory on the vCPUs' host nodes: strict, so the kernel never silently uses a far node. */
function numatune(place: Placement): Pick<Domain, 'numatune'> {
  if (place.nodes.length === 0) return {};
  // Cells written by hand have no host node: their memory follows the guest's as a whole.
  const memnodes = place.cells.flatMap((c) =>
    c.node === undefined ? [] : [{ cellid: c.id, mode: 'strict', nodeset: String(c.node) }],
  );
  return {
    numatune: {
      memory: { mode: 'strict', nodeset: formatCpuList(place.nodes) },
      ...(memnodes.length ? { memnode: memnodes } : {}),
    },
  };
}

function cputune(vm: ResolvedVm, pins: PinPlan): DomainCPUTune {
  const iothreadpin =
    pins.iothread && vm.iothreads > 0
      ? Array.from({ length: vm.iothreads }, (_, i) => ({ iothread: i + 1, cpuset: pins.iothread }))
      : undefined;
  return {
    ...(pins.vcpus.length ? { vcpupin: pins.vcpus.map((cpuset, vcpu) => ({ vcpu, cpuset })) } : {}),
    ...(pins.emulator ? { emulatorpin: { cpuset: pins.emulator } } : {}),
    ...(iothreadpin ? { iothreadpin } : {}),
  };
}

/**
 * QEMU hides AMD's topoext from the guest unless asked, and without it Windows sees no SMT
 * siblings on AMD. `require` fails on Intel, which lacks the flag: only on an AMD host.
 */
function vendorFeatures(vm: ResolvedVm, ctx: GenerateContext): ResolvedVm['cpu']['features'] {
  const amdSmt = ctx.cpuVendor === 'AuthenticAMD' && vm.cpu.threads > 1;
  const named = vm.cpu.features.some((f) => f.name === 'topoext');
  return amdSmt && !named ? [{ name: 'topoext', policy: 'require' }] : [];
}

function cpuModel(vm: ResolvedVm, ctx: GenerateContext, cells: GuestCell[]): DomainCPU {
  const { cpu } = vm;
  const passthrough = cpu.mode === 'host-passthrough';
  const features = [...cpu.features, ...vendorFeatures(vm, ctx)];
  return {
    mode: cpu.mode,
    // A named model: exactly it, or QEMU refuses to start (no silent fallback to another model).
    ...(cpu.model !== undefined ? { match: 'exact' } : {}),
    check: 'none',
    // Off by default (resolveCpu): keeps non-migratable host features (invtsc); a passthrough VM never migrates.
    ...(cpu.migratable !== undefined ? { migratable: cpu.migratable } : {}),
    ...(cpu.model !== undefined ? { model: { fallback: 'forbid', value: cpu.model } } : {}),
    topology: { sockets: cpu.sockets, dies: 1, cores: cpu.cores, threads: cpu.threads },
    ...(cpu.cachePassthrough && passthrough ? { cache: { mode: 'passthrough' } } : {}),
    ...(features.length ? { feature: features.map((f) => ({ policy: f.policy, name: f.name })) } : {}),
    ...(cells.length
      ? {
          numa: {
            cell: cells.map((c) => ({
              id: c.id,
              cpus: formatCpuList(c.vcpus),
              memory: c.memoryMiB,
              unit: 'MiB',
            })),
          },
        }
      : {}),
  };
}
