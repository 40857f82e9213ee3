/** Guest RAM and its backing (`<memory>`, `<currentMemory>`, `<memoryBacking>`: hugepages, locked, shared, preallocated). */
import type { Domain, DomainMemoryBacking } from '../domain/model.js';
import type { ResolvedVm } from '../config/resolved.js';
import type { HugepagePlan } from './context.js';

export function memoryElements(vm: ResolvedVm, hugepages?: HugepagePlan): Partial<Domain> {
  // The size chosen on the host (placement.ts), else the config's, else libvirt's default.
  const sizeKiB = vm.hugepages ? (hugepages?.sizeKiB ?? vm.hugepages.sizeKiB) : undefined;
  return {
    memory: { unit: 'MiB', value: vm.memoryMiB },
    currentMemory: { unit: 'MiB', value: vm.memoryMiB },
    ...memoryBacking(vm, sizeKiB),
  };
}

function memoryBacking(vm: ResolvedVm, sizeKiB: number | undefined): Pick<Partial<Domain>, 'memoryBacking'> {
  const { locked, shared, preallocate } = vm.memoryBacking;
  const backing: DomainMemoryBacking = {
    ...(vm.hugepages ? hugepageBacking(sizeKiB) : {}),
    ...(locked ? { locked: {} } : {}),
    ...(shared ? { access: { mode: 'shared' } } : {}),
    ...(preallocate ? { allocation: { mode: 'immediate' } } : {}),
  };
  return Object.keys(backing).length ? { memoryBacking: backing } : {};
}

function hugepageBacking(sizeKiB: number | undefined): DomainMemoryBacking {
  return {
    hugepages: sizeKiB ? { page: [{ size: sizeKiB, unit: 'KiB' }] } : {},
    // KSM would scan pages VFIO has pinned anyway: turn it off for this guest.
    nosharepages: {},
  };
}
