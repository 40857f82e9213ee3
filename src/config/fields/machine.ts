/** Validation and defaults of the config fields for CPU, memory, Hyper-V and firmware. */
import type { HypervFeature } from '../types.js';
import type { ResolvedCpu, ResolvedFirmware, ResolvedHyperv, ResolvedVm } from '../resolved.js';
import { Issues, describe, isRecord, type Obj } from '../issues.js';
import { parseSizeMiB } from '../size.js';

export const RECOMMENDED_HYPERV: HypervFeature[] = [
  'relaxed',
  'vapic',
  'spinlocks',
  'vpindex',
  'runtime',
  'synic',
  'stimer',
  'reset',
  'frequencies',
  'reenlightenment',
  'tlbflush',
  'ipi',
  'time',
];

/** Every enlightenment a config can name, in the order a config lists them. */
export const HYPERV_FEATURES: HypervFeature[] = [...RECOMMENDED_HYPERV, 'evmcs', 'avic'];

const CPUSET_RE = /^\^?\d+(-\d+)?(,\^?\d+(-\d+)?)*$/;

export function resolveMemory(issues: Issues, value: unknown): number {
  if (value === undefined) {
    issues.add('memory', 'is required (a size such as 16384 or "16 GiB")');
    return 0;
  }
  const mib = parseSizeMiB(value);
  if (mib === undefined || mib < 16) {
    issues.add('memory', `${describe(value)} is not a memory size (a number of MiB, or "16 GiB", "4000M")`);
    return 0;
  }
  return mib;
}

export function resolveHugepages(issues: Issues, value: unknown): ResolvedVm['hugepages'] {
  if (value === undefined || value === false) return false;
  if (value === true) return {};
  if (value === '2M') return { sizeKiB: 2048 };
  if (value === '1G') return { sizeKiB: 1048576 };
  issues.add('hugepages', `${describe(value)} is not one of true, false, "2M", "1G"`);
  return false;
}

export function resolveCpu(issues: Issues, value: unknown): ResolvedCpu {
  const fallback: ResolvedCpu = {
    sockets: 1,
    cores: 1,
    threads: 1,
    vcpus: 1,
    mode: 'host-passthrough',
    cachePassthrough: true,
    features: [],
    pin: false,
    hostCores: 1,
    numa: 'auto',
  };
  if (!issues.object('cpu', value, { required: true })) return fallback;
  const c = value as Obj;
  issues.unknownKeys('cpu', c, [
    'sockets',
    'cores',
    'threads',
    'mode',
    'cachePassthrough',
    'features',
    'pin',
    'hostCores',
    'emulatorPin',
    'iothreadPin',
    'numa',
  ]);
  const sockets = issues.integer('cpu.sockets', c.sockets, { min: 1, max: 16 }) ?? 1;
  const cores = issues.integer('cpu.cores', c.cores, { min: 1, max: 512, required: true }) ?? 1;
  const threads = issues.integer('cpu.threads', c.threads, { min: 1, max: 8 }) ?? 1;
  const vcpus = sockets * cores * threads;
  const features: ResolvedCpu['features'] = [];
  if (issues.object('cpu.features', c.features)) {
    for (const [name, policy] of Object.entries(c.features as Obj)) {
      const p = issues.oneOf(`cpu.features.${name}`, policy, [
        'require',
        'disable',
        'force',
        'optional',
        'forbid',
      ] as const);
      if (p) features.push({ name, policy: p });
    }
  }
  const emulatorPin = cpuset(issues, 'cpu.emulatorPin', c.emulatorPin);
  const iothreadPin = cpuset(issues, 'cpu.iothreadPin', c.iothreadPin) ?? emulatorPin;
  return {
    sockets,
    cores,
    threads,
    vcpus,
    mode: issues.oneOf('cpu.mode', c.mode, ['host-passthrough', 'host-model'] as const) ?? 'host-passthrough',
    cachePassthrough: issues.boolean('cpu.cachePassthrough', c.cachePassthrough) ?? true,
    features,
    pin: resolvePin(issues, c.pin, vcpus),
    hostCores: issues.integer('cpu.hostCores', c.hostCores, { min: 0, max: 256 }) ?? 1,
    numa: issues.oneOf('cpu.numa', c.numa, ['auto', 'spread'] as const) ?? 'auto',
    ...(emulatorPin ? { emulatorPin } : {}),
    ...(iothreadPin ? { iothreadPin } : {}),
  };
}

function cpuset(issues: Issues, at: string, value: unknown): string | undefined {
  if (typeof value === 'number' && Number.isInteger(value) && value >= 0) return String(value);
  const s = issues.string(at, value);
  if (s !== undefined && !CPUSET_RE.test(s.replace(/\s+/g, ''))) {
    issues.add(at, `"${s}" is not a host CPU set (expected e.g. "0-3,8-11")`);
    return undefined;
  }
  return s?.replace(/\s+/g, '');
}

function resolvePin(issues: Issues, value: unknown, vcpus: number): ResolvedCpu['pin'] {
  if (value === undefined || value === false) return false;
  if (value === 'auto') return 'auto';
  if (!Array.isArray(value)) {
    issues.add('cpu.pin', `${describe(value)} is not "auto", false, or a list of host CPUs per vCPU`);
    return false;
  }
  if (value.length !== vcpus) {
    issues.add(
      'cpu.pin',
      `lists ${value.length} host CPUs, but the guest has ${vcpus} vCPUs (one entry per vCPU)`,
    );
  }
  return value.map((v, i) => cpuset(issues, `cpu.pin[${i}]`, v) ?? '0');
}

export function resolveHyperv(issues: Issues, value: unknown): false | ResolvedHyperv {
  if (value === false) return false;
  const h = (value ?? {}) as Obj;
  if (value !== undefined && !issues.object('hyperv', value)) return false;
  issues.unknownKeys('hyperv', h, ['features', 'spinlocks', 'vendorId']);
  let features = RECOMMENDED_HYPERV;
  if (h.features !== undefined && h.features !== 'recommended') {
    if (!Array.isArray(h.features)) {
      issues.add(
        'hyperv.features',
        `${describe(h.features)} is not "recommended" or a list of enlightenments`,
      );
    } else {
      features = h.features.filter((f, i): f is HypervFeature => {
        const ok = (HYPERV_FEATURES as unknown[]).includes(f);
        if (!ok)
          issues.add(`hyperv.features[${i}]`, `${describe(f)} is not one of ${HYPERV_FEATURES.join(', ')}`);
        return ok;
      });
    }
  }
  const spinlocks = issues.integer('hyperv.spinlocks', h.spinlocks, { min: 4095, max: 0xffffffff }) ?? 8191;
  const vendorId = issues.string('hyperv.vendorId', h.vendorId);
  if (vendorId !== undefined && (vendorId.length === 0 || vendorId.length > 12)) {
    issues.add(
      'hyperv.vendorId',
      `"${vendorId}" is ${vendorId.length} characters; the Hyper-V vendor id is 1 to 12 characters`,
    );
  }
  return { features: new Set(features), spinlocks, ...(vendorId !== undefined ? { vendorId } : {}) };
}

export function resolveFirmware(issues: Issues, value: unknown): ResolvedFirmware {
  if (value === undefined || value === 'efi') return { kind: 'efi' };
  if (value === 'bios') return { kind: 'bios' };
  if (!isRecord(value)) {
    issues.add('firmware', `${describe(value)} is not "efi", "bios" or { loader, varsTemplate }`);
    return { kind: 'efi' };
  }
  issues.unknownKeys('firmware', value, ['loader', 'varsTemplate', 'nvram']);
  const loader = issues.absolutePath('firmware.loader', value.loader, { required: true }) ?? '';
  const varsTemplate = issues.absolutePath('firmware.varsTemplate', value.varsTemplate);
  const nvram = issues.absolutePath('firmware.nvram', value.nvram);
  return {
    kind: 'custom',
    loader,
    ...(varsTemplate ? { varsTemplate } : {}),
    ...(nvram ? { nvram } : {}),
  };
}

export function resolveRuntime(issues: Issues, value: unknown): ResolvedVm['runtime'] {
  if (value === undefined || value === false) return false;
  if (!issues.object('runtime', value)) return false;
  const r = value as Obj;
  issues.unknownKeys('runtime', r, ['isolateCpus', 'allocateHugepages', 'governor']);
  const governor = issues.oneOf('runtime.governor', r.governor, ['performance'] as const);
  const runtime = {
    isolateCpus: issues.boolean('runtime.isolateCpus', r.isolateCpus) ?? false,
    allocateHugepages: issues.boolean('runtime.allocateHugepages', r.allocateHugepages) ?? false,
    ...(governor ? { governor } : {}),
  };
  return runtime.isolateCpus || runtime.allocateHugepages || governor ? runtime : false;
}
