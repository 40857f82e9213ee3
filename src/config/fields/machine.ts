/** Validation and defaults of the config fields for CPU, memory, Hyper-V and firmware. */
import { DEFAULTS } from '../defaults.js';
import {
  CPU_MODES,
  FEATURE_POLICIES,
  GOVERNORS,
  HUGEPAGE_SIZES,
  HYPERV_FEATURES,
  HYPERV_REQUIRES,
  NUMA_LAYOUTS,
  GUEST_ARCHES,
  RECOMMENDED_HYPERV,
  archOfEmulator,
  isOneOf,
  type HypervFeature,
} from '../vocabulary.js';
import type { ResolvedCpu, ResolvedFirmware, ResolvedHyperv, ResolvedVm } from '../resolved.js';
import { Issues, describe, isRecord, type Obj } from '../issues.js';
import { parseSizeMiB } from '../size.js';
import { MACHINE_FACTS, type MachineFamily } from '../machine-type.js';
import { cpuset } from './cpuset.js';
import { resolveNumaCells } from './numa.js';

/**
 * libvirt stores memory in KiB as a signed 64-bit count of bytes at most: 2^63 - 1 bytes is
 * 8796093022207 MiB. A larger `<memory>` fails to define ("numerical overflow: value too large").
 */
export const MAX_MEMORY_MIB = 8796093022207;

/** CPU feature names as libvirt's schema spells them (featureName). */
const FEATURE_NAME_RE = /^[a-zA-Z0-9_.-]+$/;

/** What QEMU takes for hv-vendor-id: up to 12 bytes, and libvirt's schema refuses ",". Printable ASCII keeps bytes = characters. */
const VENDOR_ID_RE = /^[\x20-\x2b\x2d-\x7e]{1,12}$/;

/** The least guest RAM a config takes. */
export const MIN_MEMORY_MIB = 16;

export function resolveMemory(issues: Issues, value: unknown): number {
  if (value === undefined) {
    issues.add('memory', 'is required (a size such as 16384 or "16 GiB")');
    return 0;
  }
  const mib = parseSizeMiB(value);
  if (mib === undefined) {
    issues.add('memory', `${describe(value)} is not a memory size (a number of MiB, or "16 GiB", "4000M")`);
    return 0;
  }
  if (mib < MIN_MEMORY_MIB) {
    issues.add('memory', `${describe(value)} is less than ${MIN_MEMORY_MIB} MiB, too little for a guest OS`);
    return 0;
  }
  if (mib > MAX_MEMORY_MIB) {
    issues.add(
      'memory',
      `${describe(value)} is ${mib} MiB, over libvirt's limit of ${MAX_MEMORY_MIB} MiB (8 EiB)`,
    );
    return 0;
  }
  return mib;
}

/** `emulator`, and the guest architecture its name says (vocabulary.ts, archOfEmulator). */
export function resolveEmulator(issues: Issues, value: unknown): Pick<ResolvedVm, 'emulator' | 'arch'> {
  const emulator = issues.absolutePath('emulator', value) ?? DEFAULTS.emulator;
  const arch = archOfEmulator(emulator);
  if (isOneOf(GUEST_ARCHES, arch)) return { emulator, arch };
  issues.add(
    'emulator',
    `"${emulator}" runs ${arch} guests, and virt-gen makes x86 VMs: qemu-system-x86_64 (qemu-kvm, kvm), ` +
      'or qemu-system-i386 for a 32-bit guest',
  );
  return { emulator: DEFAULTS.emulator, arch: 'x86_64' };
}

export function resolveHugepages(issues: Issues, value: unknown): ResolvedVm['hugepages'] {
  if (value === undefined || value === false) return false;
  if (value === true) return {};
  if (typeof value === 'string' && value in HUGEPAGE_SIZES)
    return { sizeKiB: HUGEPAGE_SIZES[value as keyof typeof HUGEPAGE_SIZES] };
  issues.add('hugepages', `${describe(value)} is not one of true, false, "2M", "1G"`);
  return false;
}

export function resolveMemoryBacking(issues: Issues, value: unknown): ResolvedVm['memoryBacking'] {
  const d = DEFAULTS.memoryBacking;
  if (!issues.object('memoryBacking', value)) return { ...d };
  const m = value as Obj;
  issues.unknownKeys('memoryBacking', m, ['locked', 'shared', 'preallocate']);
  return {
    locked: issues.boolean('memoryBacking.locked', m.locked) ?? d.locked,
    shared: issues.boolean('memoryBacking.shared', m.shared) ?? d.shared,
    preallocate: issues.boolean('memoryBacking.preallocate', m.preallocate) ?? d.preallocate,
  };
}

/** `family` decides the vCPU limit libvirt asks QEMU for. */
export function resolveCpu(issues: Issues, value: unknown, family: MachineFamily): ResolvedCpu {
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
    'model',
    'cpuset',
    'migratable',
  ]);
  const sockets = issues.integer('cpu.sockets', c.sockets, { min: 1, max: 16 }) ?? DEFAULTS.cpu.sockets;
  const cores = issues.integer('cpu.cores', c.cores, { min: 1, max: 512, required: true }) ?? 1;
  const threads = issues.integer('cpu.threads', c.threads, { min: 1, max: 8 }) ?? DEFAULTS.cpu.threads;
  const vcpus = sockets * cores * threads;
  const { maxVcpus } = MACHINE_FACTS[family];
  if (vcpus > maxVcpus) {
    issues.add(
      'cpu',
      `${sockets} sockets × ${cores} cores × ${threads} threads is ${vcpus} vCPUs, over the ${family} machine's ${maxVcpus} (QEMU 7.2)`,
    );
  }
  const features = resolveFeatures(issues, c.features);
  const emulatorPin = cpuset(issues, 'cpu.emulatorPin', c.emulatorPin);
  const iothreadPin = cpuset(issues, 'cpu.iothreadPin', c.iothreadPin) ?? emulatorPin;
  const mode = issues.oneOf('cpu.mode', c.mode, CPU_MODES) ?? DEFAULTS.cpu.mode;
  const model = cpuModel(issues, mode, c.model);
  const migratable = cpuMigratable(issues, mode, c.migratable);
  const vcpuSet = cpuset(issues, 'cpu.cpuset', c.cpuset);
  const cells = Array.isArray(c.numa) ? resolveNumaCells(issues, c.numa, vcpus) : undefined;
  return {
    sockets,
    cores,
    threads,
    vcpus,
    mode,
    ...(migratable !== undefined ? { migratable } : {}),
    ...(model !== undefined ? { model } : {}),
    cachePassthrough:
      issues.boolean('cpu.cachePassthrough', c.cachePassthrough) ?? DEFAULTS.cpu.cachePassthrough,
    features,
    pin: resolvePin(issues, c.pin, vcpus),
    hostCores: issues.integer('cpu.hostCores', c.hostCores, { min: 0, max: 256 }) ?? DEFAULTS.cpu.hostCores,
    numa: (cells ? undefined : issues.oneOf('cpu.numa', c.numa, NUMA_LAYOUTS)) ?? DEFAULTS.cpu.numa,
    ...(cells ? { cells } : {}),
    ...(vcpuSet ? { cpuset: vcpuSet } : {}),
    ...(emulatorPin ? { emulatorPin } : {}),
    ...(iothreadPin ? { iothreadPin } : {}),
  };
}

/** QEMU's CPU model names (`Haswell-noTSX`, `EPYC-Rome-v2`, `Opteron_G5`): what `-cpu` takes before a comma. */
export const CPU_MODEL_RE = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/;

/** `cpu.model`: required with `mode: 'custom'`, meaningless with any other mode. */
function cpuModel(issues: Issues, mode: string, value: unknown): string | undefined {
  if (value === undefined) {
    if (mode === 'custom')
      issues.add('cpu.model', 'is required with mode: \'custom\' (a QEMU CPU model such as "Haswell-noTSX")');
    return undefined;
  }
  const model = issues.string('cpu.model', value);
  if (model === undefined) return undefined;
  if (mode !== 'custom') {
    issues.add('cpu.model', `names a CPU model, which only mode: 'custom' uses (mode is '${mode}')`);
    return undefined;
  }
  if (!CPU_MODEL_RE.test(model)) {
    issues.add(
      'cpu.model',
      `${JSON.stringify(model)} is not a CPU model name (letters, digits, "-", "_", ".", as virsh domcapabilities lists them)`,
    );
    return undefined;
  }
  return model;
}

/** The CPU modes libvirt takes `migratable` with (9.0: "only allowed for 'host-passthrough' / 'maximum'"). */
export const MIGRATABLE_MODES: readonly string[] = ['host-passthrough', 'maximum'];

/** `cpu.migratable`: defaulted (off) with the modes that take it, refused with the others. */
function cpuMigratable(issues: Issues, mode: string, value: unknown): boolean | undefined {
  const migratable = issues.boolean('cpu.migratable', value);
  if (MIGRATABLE_MODES.includes(mode)) return migratable ?? DEFAULTS.cpu.migratable;
  if (migratable !== undefined)
    issues.add(
      'cpu.migratable',
      `goes with mode 'host-passthrough' or 'maximum' only (libvirt refuses it with mode '${mode}')`,
    );
  return undefined;
}

/**
 * What a 32-bit guest (an i386 emulator) cannot have, as libvirt 9.0 says it (tested in
 * test/integration/tuning-define.test.ts): `migratable='on'` with host-passthrough ("Migratable
 * attribute for host-passthrough CPU is not supported by this QEMU binary"; `off`, and `maximum`
 * either way, it defines), and Secure Boot ("Secure boot is supported for x86_64 architecture only"
 * for a loader; with `firmware: 'efi'` no firmware descriptor would match at start).
 */
export function checkArch(issues: Issues, vm: ResolvedVm): void {
  if (vm.arch !== 'i686') return;
  if (vm.cpu.mode === 'host-passthrough' && vm.cpu.migratable === true)
    issues.add(
      'cpu.migratable',
      `is true with host-passthrough on ${vm.emulator}, which libvirt refuses for a 32-bit guest ` +
        '("not supported by this QEMU binary"): use mode \'maximum\', or leave migratable out',
    );
  if (vm.secureBoot)
    issues.add(
      'secureBoot',
      `needs an x86_64 guest, and ${vm.emulator} runs a 32-bit one ` +
        '(libvirt: "Secure boot is supported for x86_64 architecture only")',
    );
}

function resolveFeatures(issues: Issues, value: unknown): ResolvedCpu['features'] {
  const features: ResolvedCpu['features'] = [];
  if (!issues.object('cpu.features', value)) return features;
  for (const [name, policy] of Object.entries(value as Obj)) {
    const at = `cpu.features${FEATURE_NAME_RE.test(name) ? `.${name}` : `[${JSON.stringify(name)}]`}`;
    if (!FEATURE_NAME_RE.test(name)) {
      issues.add(
        at,
        'is not a CPU feature name (letters, digits, "_", "-", ".", as in /proc/cpuinfo: "topoext")',
      );
      continue;
    }
    const p = issues.oneOf(at, policy, FEATURE_POLICIES);
    if (p) features.push({ name, policy: p });
  }
  return features;
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
  if (value === 'passthrough') return { mode: 'passthrough' };
  if (typeof value === 'string') {
    issues.add(
      'hyperv',
      `${describe(value)} is not "passthrough", false, or { features, spinlocks, vendorId }`,
    );
    return false;
  }
  const h = (value ?? {}) as Obj;
  if (value !== undefined && !issues.object('hyperv', value)) return false;
  issues.unknownKeys('hyperv', h, ['features', 'spinlocks', 'vendorId']);
  let features: readonly HypervFeature[] = RECOMMENDED_HYPERV;
  if (h.features !== undefined && h.features !== 'recommended') {
    if (!Array.isArray(h.features)) {
      issues.add(
        'hyperv.features',
        `${describe(h.features)} is not "recommended" or a list of enlightenments`,
      );
    } else {
      features = h.features.filter((f, i): f is HypervFeature => {
        const ok = typeof f === 'string' && isOneOf(HYPERV_FEATURES, f);
        if (!ok)
          issues.add(`hyperv.features[${i}]`, `${describe(f)} is not one of ${HYPERV_FEATURES.join(', ')}`);
        return ok;
      });
    }
  }
  checkHypervRequires(issues, features);
  const spinlocks =
    issues.integer('hyperv.spinlocks', h.spinlocks, { min: 4095, max: 0xffffffff }) ??
    DEFAULTS.hyperv.spinlocks;
  const vendorId = issues.string('hyperv.vendorId', h.vendorId);
  if (vendorId !== undefined && (vendorId.length === 0 || vendorId.length > 12)) {
    issues.add(
      'hyperv.vendorId',
      `"${vendorId}" is ${vendorId.length} characters; the Hyper-V vendor id is 1 to 12 characters`,
    );
  } else if (vendorId !== undefined && !VENDOR_ID_RE.test(vendorId)) {
    issues.add(
      'hyperv.vendorId',
      `"${vendorId}" holds a "," or a character beyond printable ASCII (libvirt refuses ","; QEMU counts bytes)`,
    );
  }
  return {
    mode: 'custom',
    features: new Set(features),
    spinlocks,
    ...(vendorId !== undefined ? { vendorId } : {}),
  };
}

function checkHypervRequires(issues: Issues, features: readonly HypervFeature[]): void {
  for (const f of features) {
    const missing = (HYPERV_REQUIRES[f] ?? []).filter((r) => !features.includes(r));
    if (missing.length) {
      issues.add(
        'hyperv.features',
        `"${f}" needs ${missing.map((m) => `"${m}"`).join(', ')} as well (QEMU refuses to start without)`,
      );
    }
  }
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
  const governor = issues.oneOf('runtime.governor', r.governor, GOVERNORS);
  const runtime = {
    isolateCpus: issues.boolean('runtime.isolateCpus', r.isolateCpus) ?? DEFAULTS.runtime.isolateCpus,
    allocateHugepages:
      issues.boolean('runtime.allocateHugepages', r.allocateHugepages) ?? DEFAULTS.runtime.allocateHugepages,
    ...(governor ? { governor } : {}),
  };
  return runtime.isolateCpus || runtime.allocateHugepages || governor ? runtime : false;
}
