/** Validation and defaults of the config fields for host devices passed through (GPUs, other PCI devices, mediated devices, USB devices). */
import { parsePciAddress, type PciAddress } from '../../domain/address.js';
import type { GpuConfig, MdevConfig, UsbIdConfig } from '../types.js';
import type { ResolvedGpu, ResolvedVm } from '../resolved.js';
import { Issues, describe, isRecord, type Obj } from '../issues.js';
import { UUID_RE } from './identity.js';
import { DEFAULTS } from '../defaults.js';
import { ROOT_PORT_MODELS } from '../vocabulary.js';
import { MACHINE_FACTS, type MachineFamily } from '../machine-type.js';

function pciAddress(issues: Issues, at: string, value: unknown): PciAddress | undefined {
  const s = issues.string(at, value, { required: true });
  if (s === undefined) return undefined;
  const a = parsePciAddress(s);
  if (!a) issues.add(at, `"${s}" is not a PCI address (expected [DDDD:]BB:SS.F, as lspci shows it)`);
  return a;
}

/** `family` decides where a GPU goes: behind a PCIe root port (q35) or on the root bus (i440fx). */
export function resolveGpus(issues: Issues, value: unknown, family: MachineFamily): ResolvedGpu[] {
  if (value === undefined) return [];
  const list = Array.isArray(value) ? value : [value];
  const at = (i: number): string => (Array.isArray(value) ? `gpu[${i}]` : 'gpu');
  return list.flatMap((g, i): ResolvedGpu[] => {
    if (!issues.object(at(i), g, { required: true })) return [];
    const gpu = g as GpuConfig & Obj;
    issues.unknownKeys(at(i), gpu, ['host', 'functions', 'rom', 'rootPort', 'slot']);
    const address = pciAddress(issues, `${at(i)}.host`, gpu.host);
    if (!address) return [];
    const functions = resolveFunctions(issues, `${at(i)}.functions`, gpu.functions, address);
    const rom = issues.absolutePath(`${at(i)}.rom`, gpu.rom);
    const slot = resolveGpuSlot(issues, at(i), gpu, family, DEFAULTS.i440fxGpuSlot + i);
    return [
      {
        address,
        ...(functions ? { functions } : {}),
        ...(rom ? { rom } : {}),
        ...(slot !== undefined ? { slot } : {}),
        rootPort: resolveRootPort(issues, `${at(i)}.rootPort`, gpu.rootPort),
      },
    ];
  });
}

/** The GPU's guest slot on an i440fx root bus; q35 has root ports instead, and i440fx none. */
function resolveGpuSlot(
  issues: Issues,
  at: string,
  gpu: Obj,
  family: MachineFamily,
  fallback: number,
): number | undefined {
  if (family === 'q35') {
    if (gpu.slot !== undefined)
      issues.add(
        `${at}.slot`,
        "places the GPU on an i440fx machine's root bus; on q35 it sits behind its root port: use rootPort.slot",
      );
    return undefined;
  }
  if (gpu.rootPort !== undefined)
    issues.add(
      `${at}.rootPort`,
      'i440fx has no PCIe root ports: the GPU sits on the PCI root bus (its guest slot is `slot`), or use machine: "q35"',
    );
  return issues.integer(`${at}.slot`, gpu.slot, MACHINE_FACTS.i440fx.rootBusSlots) ?? fallback;
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
  const slot = issues.integer(`${at}.slot`, r.slot, MACHINE_FACTS.q35.rootBusSlots);
  const chassis = issues.integer(`${at}.chassis`, r.chassis, { min: 0, max: 255 });
  const port = issues.integer(`${at}.port`, r.port, { min: 0, max: 255 });
  return {
    model: issues.oneOf(`${at}.model`, r.model, ROOT_PORT_MODELS) ?? DEFAULTS.rootPort.model,
    multifunction: issues.boolean(`${at}.multifunction`, r.multifunction) ?? DEFAULTS.rootPort.multifunction,
    ...(slot !== undefined ? { slot } : {}),
    ...(chassis !== undefined ? { chassis } : {}),
    ...(port !== undefined ? { port } : {}),
  };
}

export function resolvePci(issues: Issues, value: unknown): ResolvedVm['pci'] {
  const list = issues.array('pci', value) ?? [];
  return list.flatMap((p, i) => {
    const at = `pci[${i}]`;
    const obj = isRecord(p) ? p : { host: p };
    if (isRecord(p)) issues.unknownKeys(at, p, ['host', 'rom', 'boot']);
    const address = pciAddress(issues, isRecord(p) ? `${at}.host` : at, obj.host);
    const rom = issues.absolutePath(`${at}.rom`, obj.rom);
    const boot = issues.integer(`${at}.boot`, obj.boot, { min: 1, max: 64 });
    return address ? [{ address, ...(rom ? { rom } : {}), ...(boot !== undefined ? { boot } : {}) }] : [];
  });
}

function usbId(issues: Issues, at: string, value: unknown): number | undefined {
  if (typeof value === 'number' && Number.isInteger(value) && value >= 0 && value <= 0xffff) return value;
  if (typeof value === 'string' && /^(0x)?[0-9a-f]{4}$/i.test(value))
    return parseInt(value.replace(/^0x/i, ''), 16);
  issues.add(at, `${describe(value)} is not a USB id (4 hex digits such as "046d", or 0x046d)`);
  return undefined;
}

/** `mdev`: UUIDs of mediated devices (`'…'` or `{ uuid, display }`), each once. */
export function resolveMdev(issues: Issues, value: unknown): ResolvedVm['mdev'] {
  const list = issues.array('mdev', value) ?? [];
  const seen = new Map<string, number>();
  return list.flatMap((m, i): ResolvedVm['mdev'] => {
    const at = `mdev[${i}]`;
    const obj = isRecord(m) ? (m as MdevConfig & Obj) : undefined;
    if (obj) issues.unknownKeys(at, obj, ['uuid', 'display']);
    const raw = obj ? obj.uuid : m;
    const uuid = issues.string(obj ? `${at}.uuid` : at, raw, { required: true });
    const display = obj ? issues.boolean(`${at}.display`, obj.display) : undefined;
    if (uuid === undefined) return [];
    if (!UUID_RE.test(uuid)) {
      issues.add(obj ? `${at}.uuid` : at, `"${uuid}" is not a UUID (as in /sys/bus/mdev/devices/<uuid>)`);
      return [];
    }
    const key = uuid.toLowerCase().replace(/-/g, '');
    const first = seen.get(key);
    if (first !== undefined)
      issues.add(at, `duplicate of mdev[${first}] (${uuid}): a mediated device has one user`);
    seen.set(key, i);
    return [{ uuid, display: display ?? DEFAULTS.mdev.display }];
  });
}

export function resolveUsb(issues: Issues, value: unknown): ResolvedVm['usb'] {
  const list = issues.array('usb', value) ?? [];
  return list.flatMap((u, i) => {
    const at = `usb[${i}]`;
    let dev: UsbIdConfig;
    if (typeof u === 'string') {
      const m = /^([0-9a-f]{4}):([0-9a-f]{4})$/i.exec(u);
      if (!m) {
        issues.add(at, `"${u}" is not vendor:product (e.g. "046d:c051", as lsusb shows it)`);
        return [];
      }
      dev = { vendor: m[1] as string, product: m[2] as string };
    } else if (issues.object(at, u, { required: true })) {
      if ('bus' in (u as Obj) || 'device' in (u as Obj)) return usbAddress(issues, at, u as Obj);
      dev = u as UsbIdConfig;
      issues.unknownKeys(at, u as Obj, ['vendor', 'product', 'required']);
    } else return [];
    const vendor = usbId(issues, `${at}.vendor`, dev.vendor);
    const product = usbId(issues, `${at}.product`, dev.product);
    const required = issues.boolean(`${at}.required`, dev.required) ?? DEFAULTS.usb.required;
    return vendor !== undefined && product !== undefined ? [{ vendor, product, required }] : [];
  });
}

/** `{ bus, device }`: the numbers lsusb prints (the importer's range, QEMU's hostbus/hostaddr). */
function usbAddress(issues: Issues, at: string, u: Obj): ResolvedVm['usb'] {
  issues.unknownKeys(at, u, ['bus', 'device']);
  const bus = issues.integer(`${at}.bus`, u.bus, { min: 0, max: 255, required: true });
  const device = issues.integer(`${at}.device`, u.device, { min: 0, max: 255, required: true });
  return bus !== undefined && device !== undefined ? [{ bus, device }] : [];
}

/** The same host function passed through twice would make libvirt refuse the domain: say so here. */
export function checkPciConflicts(issues: Issues, vm: ResolvedVm): void {
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
