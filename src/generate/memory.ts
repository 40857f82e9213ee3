/** Guest RAM and its backing (`<memory>`, `<currentMemory>`, `<memoryBacking>`). */
import type { Domain, DomainMemoryBacking } from '../domain/model.js';
import type { ResolvedVm } from '../config/resolved.js';

export function memoryElements(vm: ResolvedVm): Partial<Domain> {
  return {
    memory: { unit: 'MiB', value: vm.memoryMiB },
    currentMemory: { unit: 'MiB', value: vm.memoryMiB },
    ...(vm.hugepages ? { memoryBacking: hugepageBacking(vm.hugepages.sizeKiB) } : {}),
  };
}

function hugepageBacking(sizeKiB: number | undefined): DomainMemoryBacking {
  return {
    hugepages: sizeKiB ? { page: [{ size: sizeKiB, unit: 'KiB' }] } : {},
    // KSM would scan pages VFIO has pinned anyway: turn it off for this guest.
    nosharepages: {},
  };
}
