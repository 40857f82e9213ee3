/**
 * `-cpu` (model, flags, `kvm=off` and the kvm-* hints) and `-smp` (vCPUs and topology).
 * The `hv-*` enlightenments on `-cpu` are handed to hyperv.ts.
 */
import type { DomainCPU } from '../../domain/model.js';
import type { Opt } from '../argv.js';
import type { ImportContext } from '../context.js';
import { maxVcpus } from '../limits.js';
import type { PropEntry, Props } from '../options.js';
import { isHypervFlag, mapHyperv } from './hyperv.js';

/** `kvm-<name>` cpu properties that are `<kvm>` features. */
const KVM_HINTS: Record<string, 'hint-dedicated' | 'poll-control' | 'pv-ipi'> = {
  'kvm-hint-dedicated': 'hint-dedicated',
  'kvm-poll-control': 'poll-control',
  'kvm-pv-ipi': 'pv-ipi',
};

/**
 * QEMU CPU properties that are not CPUID feature flags: libvirt has no `<feature>` for them (those
 * it has an element for are mapped above), so they are reported, never written as features.
 */
const CPU_PROPERTIES = new Set([
  'host-phys-bits',
  'host-phys-bits-limit',
  'phys-bits',
  'check',
  'enforce',
  'tsc-frequency',
  'vendor',
  'model-id',
  'level',
  'xlevel',
  'min-level',
  'min-xlevel',
  'family',
  'stepping',
  'legacy-cache',
  'full-cpuid-auto-level',
  'lbr-fmt',
  'ucode-rev',
  'cpuid-0xb',
  'kvm-no-smi-migration',
]);

/**
 * QEMU takes `_` and `-` alike in feature names; libvirt spells each one way (cpu_map/x86_features.xml
 * of libvirt 9.0): these ten keep underscores, every other name has hyphens.
 */
const UNDERSCORED_FEATURES = new Set([
  'cmp_legacy',
  'ds_cpl',
  'fxsr_opt',
  'lahf_lm',
  'mbm_local',
  'mbm_total',
  'nodeid_msr',
  'perfctr_core',
  'perfctr_nb',
  'tsc_adjust',
]);

function libvirtFeatureName(name: string): string {
  const underscored = name.replace(/-/g, '_');
  return UNDERSCORED_FEATURES.has(underscored) ? underscored : name.replace(/_/g, '-');
}

export function mapCpu(ctx: ImportContext): void {
  for (const opt of ctx.take('-cpu')) mapCpuOption(ctx, opt);
  mapSmp(ctx);
}

function mapCpuOption(ctx: ImportContext, opt: Opt): void {
  const p = ctx.props(opt);
  const model = p.str('model');
  const cpu: DomainCPU = (ctx.domain.cpu ??= {});
  if (model === 'host') cpu.mode = 'host-passthrough';
  else if (model === 'max') cpu.mode = 'maximum';
  else if (model) {
    cpu.mode = 'custom';
    cpu.match = 'exact';
    cpu.model = { fallback: 'forbid', value: model };
  }
  const migratable = p.bool('migratable');
  if (migratable !== undefined && cpu.mode !== 'custom') cpu.migratable = migratable;
  const hyperv: PropEntry[] = [];
  for (const e of p.entries) {
    if (e.key === 'model' || e.key === 'migratable') continue;
    const name = e.key.replace(/^[+-]/, '');
    if (isHypervFlag(name)) hyperv.push(e);
    else cpuFlag(ctx, p, e);
  }
  mapHyperv(ctx, p, hyperv);
  ctx.reportUnused(opt, p);
}

/** A value as on/off: `+x`/bare `x` is on, `-x` is off. */
export function flagState(p: Props, e: PropEntry): boolean {
  if (e.key.startsWith('-')) {
    p.ignore(e.key);
    return false;
  }
  if (e.value === undefined) {
    p.ignore(e.key);
    return true;
  }
  return p.bool(e.key) as boolean;
}

function cpuFlag(ctx: ImportContext, p: Props, e: PropEntry): void {
  const name = libvirtFeatureName(e.key.replace(/^[+-]/, ''));
  const features = (ctx.domain.features ??= {});
  // libvirt writes these two itself, from elements: `<apic eoi>` and `<pvspinlock>`.
  if (name === 'kvm-pv-eoi') {
    features.apic = { ...features.apic, eoi: flagState(p, e) };
    return;
  }
  if (name === 'kvm-pv-unhalt') {
    features.pvspinlock = { state: flagState(p, e) };
    return;
  }
  if (name === 'vendor' && vendorId(ctx, p, e)) return;
  if (name === 'kvm') {
    if (!flagState(p, e)) (features.kvm ??= {}).hidden = { state: true };
    return;
  }
  if (name in KVM_HINTS) {
    (features.kvm ??= {})[KVM_HINTS[name] as 'pv-ipi'] = { state: flagState(p, e) };
    return;
  }
  if (name === 'kvmclock') {
    ((ctx.domain.clock ??= {}).timer ??= []).push({ name: 'kvmclock', present: flagState(p, e) });
    return;
  }
  if (name === 'pmu') {
    features.pmu = { state: flagState(p, e) };
    return;
  }
  if (name === 'l3-cache' || name === 'host-cache-info') {
    if (flagState(p, e))
      (ctx.domain.cpu ??= {}).cache = { mode: name === 'l3-cache' ? 'emulate' : 'passthrough' };
    return;
  }
  if (CPU_PROPERTIES.has(name) || name.startsWith('x-')) return;
  if (/^[a-z0-9][a-z0-9_.-]*$/i.test(name) && (e.value === undefined || isOnOff(e.value))) {
    const on = flagState(p, e);
    ((ctx.domain.cpu ??= {}).feature ??= []).push({ policy: on ? 'require' : 'disable', name });
  }
}

/**
 * `vendor=GenuineIntel` on a named model: the CPUID vendor the guest sees, libvirt's `<model
 * vendor_id>` (12 characters, custom mode only). Elsewhere it is reported, as QEMU's other properties.
 */
function vendorId(ctx: ImportContext, p: Props, e: PropEntry): boolean {
  const model = ctx.domain.cpu?.model;
  const value = typeof e.value === 'string' ? e.value : undefined;
  if (ctx.domain.cpu?.mode !== 'custom' || !model || value === undefined) return false;
  if (!/^[\x21-\x7e]{12}$/.test(value))
    throw p.error(e.key, `expected a 12-character vendor id such as GenuineIntel, found '${value}'`);
  model.vendor_id = value;
  p.ignore(e.key);
  return true;
}

function isOnOff(v: unknown): boolean {
  return typeof v === 'boolean' || /^(on|off|true|false|yes|no)$/i.test(String(v));
}

/** `-smp 8,sockets=1,cores=4,threads=2` -> `<vcpu>` and `<topology>`. */
function mapSmp(ctx: ImportContext): void {
  const opts = ctx.take('-smp');
  const opt = opts[opts.length - 1];
  if (!opt) {
    ctx.domain.vcpu = { placement: 'static', value: 1 };
    pinProcess(ctx);
    return;
  }
  const p = ctx.props(opt);
  const topo = {
    sockets: p.int('sockets'),
    dies: p.int('dies'),
    clusters: p.int('clusters'),
    cores: p.int('cores'),
    threads: p.int('threads'),
  };
  const given = Object.values(topo).some((v) => v !== undefined);
  let cpus = p.int('cpus');
  let max = p.int('maxcpus');
  inferThreads(topo, max ?? cpus);
  const perSocket = (topo.dies ?? 1) * (topo.clusters ?? 1) * (topo.cores ?? 1) * (topo.threads ?? 1);
  if (cpus === undefined && max === undefined) cpus = given ? (topo.sockets ?? 1) * perSocket : 1;
  max ??= cpus as number;
  cpus ??= max;
  if (cpus < 1 || max < cpus)
    throw ctx.error(opt, `expected 1 <= cpus <= maxcpus, found cpus=${cpus}, maxcpus=${max}`);
  const machine = ctx.domain.os?.type?.machine;
  if (max > maxVcpus(machine))
    throw ctx.error(opt, `${max} vCPUs: machine '${machine}' takes at most ${maxVcpus(machine)}`);
  ctx.domain.vcpu = { placement: 'static', value: max, ...(cpus !== max ? { current: cpus } : {}) };
  if (given) {
    const sockets = topo.sockets ?? Math.max(1, Math.floor(max / perSocket));
    if (sockets * perSocket !== max) {
      throw ctx.error(opt, `the topology gives ${sockets * perSocket} vCPUs, not maxcpus ${max}`);
    }
    const cpu = (ctx.domain.cpu ??= {});
    // clusters=1 is the default, and libvirt 9.0 has no attribute for it: written only when it says more.
    const clusters = topo.clusters !== undefined && topo.clusters !== 1 ? { clusters: topo.clusters } : {};
    cpu.topology = {
      sockets,
      dies: topo.dies ?? 1,
      ...clusters,
      cores: topo.cores ?? 1,
      threads: topo.threads ?? 1,
    };
  }
  pinProcess(ctx);
  ctx.reportUnused(opt, p);
  for (const extra of opts.slice(0, -1))
    ctx.warn(`${extra.written} ${extra.value} (argument ${extra.index}): overridden by a later -smp`);
}

/** `taskset -c 0-7 qemu…` confines every QEMU thread to those CPUs: libvirt's `<vcpu cpuset>` does that. */
function pinProcess(ctx: ImportContext): void {
  const taskset = ctx.command.taskset;
  if (taskset && ctx.domain.vcpu) ctx.domain.vcpu.cpuset = taskset.cpus;
}

/**
 * QEMU computes the one factor left out from the vCPU count (`-smp 4,cores=2,sockets=1` has 2
 * threads per core); with sockets and cores given, that is threads.
 */
function inferThreads(topo: Record<string, number | undefined>, total: number | undefined): void {
  if (total === undefined || topo.threads !== undefined) return;
  if (topo.sockets === undefined || topo.cores === undefined) return;
  const rest = topo.sockets * (topo.dies ?? 1) * (topo.clusters ?? 1) * topo.cores;
  if (rest > 0 && total % rest === 0 && total / rest > 1) topo.threads = total / rest;
}
