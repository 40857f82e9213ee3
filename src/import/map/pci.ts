/**
 * The guest PCI topology: root buses, PCI(e) controllers given with `-device` (root ports such as the
 * guide's `ioh3420`, bridges, switches, expander buses), and the guest address of every PCI device
 * (`bus=root.1,addr=00.1,multifunction=on`).
 *
 * libvirt requires a PCI controller's index to equal the bus number it provides, so controllers are
 * numbered first, in command-line order, keeping libvirt's own `pci.N` ids at N.
 */
import type { DomainAddress, DomainController } from '../../domain/model.js';
import type { ImportContext } from '../context.js';
import { ignoreCommon, pendingDevices, type DeviceOpt } from './devices.js';

interface PciControllerKind {
  model: string;
  /** Only slot 0 exists below it (PCIe ports). */
  port?: boolean;
}

/** QEMU driver -> libvirt controller model; the driver is kept as `<model name>`. */
const PCI_CONTROLLERS: Record<string, PciControllerKind> = {
  'pcie-root-port': { model: 'pcie-root-port', port: true },
  ioh3420: { model: 'pcie-root-port', port: true },
  'xio3130-downstream': { model: 'pcie-switch-downstream-port', port: true },
  'x3130-upstream': { model: 'pcie-switch-upstream-port' },
  'pci-bridge': { model: 'pci-bridge' },
  'pcie-pci-bridge': { model: 'pcie-to-pci-bridge' },
  'i82801b11-bridge': { model: 'dmi-to-pci-bridge' },
  pxb: { model: 'pci-expander-bus' },
  'pxb-pcie': { model: 'pcie-expander-bus' },
  'spapr-pci-host-bridge': { model: 'pci-root' },
};

export function isQ35(machine: string | undefined): boolean {
  return !!machine && /q35/.test(machine);
}

/** The buses every machine of the family has. */
export function registerBuiltinBuses(ctx: ImportContext): void {
  ctx.q35 = isQ35(ctx.domain.os?.type?.machine);
  ctx.buses.set('pci.0', { kind: 'pci', controller: 0 });
  ctx.buses.set('pcie.0', { kind: 'pci', controller: 0 });
  for (let n = 0; n < 6; n++) {
    ctx.buses.set(
      `ide.${n}`,
      ctx.q35 ? { kind: 'sata', controller: 0, bus: 0, port: true } : { kind: 'ide', controller: 0, bus: n },
    );
  }
}

/** Numbers and maps the PCI controllers; must run before any other device. */
export function mapPciControllers(ctx: ImportContext): void {
  const devs = pendingDevices(ctx).filter((d) => d.driver in PCI_CONTROLLERS);
  const taken = new Set<number>([0]);
  const wanted = new Map<DeviceOpt, number>();
  for (const d of devs) {
    const n = /^pci\.(\d+)$/.exec(d.id ?? '');
    const index = n ? Number(n[1]) : undefined;
    if (index !== undefined && !taken.has(index)) {
      taken.add(index);
      wanted.set(d, index);
    }
  }
  let next = 1;
  for (const d of devs) {
    let index = wanted.get(d);
    if (index === undefined) {
      while (taken.has(next)) next++;
      index = next;
      taken.add(index);
    }
    pciController(ctx, d, index);
    d.opt.consumed = true;
    ctx.reportUnused(d.opt, d.props);
  }
}

function pciController(ctx: ImportContext, dev: DeviceOpt, index: number): void {
  const kind = PCI_CONTROLLERS[dev.driver] as PciControllerKind;
  const p = dev.props;
  ignoreCommon(p);
  const c: DomainController = { type: 'pci', index, model: kind.model, model_: { name: dev.driver } };
  const target: NonNullable<DomainController['target']> = {};
  // QEMU's chassis, port, chassis_nr and bus_nr are 8-bit registers of the PCIe capability.
  for (const key of ['chassis', 'port', 'chassis_nr', 'bus_nr']) {
    const n = p.int(key);
    if (n !== undefined && (n < 0 || n > 255)) throw p.error(key, `expected 0 to 255, found ${n}`);
  }
  const chassis = p.int('chassis');
  if (chassis !== undefined) target.chassis = chassis;
  const port = p.int('port');
  if (port !== undefined) target.port = '0x' + port.toString(16);
  const chassisNr = p.int('chassis_nr');
  if (chassisNr !== undefined) target.chassisNr = chassisNr;
  const busNr = p.int('bus_nr');
  if (busNr !== undefined) target.busNr = busNr;
  if (Object.keys(target).length) c.target = target;
  const address = pciAddress(ctx, dev);
  if (address) c.address = address;
  ctx.add('controller', c);
  if (dev.id) ctx.buses.set(dev.id, { kind: 'pci', controller: index, ...(kind.port ? { port: true } : {}) });
}

/** `addr=1c.0`, `addr=0x1c`, `addr=0x2.0x1`, `addr=00.1` -> slot and function (hex, as QEMU reads it). */
export function parseDevfn(text: string): { slot: number; fn: number } | undefined {
  const m = /^(?:0x)?([0-9a-f]{1,2})(?:\.(?:0x)?([0-7]))?$/i.exec(text.trim());
  if (!m) return undefined;
  const slot = parseInt(m[1] as string, 16);
  if (slot > 0x1f) return undefined;
  return { slot, fn: m[2] ? parseInt(m[2], 16) : 0 };
}

const hex = (n: number, width: number): string => '0x' + n.toString(16).padStart(width, '0');

/**
 * The guest PCI address of a device from `bus`, `addr` and `multifunction`. Without `addr` the
 * address is left to libvirt, except below a PCIe port, whose only slot is 0.
 */
export function pciAddress(ctx: ImportContext, dev: DeviceOpt): DomainAddress | undefined {
  const p = dev.props;
  const busName = p.str('bus');
  const addr = p.str('addr');
  const multifunction = p.bool('multifunction');
  const bus = busName === undefined ? ctx.buses.get('pci.0') : ctx.buses.get(busName);
  if (!bus || bus.kind !== 'pci') {
    ctx.warn(
      `${dev.driver}${dev.id ? ` '${dev.id}'` : ''}: unknown PCI bus '${busName}': libvirt will pick the address`,
    );
    return undefined;
  }
  let devfn = addr === undefined ? undefined : parseDevfn(addr);
  if (addr !== undefined && !devfn)
    throw p.error('addr', `expected a PCI slot[.function] such as 1c.0, found '${addr}'`);
  if (!devfn && bus.port) devfn = { slot: 0, fn: 0 };
  if (!devfn) return undefined;
  return {
    type: 'pci',
    domain: '0x0000',
    bus: hex(bus.controller, 2),
    slot: hex(devfn.slot, 2),
    function: hex(devfn.fn, 1),
    ...(multifunction ? { multifunction: true } : {}),
  };
}
