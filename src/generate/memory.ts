/** Guest RAM and its backing (`<memory>`, `<currentMemory>`, `<memoryBacking>`). */
import type { Domain, DomainMemoryBacking } from '../domain/model.js';
import type { ResolvedVm } from '../config/resolved.js';
import type { HugepagePlan } from './context.js';

export function memoryElements(vm: ResolvedVm, hugepages?: HugepagePlan): Partial<Domain> {
  // The size chosen on the host (placement.ts), else the config's, else libvirt's default.
  const sizeKiB = vm.hugepages ? (hugepages?.sizeKiB ?? vm.hugepages.sizeKiB) : undefined;
  return {
    memory: { unit: 'MiB', value: vm.memoryMiB },
    currentMemory: { unit: 'MiB', value: vm.memoryMiB },
    ...(vm.hugepages ? { memoryBacking: hugepageBacking(sizeKiB) } : {}),
  };
}

function hugepageBacking(sizeKiB: number | undefined): DomainMemoryBacking {
  return {
    hugepages: sizeKiB ? { page: [{ size: sizeKiB, unit: 'KiB' }] } : {},
    // KSM would scan pages VFIO has pinned anyway: turn it off for this guest.
    nosharepages: {},
  };
}
