/**
 * Hypervisor features, clock and power management: what Windows and GPU drivers look for.
 * Reversed by src/import/to-config/machine.ts (Hyper-V) and clock-power.ts (clock, timers, `<pm>`, `<on_reboot>`).
 */
import type { Domain, DomainClock, DomainFeatureHyperV, DomainFeatures } from '../domain/model.js';
import type { ResolvedHyperv, ResolvedVm } from '../config/resolved.js';
import type { HypervFeature } from '../config/vocabulary.js';

export function featureElements(vm: ResolvedVm): Partial<Domain> {
  return {
    features: features(vm),
    clock: clock(vm),
    on_poweroff: { value: 'destroy' },
    on_reboot: { value: vm.onReboot },
    on_crash: { value: 'destroy' },
    pm: { 'suspend-to-mem': { enabled: vm.suspend.s3 }, 'suspend-to-disk': { enabled: vm.suspend.s4 } },
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
  // libvirt's schema takes no element under mode='passthrough': QEMU's hv-passthrough sets them all.
  if (h.mode === 'passthrough') return { mode: 'passthrough' };
  const on = { state: true };
  const has = (f: HypervFeature): boolean => h.features.has(f);
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
  // hv-passthrough turns the Hyper-V clock on with the rest: no timer to add.
  const hypervClock = vm.hyperv && vm.hyperv.mode === 'custom' && vm.hyperv.features.has('time');
  return {
    offset: vm.clock.offset,
    timer: [
      { name: 'rtc', tickpolicy: 'catchup' },
      { name: 'pit', tickpolicy: vm.clock.pit },
      // HPET is slow to read; by default Windows uses the Hyper-V clock (or the TSC) instead.
      { name: 'hpet', present: vm.clock.hpet },
      ...(hypervClock ? [{ name: 'hypervclock', present: true }] : []),
    ],
  };
}
