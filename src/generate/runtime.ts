/**
 * The runtime plan for virt-gen's libvirt hook (`runtime` in the config), as a `<metadata>` element
 * (hook/plan.ts). Concrete numbers only: the hook acts on what is written here and reads nothing
 * of the config, so the plan is complete or the part is left out with a note saying why.
 */
import type { ResolvedVm } from '../config/resolved.js';
import { formatCpuList, parseCpuList } from '../host/cpulist.js';
import { runtimePlanElement, type RuntimePlan } from '../hook/plan.js';
import type { XmlElement } from '../domain/xml-node.js';
import type { GenerateContext, GenerateNote } from './context.js';
import type { Placement } from './placement.js';

const ON_HOST = 'is decided on the VM host (define, or xml --root)';

export function runtimePlan(
  vm: ResolvedVm,
  ctx: GenerateContext,
  place: Placement,
  notes: GenerateNote[],
): XmlElement | undefined {
  const runtime = vm.runtime;
  if (!runtime) return undefined;
  const plan: RuntimePlan = {};
  // Pinned vCPUs, else the cpuset every vCPU runs in (`cpu.cpuset`).
  const pinned = place.pins?.vcpus.length ? place.pins.vcpus.flatMap((s) => parseCpuList(s)) : undefined;
  const guestCpus = pinned ?? (vm.cpu.cpuset ? parseCpuList(vm.cpu.cpuset) : undefined);
  if (runtime.allocateHugepages) {
    const sizeKiB = place.hugepages?.sizeKiB ?? (vm.hugepages ? vm.hugepages.sizeKiB : undefined);
    if (sizeKiB === undefined) {
      notes.push({
        level: 'warning',
        field: 'runtime.allocateHugepages',
        message: `the page size ${ON_HOST}`,
      });
    } else {
      const pages = place.hugepages?.pages ?? [{ count: Math.ceil((vm.memoryMiB * 1024) / sizeKiB) }];
      plan.hugepages = { sizeKiB, pages };
    }
  }
  if (runtime.isolateCpus) {
    if (!guestCpus || !ctx.onlineCpus) {
      notes.push({
        level: 'warning',
        field: 'runtime.isolateCpus',
        message: `the host's CPUs are read on the host: ${ON_HOST}`,
      });
    } else {
      const taken = new Set(guestCpus);
      const hostCpus = ctx.onlineCpus.filter((c) => !taken.has(c));
      if (hostCpus.length === 0) {
        notes.push({
          level: 'warning',
          field: 'runtime.isolateCpus',
          message:
            'the vCPUs use every host CPU: nothing is left for the host, so nothing is isolated (cpu.hostCores ≥ 1)',
        });
      } else plan.isolate = { hostCpus: formatCpuList(hostCpus) };
    }
  }
  if (runtime.governor) {
    plan.governor = { name: runtime.governor, ...(guestCpus ? { cpus: formatCpuList(guestCpus) } : {}) };
  }
  return runtimePlanElement(plan);
}
