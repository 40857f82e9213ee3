/** `<features>`, `<cpu>`, `<clock>` and `<pm>`: what the guest's platform and processor look like. */
import { attr, child, int, list, onOff, oneOf, shape, text, yesNo, type Infer } from '../schema.js';
import { Empty, Enabled, FeatureState } from './common.js';

export const DomainFeatureHyperV = shape({
  mode: attr(oneOf('custom', 'passthrough', 'host-model')),
  relaxed: child(FeatureState),
  vapic: child(FeatureState),
  spinlocks: child(shape({ state: attr(onOff), retries: attr(int) })),
  vpindex: child(FeatureState),
  runtime: child(FeatureState),
  synic: child(FeatureState),
  stimer: child(shape({ state: attr(onOff), direct: child(FeatureState) })),
  reset: child(FeatureState),
  vendor_id: child(shape({ state: attr(onOff), value: attr() })),
  frequencies: child(FeatureState),
  reenlightenment: child(FeatureState),
  tlbflush: child(FeatureState),
  ipi: child(FeatureState),
  evmcs: child(FeatureState),
  avic: child(FeatureState),
});
export type DomainFeatureHyperV = Infer<typeof DomainFeatureHyperV>;

export const DomainFeatureKVM = shape({
  hidden: child(FeatureState),
  'hint-dedicated': child(FeatureState),
  'poll-control': child(FeatureState),
  'pv-ipi': child(FeatureState),
  /** The dirty ring KVM tracks guest writes in (`-accel kvm,dirty-ring-size=`), in entries. */
  'dirty-ring': child(shape({ state: attr(onOff), size: attr(int) })),
});

export const DomainFeatures = shape({
  acpi: child(Empty),
  apic: child(shape({ eoi: attr(onOff) })),
  pae: child(Empty),
  hyperv: child(DomainFeatureHyperV),
  kvm: child(DomainFeatureKVM),
  /** Paravirtual spinlocks: QEMU's `kvm_pv_unhalt`. */
  pvspinlock: child(FeatureState),
  pmu: child(FeatureState),
  vmport: child(FeatureState),
  smm: child(FeatureState),
  ioapic: child(shape({ driver: attr(oneOf('kvm', 'qemu')) })),
});
export type DomainFeatures = Infer<typeof DomainFeatures>;

export const DomainCPU = shape({
  mode: attr(oneOf('custom', 'host-model', 'host-passthrough', 'maximum')),
  check: attr(oneOf('none', 'partial', 'full')),
  migratable: attr(onOff),
  match: attr(),
  /** `vendor_id`: the 12-character CPUID vendor the guest sees (QEMU's `-cpu …,vendor=`). */
  model: child(shape({ fallback: attr(), vendor_id: attr(), value: text() })),
  vendor: child(shape({ value: text() })),
  topology: child(
    shape({
      sockets: attr(int),
      dies: attr(int),
      /** libvirt 10.1 and later (QEMU's `-smp clusters=`). */
      clusters: attr(int),
      cores: attr(int),
      threads: attr(int),
    }),
  ),
  cache: child(shape({ level: attr(int), mode: attr() })),
  feature: list(shape({ policy: attr(), name: attr() })),
  /** Guest NUMA cells: which vCPUs and how much memory each guest node has. */
  numa: child(
    shape({
      cell: list(shape({ id: attr(int), cpus: attr(), memory: attr(int), unit: attr(), memAccess: attr() })),
    }),
  ),
});
export type DomainCPU = Infer<typeof DomainCPU>;

export const DomainTimer = shape({
  name: attr(),
  tickpolicy: attr(),
  track: attr(),
  present: attr(yesNo),
  mode: attr(),
});
export const DomainClock = shape({
  offset: attr(oneOf('utc', 'localtime', 'timezone', 'variable', 'absolute')),
  timer: list(DomainTimer),
});
export type DomainClock = Infer<typeof DomainClock>;

export const DomainPM = shape({
  'suspend-to-mem': child(Enabled),
  'suspend-to-disk': child(Enabled),
});
