/**
 * domain -> config for the emulator and architecture, memory, vCPUs and pinning, Hyper-V and
 * firmware (the reverse of src/generate/cpu.ts, memory.ts, features.ts, firmware.ts).
 */
import { DEFAULTS } from '../../config/defaults.js';
import { CPU_MODEL_RE, MIGRATABLE_MODES, MIN_MEMORY_MIB } from '../../config/fields/machine.js';
import {
  GUEST_ARCHES,
  HYPERV_FEATURES,
  HYPERV_REQUIRES,
  archOfEmulator,
  hugepageSizeOfKiB,
  isOneOf,
  type HypervFeature,
} from '../../config/vocabulary.js';
import type { Domain } from '../../domain/model.js';
import type { CpuConfig, HypervConfig, MemoryBackingConfig, VmConfig } from '../../config/types.js';
import { numaCells } from './numa.js';

/** The binary that runs a 32-bit x86 guest, as `virsh capabilities` names it on Debian, Fedora and Arch. */
const I686_EMULATOR = '/usr/bin/qemu-system-i386';

/**
 * The config's `emulator`, which also says the guest architecture (config/vocabulary.ts,
 * archOfEmulator): the domain's own when it runs the domain's arch, `qemu-system-i386` for an i686
 * guest without one (an imported command line names none), undefined for the default.
 */
export function emulator(domain: Domain, notes: string[]): string | undefined {
  const path = domain.devices?.emulator?.path;
  const arch = domain.os?.type?.arch ?? 'x86_64';
  if (!isOneOf(GUEST_ARCHES, arch)) {
    notes.push(`arch '${arch}': the config makes x86 VMs`);
    return undefined;
  }
  if (path && archOfEmulator(path) === arch) return path === DEFAULTS.emulator ? undefined : path;
  if (path)
    notes.push(`<emulator>${path}</emulator> with arch '${arch}': the config's emulator sets the arch`);
  return arch === 'i686' ? I686_EMULATOR : undefined;
}

/** Guest RAM in MiB, at least the config's 16 MiB (QEMU takes less; no OS boots in it). */
export function memoryMiB(domain: Domain, notes: string[]): number {
  const m = domain.memory;
  if (!m?.value) return 128;
  const mib = m.unit === 'KiB' ? Math.ceil(m.value / 1024) : m.unit === 'GiB' ? m.value * 1024 : m.value;
  if (mib >= MIN_MEMORY_MIB) return mib;
  notes.push(`memory ${mib} MiB: a config's memory is ${MIN_MEMORY_MIB} MiB at least`);
  return MIN_MEMORY_MIB;
}

export function hugepageSize(kib: number | undefined): VmConfig['hugepages'] {
  return hugepageSizeOfKiB(kib) ?? true;
}

/** `<locked>`, `<access mode='shared'>`, `<allocation mode='immediate'>` (hugepages: hugepageSize). */
export function memoryBacking(domain: Domain, notes: string[]): MemoryBackingConfig | undefined {
  const mb = domain.memoryBacking;
  if (!mb) return undefined;
  const found: MemoryBackingConfig = {
    locked: mb.locked !== undefined,
    shared: mb.access?.mode === 'shared',
    preallocate: mb.allocation?.mode === 'immediate',
  };
  if (mb.source?.type) notes.push(`<memoryBacking><source type='${mb.source.type}'>`);
  if (mb.discard) notes.push('<memoryBacking><discard/>');
  if (mb.allocation?.threads !== undefined) notes.push(`<allocation threads='${mb.allocation.threads}'>`);
  const d = DEFAULTS.memoryBacking;
  const config = Object.fromEntries(
    Object.entries(found).filter(([k, v]) => v !== d[k as keyof typeof d]),
  ) as MemoryBackingConfig;
  return Object.keys(config).length ? config : undefined;
}

export function cpu(domain: Domain, notes: string[]): CpuConfig {
  const vcpus = domain.vcpu?.value ?? 1;
  const t = domain.cpu?.topology;
  // Without a topology libvirt gives one socket per vCPU.
  const c: CpuConfig = t
    ? { sockets: t.sockets ?? 1, cores: t.cores ?? 1, threads: t.threads ?? 1 }
    : { sockets: vcpus, cores: 1 };
  const mode = domain.cpu?.mode;
  // The config passes the cache topology through by default; a passthrough CPU without it says so.
  if (mode === 'host-passthrough' && domain.cpu?.cache?.mode !== 'passthrough') c.cachePassthrough = false;
  cpuMode(domain, c, notes);
  // Only what the domain says: without the attribute, the config's default (off) applies.
  if (domain.cpu?.migratable === true) migratable(domain, c, notes);
  const features = domain.cpu?.feature ?? [];
  if (features.length) {
    c.features = Object.fromEntries(
      features.map((f) => [f.name ?? '', (f.policy ?? 'require') as 'require']),
    );
  }
  pinning(domain, c);
  if (domain.vcpu?.cpuset) c.cpuset = domain.vcpu.cpuset;
  const cells = numaCells(domain, notes);
  if (cells) c.numa = cells;
  if (domain.vcpu?.current !== undefined)
    notes.push(`vcpu current='${domain.vcpu.current}' (hot-pluggable vCPUs)`);
  return c;
}

/** `<cpu mode>` and the named model of `custom`; the config's default is host-passthrough. */
function cpuMode(domain: Domain, c: CpuConfig, notes: string[]): void {
  const mode = domain.cpu?.mode;
  const model = domain.cpu?.model?.value;
  if (mode === 'custom' && model && CPU_MODEL_RE.test(model)) {
    c.mode = 'custom';
    c.model = model;
    if (domain.cpu?.model?.fallback === 'allow' || domain.cpu?.match !== 'exact')
      notes.push(`cpu model ${model}: the config asks for it exactly (match='exact', fallback='forbid')`);
  } else if (mode === 'custom') {
    notes.push(
      model
        ? `cpu model ${JSON.stringify(model)}: not a CPU model name the config takes`
        : "cpu mode 'custom' without a model (QEMU's default CPU): the config uses host-passthrough",
    );
  } else if (mode === 'host-model' || mode === 'maximum') c.mode = mode;
  else if (mode && mode !== DEFAULTS.cpu.mode) notes.push(`cpu mode '${mode}'`);
}

/** `migratable='on'`, where the config's mode is the domain's and libvirt takes it (fields/machine.ts). */
function migratable(domain: Domain, c: CpuConfig, notes: string[]): void {
  const mode = domain.cpu?.mode ?? '';
  if ((c.mode ?? DEFAULTS.cpu.mode) !== mode || !MIGRATABLE_MODES.includes(mode)) return;
  if (mode === 'host-passthrough' && domain.os?.type?.arch === 'i686')
    notes.push("cpu migratable='on' on a 32-bit guest: libvirt takes it with mode 'maximum' only");
  else c.migratable = true;
}

/** `<cputune>` pins, as the config's per-vCPU list and emulator/iothread cpusets. */
function pinning(domain: Domain, c: CpuConfig): void {
  const tune = domain.cputune;
  const vcpus = domain.vcpu?.value ?? 1;
  const pins = tune?.vcpupin ?? [];
  if (pins.length === vcpus && pins.every((p, i) => p.vcpu === i && p.cpuset)) {
    c.pin = pins.map((p) => p.cpuset ?? '');
  }
  const emulator = tune?.emulatorpin?.cpuset;
  if (emulator) c.emulatorPin = emulator;
  const iothread = tune?.iothreadpin?.[0]?.cpuset;
  if (iothread && iothread !== emulator) c.iothreadPin = iothread;
}

export function hyperv(domain: Domain, notes: string[]): HypervConfig | 'passthrough' | false {
  const hv = domain.features?.hyperv;
  if (hv?.mode === 'passthrough') return 'passthrough';
  const time = domain.clock?.timer?.some((t) => t.name === 'hypervclock' && t.present !== false);
  if (!hv && !time) return false;
  // `time` is the Hyper-V clock timer; every other name is an element of <hyperv>.
  const present = (f: HypervFeature): boolean =>
    f === 'time' ? time === true : (hv?.[f] as { state?: boolean } | undefined)?.state === true;
  const config: HypervConfig = { features: startable(HYPERV_FEATURES.filter(present), notes) };
  if (hv?.spinlocks?.retries !== undefined) config.spinlocks = hv.spinlocks.retries;
  if (hv?.vendor_id?.value) config.vendorId = hv.vendor_id.value;
  return config;
}

/**
 * The enlightenments QEMU starts with: one whose requirements are missing (stimer without the
 * Hyper-V clock) is left out with a note, as the config would refuse it (and QEMU with it).
 */
function startable(features: HypervFeature[], notes: string[]): HypervFeature[] {
  let kept = features;
  for (;;) {
    const broken = kept.find((f) => (HYPERV_REQUIRES[f] ?? []).some((r) => !kept.includes(r)));
    if (!broken) return kept;
    const missing = (HYPERV_REQUIRES[broken] ?? []).filter((r) => !kept.includes(r));
    notes.push(
      `Hyper-V ${broken} without ${missing.join(', ')}: QEMU refuses it, so the config leaves it out`,
    );
    kept = kept.filter((f) => f !== broken);
  }
}

export function firmware(domain: Domain): VmConfig['firmware'] {
  const loader = domain.os?.loader;
  // `<os firmware='efi'>` (virt-install, virt-manager): libvirt picks OVMF, as the config's 'efi' asks.
  if (domain.os?.firmware === 'efi' && (!loader?.path || loader.type !== 'pflash')) return 'efi';
  if (!loader?.path || loader.type !== 'pflash') return 'bios';
  const nvram = domain.os?.nvram;
  return {
    loader: loader.path,
    ...(nvram?.template ? { varsTemplate: nvram.template } : {}),
    ...(nvram?.path ? { nvram: nvram.path } : {}),
  };
}
