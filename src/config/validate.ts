/**
 * Validation and defaults: `unknown` (whatever the config file exported) -> ResolvedVm.
 *
 * Every problem is collected with the path of the field and the bad value quoted, so one run shows
 * all of them: `gpu.host: "02:00.9x" is not a PCI address (expected [DDDD:]BB:SS.F)`.
 */
import path from 'node:path';
import { parsePciAddress, type PciAddress } from '../domain/address.js';
import type {
  AudioConfig,
  DiskConfig,
  EvdevConfig,
  GpuConfig,
  HypervFeature,
  NetworkConfig,
  SoundConfig,
  UsbDeviceConfig,
} from './types.js';
import type {
  ResolvedCpu,
  ResolvedDisk,
  ResolvedFirmware,
  ResolvedGpu,
  ResolvedHyperv,
  ResolvedNetwork,
  ResolvedVm,
} from './resolved.js';
import { Issues, describe, isRecord, type Obj } from './issues.js';
import { parseSizeMiB } from './size.js';

export { ConfigError } from './issues.js';

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
const ALL_HYPERV: HypervFeature[] = [...RECOMMENDED_HYPERV, 'evmcs', 'avic'];

const TOP_LEVEL_KEYS = [
  'name',
  'uuid',
  'title',
  'description',
  'template',
  'machine',
  'emulator',
  'memory',
  'hugepages',
  'cpu',
  'hyperv',
  'kvmHidden',
  'firmware',
  'secureBoot',
  'tpm',
  'gpu',
  'pci',
  'disks',
  'scsi',
  'iothreads',
  'network',
  'usb',
  'sound',
  'display',
  'evdev',
  'lookingGlass',
  'clock',
  'noMemballoon',
  'qemuArgs',
];

const NAME_RE = /^[A-Za-z0-9][A-Za-z0-9._-]*$/;
const UUID_RE = /^[0-9a-f]{8}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{12}$/i;
const MAC_RE = /^[0-9a-f]{2}(:[0-9a-f]{2}){5}$/i;
const CPUSET_RE = /^\^?\d+(-\d+)?(,\^?\d+(-\d+)?)*$/;

/**
 * Validates a loaded config. `configDir` resolves relative paths (the template) against the
 * config file's folder. Throws ConfigError listing every problem.
 */
export function resolveConfig(input: unknown, configDir: string, source = 'config'): ResolvedVm {
  const issues = new Issues(source);
  if (!isRecord(input)) {
    issues.add('', `the config must be an object (export default defineVm({...})), got ${describe(input)}`);
    issues.throwIfAny();
  }
  const c = input as Obj;
  issues.unknownKeys('', c, TOP_LEVEL_KEYS);

  const name = issues.string('name', c.name, { required: true });
  if (name !== undefined && !NAME_RE.test(name)) {
    issues.add('name', `"${name}" is not a usable domain name (letters, digits, ".", "-", "_")`);
  }
  const uuid = issues.string('uuid', c.uuid);
  if (uuid !== undefined && !UUID_RE.test(uuid)) issues.add('uuid', `"${uuid}" is not a UUID`);

  const cpu = resolveCpu(issues, c.cpu);
  const gpus = resolveGpus(issues, c.gpu);
  const disks = resolveDisks(issues, c.disks);
  const usesScsi = disks.some((d) => d.bus === 'scsi');
  const scsi = usesScsi || c.scsi !== undefined ? resolveScsi(issues, c.scsi, cpu.vcpus) : undefined;
  const iothreads = issues.integer('iothreads', c.iothreads, { min: 0, max: 64 }) ?? (scsi?.iothread ? 1 : 0);
  if (scsi?.iothread && iothreads < 1) {
    issues.add('iothreads', 'is 0, but scsi.iothread needs one: set iothreads ≥ 1 or scsi.iothread: false');
  }
  const template = issues.string('template', c.template);

  const resolved: ResolvedVm = {
    name: name ?? '',
    ...(uuid !== undefined ? { uuid } : {}),
    ...optionalString(issues, c, 'title'),
    ...optionalString(issues, c, 'description'),
    ...(template !== undefined ? { template: path.resolve(configDir, template) } : {}),
    machine: issues.string('machine', c.machine) ?? 'q35',
    emulator: issues.string('emulator', c.emulator) ?? '/usr/bin/qemu-system-x86_64',
    memoryMiB: resolveMemory(issues, c.memory),
    hugepages: resolveHugepages(issues, c.hugepages),
    cpu,
    hyperv: resolveHyperv(issues, c.hyperv),
    kvmHidden: issues.boolean('kvmHidden', c.kvmHidden) ?? true,
    firmware: resolveFirmware(issues, c.firmware),
    secureBoot: issues.boolean('secureBoot', c.secureBoot) ?? false,
    tpm: issues.boolean('tpm', c.tpm) ?? false,
    gpus,
    pci: resolvePci(issues, c.pci),
    disks,
    ...(scsi ? { scsi } : {}),
    iothreads,
    networks: resolveNetworks(issues, c.network),
    usb: resolveUsb(issues, c.usb),
    sound: resolveSound(issues, c.sound),
    display:
      issues.oneOf('display', c.display, ['none', 'spice', 'vnc'] as const) ??
      (gpus.length ? 'none' : 'spice'),
    ...resolveEvdev(issues, c.evdev),
    ...resolveLookingGlass(issues, c.lookingGlass),
    clock: issues.oneOf('clock', c.clock, ['localtime', 'utc'] as const) ?? 'localtime',
    noMemballoon: issues.boolean('noMemballoon', c.noMemballoon) ?? true,
    qemuArgs: issues.stringArray('qemuArgs', c.qemuArgs) ?? [],
  };
  if (resolved.secureBoot && resolved.firmware.kind !== 'efi') {
    issues.add(
      'secureBoot',
      "needs firmware: 'efi' (libvirt then picks a Secure Boot OVMF build with Microsoft's keys)",
    );
  }
  checkPciConflicts(issues, resolved);
  issues.throwIfAny();
  return resolved;
}

function optionalString(issues: Issues, c: Obj, key: 'title' | 'description'): { [k: string]: string } {
  const v = issues.string(key, c[key]);
  return v === undefined ? {} : { [key]: v };
}

function resolveMemory(issues: Issues, value: unknown): number {
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

function resolveHugepages(issues: Issues, value: unknown): ResolvedVm['hugepages'] {
  if (value === undefined || value === false) return false;
  if (value === true) return {};
  if (value === '2M') return { sizeKiB: 2048 };
  if (value === '1G') return { sizeKiB: 1048576 };
  issues.add('hugepages', `${describe(value)} is not one of true, false, "2M", "1G"`);
  return false;
}

function resolveCpu(issues: Issues, value: unknown): ResolvedCpu {
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

function resolveHyperv(issues: Issues, value: unknown): false | ResolvedHyperv {
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
        const ok = (ALL_HYPERV as unknown[]).includes(f);
        if (!ok) issues.add(`hyperv.features[${i}]`, `${describe(f)} is not one of ${ALL_HYPERV.join(', ')}`);
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

function resolveFirmware(issues: Issues, value: unknown): ResolvedFirmware {
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

function pciAddress(issues: Issues, at: string, value: unknown): PciAddress | undefined {
  const s = issues.string(at, value, { required: true });
  if (s === undefined) return undefined;
  const a = parsePciAddress(s);
  if (!a) issues.add(at, `"${s}" is not a PCI address (expected [DDDD:]BB:SS.F, as lspci shows it)`);
  return a;
}

function resolveGpus(issues: Issues, value: unknown): ResolvedGpu[] {
  if (value === undefined) return [];
  const list = Array.isArray(value) ? value : [value];
  const at = (i: number): string => (Array.isArray(value) ? `gpu[${i}]` : 'gpu');
  return list.flatMap((g, i): ResolvedGpu[] => {
    if (!issues.object(at(i), g, { required: true })) return [];
    const gpu = g as GpuConfig & Obj;
    issues.unknownKeys(at(i), gpu, ['host', 'functions', 'rom', 'rootPort']);
    const address = pciAddress(issues, `${at(i)}.host`, gpu.host);
    if (!address) return [];
    const functions = resolveFunctions(issues, `${at(i)}.functions`, gpu.functions, address);
    const rom = issues.absolutePath(`${at(i)}.rom`, gpu.rom);
    return [
      {
        address,
        ...(functions ? { functions } : {}),
        ...(rom ? { rom } : {}),
        rootPort: resolveRootPort(issues, `${at(i)}.rootPort`, gpu.rootPort),
      },
    ];
  });
}

function resolveFunctions(issues: Issues, at: string, value: unknown, a: PciAddress): number[] | undefined {
  if (value === undefined) return undefined;
  if (!Array.isArray(value) || value.length === 0) {
    issues.add(at, `${describe(value)} is not a non-empty list of PCI function numbers (0-7)`);
    return undefined;
  }
  const fns = value.map((f, i) => issues.integer(`${at}[${i}]`, f, { min: 0, max: 7, required: true }) ?? 0);
  if (!fns.includes(a.function)) {
    issues.add(at, `does not include function ${a.function} of the GPU address itself`);
  }
  return [...new Set(fns)].sort((x, y) => x - y);
}

function resolveRootPort(issues: Issues, at: string, value: unknown): ResolvedGpu['rootPort'] {
  const fallback = { model: 'pcie-root-port', multifunction: false } as const;
  if (value === undefined || !issues.object(at, value)) return fallback;
  const r = value as Obj;
  issues.unknownKeys(at, r, ['model', 'slot', 'chassis', 'port', 'multifunction']);
  const slot = issues.integer(`${at}.slot`, r.slot, { min: 1, max: 0x1f });
  const chassis = issues.integer(`${at}.chassis`, r.chassis, { min: 0, max: 255 });
  const port = issues.integer(`${at}.port`, r.port, { min: 0, max: 255 });
  return {
    model: issues.oneOf(`${at}.model`, r.model, ['pcie-root-port', 'ioh3420'] as const) ?? 'pcie-root-port',
    multifunction: issues.boolean(`${at}.multifunction`, r.multifunction) ?? false,
    ...(slot !== undefined ? { slot } : {}),
    ...(chassis !== undefined ? { chassis } : {}),
    ...(port !== undefined ? { port } : {}),
  };
}

function resolvePci(issues: Issues, value: unknown): ResolvedVm['pci'] {
  const list = issues.array('pci', value) ?? [];
  return list.flatMap((p, i) => {
    const at = `pci[${i}]`;
    const obj = isRecord(p) ? p : { host: p };
    if (isRecord(p)) issues.unknownKeys(at, p, ['host', 'rom']);
    const address = pciAddress(issues, isRecord(p) ? `${at}.host` : at, obj.host);
    const rom = issues.absolutePath(`${at}.rom`, obj.rom);
    return address ? [{ address, ...(rom ? { rom } : {}) }] : [];
  });
}

function resolveDisks(issues: Issues, value: unknown): ResolvedDisk[] {
  const list = issues.array('disks', value) ?? [];
  return list.flatMap((d, i): ResolvedDisk[] => {
    const at = `disks[${i}]`;
    if (!issues.object(at, d, { required: true })) return [];
    const disk = d as DiskConfig & Obj;
    issues.unknownKeys(at, disk, [
      'path',
      'device',
      'bus',
      'format',
      'cache',
      'io',
      'discard',
      'boot',
      'serial',
    ]);
    const p = issues.absolutePath(`${at}.path`, disk.path, { required: true }) ?? '';
    const device = issues.oneOf(`${at}.device`, disk.device, ['disk', 'cdrom'] as const) ?? 'disk';
    const isDisk = device === 'disk';
    const bus =
      issues.oneOf(`${at}.bus`, disk.bus, ['scsi', 'virtio', 'sata', 'usb'] as const) ??
      (isDisk ? 'scsi' : 'sata');
    const cache = issues.oneOf(`${at}.cache`, disk.cache, [
      'none',
      'writeback',
      'writethrough',
      'directsync',
      'unsafe',
    ] as const);
    const io = issues.oneOf(`${at}.io`, disk.io, ['native', 'threads', 'io_uring'] as const);
    const discard = issues.oneOf(`${at}.discard`, disk.discard, ['unmap', 'ignore'] as const);
    const boot = issues.integer(`${at}.boot`, disk.boot, { min: 1, max: 64 });
    const serial = issues.string(`${at}.serial`, disk.serial);
    const format =
      issues.oneOf(`${at}.format`, disk.format, ['raw', 'qcow2'] as const) ??
      (p.endsWith('.qcow2') ? 'qcow2' : 'raw');
    const effectiveCache = cache ?? (isDisk ? 'none' : undefined);
    const effectiveIo = io ?? (isDisk && effectiveCache === 'none' ? 'native' : undefined);
    if (effectiveIo === 'native' && effectiveCache !== 'none' && effectiveCache !== 'directsync') {
      issues.add(
        `${at}.io`,
        `"native" needs cache "none" or "directsync" (QEMU refuses it with "${effectiveCache}")`,
      );
    }
    return [
      {
        device,
        type: p.startsWith('/dev/') ? 'block' : 'file',
        path: p,
        bus,
        format,
        ...(effectiveCache ? { cache: effectiveCache } : {}),
        ...(effectiveIo ? { io: effectiveIo } : {}),
        ...((discard ?? (isDisk ? 'unmap' : undefined)) ? { discard: discard ?? 'unmap' } : {}),
        ...(boot !== undefined ? { boot } : {}),
        ...(serial !== undefined ? { serial } : {}),
      },
    ];
  });
}

function resolveScsi(issues: Issues, value: unknown, vcpus: number): NonNullable<ResolvedVm['scsi']> {
  const s = (value ?? {}) as Obj;
  if (value !== undefined) issues.object('scsi', value);
  issues.unknownKeys('scsi', s, ['queues', 'iothread', 'ioeventfd']);
  const ioeventfd = issues.boolean('scsi.ioeventfd', s.ioeventfd);
  return {
    queues: issues.integer('scsi.queues', s.queues, { min: 1, max: 1024 }) ?? vcpus,
    iothread: issues.boolean('scsi.iothread', s.iothread) ?? true,
    ...(ioeventfd !== undefined ? { ioeventfd } : {}),
  };
}

function resolveNetworks(issues: Issues, value: unknown): ResolvedNetwork[] {
  if (value === false) return [];
  if (value === undefined) return [{ source: { network: 'default' }, model: 'virtio' }];
  const list = Array.isArray(value) ? value : [value];
  const at = (i: number): string => (Array.isArray(value) ? `network[${i}]` : 'network');
  return list.flatMap((n, i): ResolvedNetwork[] => {
    if (!issues.object(at(i), n, { required: true })) return [];
    const net = n as NetworkConfig & Obj;
    issues.unknownKeys(at(i), net, ['bridge', 'network', 'mac', 'model', 'tap', 'queues']);
    const bridge = issues.string(`${at(i)}.bridge`, net.bridge);
    const network = issues.string(`${at(i)}.network`, net.network);
    if ((bridge === undefined) === (network === undefined)) {
      issues.add(
        at(i),
        'needs exactly one of bridge (a host bridge such as "br0") or network (a libvirt network)',
      );
    }
    const mac = issues.string(`${at(i)}.mac`, net.mac);
    if (mac !== undefined && !MAC_RE.test(mac)) issues.add(`${at(i)}.mac`, `"${mac}" is not a MAC address`);
    const tap = issues.string(`${at(i)}.tap`, net.tap);
    const queues = issues.integer(`${at(i)}.queues`, net.queues, { min: 1, max: 256 });
    return [
      {
        source: bridge !== undefined ? { bridge } : { network: network ?? 'default' },
        model:
          issues.oneOf(`${at(i)}.model`, net.model, ['virtio', 'e1000e', 'rtl8139'] as const) ?? 'virtio',
        ...(mac ? { mac: mac.toLowerCase() } : {}),
        ...(tap ? { tap } : {}),
        ...(queues ? { queues } : {}),
      },
    ];
  });
}

function usbId(issues: Issues, at: string, value: unknown): number | undefined {
  if (typeof value === 'number' && Number.isInteger(value) && value >= 0 && value <= 0xffff) return value;
  if (typeof value === 'string' && /^(0x)?[0-9a-f]{4}$/i.test(value))
    return parseInt(value.replace(/^0x/i, ''), 16);
  issues.add(at, `${describe(value)} is not a USB id (4 hex digits such as "046d", or 0x046d)`);
  return undefined;
}

function resolveUsb(issues: Issues, value: unknown): ResolvedVm['usb'] {
  const list = issues.array('usb', value) ?? [];
  return list.flatMap((u, i) => {
    const at = `usb[${i}]`;
    let dev: UsbDeviceConfig;
    if (typeof u === 'string') {
      const m = /^([0-9a-f]{4}):([0-9a-f]{4})$/i.exec(u);
      if (!m) {
        issues.add(at, `"${u}" is not vendor:product (e.g. "046d:c051", as lsusb shows it)`);
        return [];
      }
      dev = { vendor: m[1] as string, product: m[2] as string };
    } else if (issues.object(at, u, { required: true })) {
      dev = u as UsbDeviceConfig;
      issues.unknownKeys(at, u as Obj, ['vendor', 'product', 'required']);
    } else return [];
    const vendor = usbId(issues, `${at}.vendor`, dev.vendor);
    const product = usbId(issues, `${at}.product`, dev.product);
    const required = issues.boolean(`${at}.required`, dev.required) ?? false;
    return vendor !== undefined && product !== undefined ? [{ vendor, product, required }] : [];
  });
}

function resolveSound(issues: Issues, value: unknown): ResolvedVm['sound'] {
  if (value === undefined || value === false) return false;
  if (!issues.object('sound', value)) return false;
  const s = value as SoundConfig & Obj;
  issues.unknownKeys('sound', s, ['model', 'audio']);
  const model = issues.oneOf('sound.model', s.model, ['ich9', 'ich6', 'ac97', 'usb'] as const) ?? 'ich9';
  return { model, audio: resolveAudio(issues, s.audio) };
}

function resolveAudio(issues: Issues, value: unknown): AudioConfig {
  if (value === undefined) return { type: 'pulseaudio' };
  if (!issues.object('sound.audio', value)) return { type: 'none' };
  const a = value as Obj;
  const type = issues.oneOf(
    'sound.audio.type',
    a.type,
    ['pulseaudio', 'pipewire', 'alsa', 'spice', 'none'] as const,
    {
      required: true,
    },
  );
  const allowed: Record<string, string[]> = {
    pulseaudio: ['type', 'server', 'latency'],
    pipewire: ['type', 'runtimeDir', 'latency'],
    alsa: ['type', 'latency'],
  };
  issues.unknownKeys('sound.audio', a, allowed[type ?? ''] ?? ['type']);
  issues.integer('sound.audio.latency', a.latency, { min: 1, max: 10_000_000 });
  issues.string('sound.audio.server', a.server);
  issues.absolutePath('sound.audio.runtimeDir', a.runtimeDir);
  return { ...(a as AudioConfig), type: type ?? 'none' } as AudioConfig;
}

function resolveEvdev(issues: Issues, value: unknown): { evdev?: EvdevConfig } {
  if (value === undefined) return {};
  if (!issues.object('evdev', value)) return {};
  const e = value as EvdevConfig & Obj;
  issues.unknownKeys('evdev', e, ['keyboard', 'mouse', 'grabToggle', 'virtioInput']);
  issues.absolutePath('evdev.keyboard', e.keyboard);
  issues.absolutePath('evdev.mouse', e.mouse);
  issues.oneOf('evdev.grabToggle', e.grabToggle, [
    'ctrl-ctrl',
    'alt-alt',
    'shift-shift',
    'meta-meta',
    'scrolllock',
    'ctrl-scrolllock',
  ] as const);
  issues.boolean('evdev.virtioInput', e.virtioInput);
  return { evdev: e };
}

function resolveLookingGlass(issues: Issues, value: unknown): { lookingGlassMiB?: number } {
  if (value === undefined || value === false) return {};
  if (value === true) return { lookingGlassMiB: 64 };
  if (!issues.object('lookingGlass', value)) return {};
  const size = issues.integer('lookingGlass.sizeMiB', (value as Obj).sizeMiB, {
    min: 1,
    max: 4096,
    required: true,
  });
  if (size !== undefined && (size & (size - 1)) !== 0) {
    issues.add('lookingGlass.sizeMiB', `${size} is not a power of two (ivshmem sizes are: 32, 64, 128, …)`);
  }
  return size ? { lookingGlassMiB: size } : {};
}

/** The same host function passed through twice would make libvirt refuse the domain: say so here. */
function checkPciConflicts(issues: Issues, vm: ResolvedVm): void {
  const seen = new Map<string, string>();
  const note = (a: PciAddress, fn: number, where: string): void => {
    const key = `${a.domain}:${a.bus}:${a.slot}.${fn}`;
    const first = seen.get(key);
    if (first) issues.add(where, `passes through the same host device as ${first}`);
    else seen.set(key, where);
  };
  vm.gpus.forEach((g, i) =>
    (g.functions ?? [g.address.function]).forEach((f) => note(g.address, f, `gpu[${i}]`)),
  );
  vm.pci.forEach((p, i) => note(p.address, p.address.function, `pci[${i}]`));
}
