/**
 * Hypervisor features, clock and power management: what Windows and GPU drivers look for.
 */
import type { Domain, DomainClock, DomainFeatureHyperV, DomainFeatures } from '../domain/model.js';
import type { ResolvedHyperv, ResolvedVm } from '../config/resolved.js';

export function featureElements(vm: ResolvedVm): Partial<Domain> {
  return {
    features: features(vm),
    clock: clock(vm),
    on_poweroff: { value: 'destroy' },
    on_reboot: { value: 'restart' },
    on_crash: { value: 'destroy' },
    // Guest S3/S4 with a passed-through GPU rarely wakes up again.
    pm: { 'suspend-to-mem': { enabled: false }, 'suspend-to-disk': { enabled: false } },
  };
}

function features(vm: ResolvedVm): DomainFeatures {
  return {
    acpi: {},
    apic: {},
    ...(vm.hyperv ? { hyperv: hyperv(vm.hyperv) } : {}),
    ...(vm.kvmHidden ? { kvm: { hidden: { state: true } } } : {}),
    vmport: { state: false },
    // Secure Boot firmware runs its variable store in SMM: OVMF's secure builds refuse to start without it.
    ...(vm.secureBoot ? { smm: { state: true } } : {}),
    // Guards against pc-q35-4.0's split irqchip, which broke NVIDIA drivers; the default elsewhere.
    ioapic: { driver: 'kvm' },
  };
}

function hyperv(h: ResolvedHyperv): DomainFeatureHyperV {
  const on = { state: true };
  const has = (f: Parameters<ResolvedHyperv['features']['has']>[0]): boolean => h.features.has(f);
  return {
    mode: 'custom',
    ...(has('relaxed') ? { relaxed: on } : {}),
    ...(has('vapic') ? { vapic: on } : {}),
    ...(has('spinlocks') ? { spinlocks: { state: true, retries: h.spinlocks } } : {}),
    ...(has('vpindex') ? { vpindex: on } : {}),
    ...(has('runtime') ? { runtime: on } : {}),
    ...(has('synic') ? { synic: on } : {}),
    ...(has('stimer') ? { stimer: { state: true, direct: on } } : {}),
    ...(has('reset') ? { reset: on } : {}),
    ...(h.vendorId !== undefined ? { vendor_id: { state: true, value: h.vendorId } } : {}),
    ...(has('frequencies') ? { frequencies: on } : {}),
    ...(has('reenlightenment') ? { reenlightenment: on } : {}),
    ...(has('tlbflush') ? { tlbflush: on } : {}),
    ...(has('ipi') ? { ipi: on } : {}),
    ...(has('evmcs') ? { evmcs: on } : {}),
    ...(has('avic') ? { avic: on } : {}),
  };
}

function clock(vm: ResolvedVm): DomainClock {
  const hypervClock = vm.hyperv && vm.hyperv.features.has('time');
  return {
    offset: vm.clock,
    timer: [
      { name: 'rtc', tickpolicy: 'catchup' },
      { name: 'pit', tickpolicy: 'delay' },
      // HPET is slow to read; Windows uses the Hyper-V clock (or the TSC) instead.
      { name: 'hpet', present: false },
      ...(hypervClock ? [{ name: 'hypervclock', present: true }] : []),
    ],
  };
}
