/**
 * USB: controllers (`-usb`, `qemu-xhci`, `piix3-usb-uhci`…), host devices passed through
 * (`usb-host` by vendor/product, bus/address or `/dev/bus/usb/…` path) and the legacy `-usbdevice`
 * (`host:046d:c051`, `host:14.6`, `tablet`, `mouse`, `keyboard`, `disk:FILE`).
 */
import type { DomainController, DomainHostdev } from '../../domain/model.js';
import type { Opt } from '../argv.js';
import type { ImportContext } from '../context.js';
import { ImportError } from '../errors.js';
import type { Props } from '../options.js';
import { controllerIndex } from './controllers.js';
import { ignoreCommon, type DeviceHandler, type DeviceOpt } from './devices.js';
import { localSource } from './disk-source.js';
import { addDiskSpec } from './disks.js';
import { pciAddress } from './pci.js';
import { usbAddress } from './usb-address.js';

/** QEMU USB host controller -> libvirt model. */
const USB_MODELS: Record<string, string> = {
  'piix3-usb-uhci': 'piix3-uhci',
  'piix4-usb-uhci': 'piix4-uhci',
  'usb-ehci': 'ehci',
  'ich9-usb-ehci1': 'ich9-ehci1',
  'ich9-usb-uhci1': 'ich9-uhci1',
  'ich9-usb-uhci2': 'ich9-uhci2',
  'ich9-usb-uhci3': 'ich9-uhci3',
  'vt82c686b-usb-uhci': 'vt82c686b-uhci',
  'pci-ohci': 'pci-ohci',
  'nec-usb-xhci': 'nec-xhci',
  'qemu-xhci': 'qemu-xhci',
};

function usbController(dev: DeviceOpt, ctx: ImportContext): void {
  const p = dev.props;
  ignoreCommon(p);
  const master = p.str('masterbus');
  const masterBus = master === undefined ? undefined : ctx.buses.get(master);
  if (master !== undefined && masterBus?.kind !== 'usb')
    throw p.error('masterbus', `no USB controller '${master}' on the command line (QEMU would not start)`);
  if (master === undefined && /^ich9-usb-uhci/.test(dev.driver))
    throw p.error(
      'masterbus',
      'an ICH9 UHCI companion needs masterbus= (libvirt refuses it without its EHCI master)',
    );
  const index =
    masterBus?.kind === 'usb'
      ? masterBus.controller
      : controllerIndex(ctx, 'usb', dev.id === 'usb' ? 'usb0' : dev.id);
  const c: DomainController = { type: 'usb', index, model: USB_MODELS[dev.driver] as string };
  const firstport = p.int('firstport');
  if (masterBus) c.master = { startport: firstport ?? 0 };
  const ports = p.int('p2') ?? p.int('p3');
  if (ports !== undefined && /xhci/.test(dev.driver)) c.ports = Math.max(p.int('p2') ?? 0, p.int('p3') ?? 0);
  const address = pciAddress(ctx, dev);
  if (address) c.address = address;
  ctx.add('controller', c);
  if (dev.id) ctx.buses.set(`${dev.id}.0`, { kind: 'usb', controller: index });
}

/** `-usb` / `-machine usb=on`: QEMU's default controller, which libvirt adds by itself. */
export function mapUsbDefaults(ctx: ImportContext): void {
  const machine = ctx.opts.find((o) => o.name === '-machine' && o.value !== undefined);
  const usbOn =
    ctx.take('-usb').length > 0 || (machine !== undefined && ctx.props(machine).bool('usb') === true);
  const controllers = ctx.list('controller').some((c) => c.type === 'usb');
  if (usbOn && !ctx.buses.has('usb.0')) {
    ctx.buses.set('usb.0', { kind: 'usb', controller: 0 });
    ctx.buses.set('usb-bus.0', { kind: 'usb', controller: 0 });
  }
  if (!usbOn && !controllers && !usesUsb(ctx)) ctx.add('controller', { type: 'usb', model: 'none' });
}

function usesUsb(ctx: ImportContext): boolean {
  return ctx.opts.some(
    (o) =>
      o.name === '-usbdevice' ||
      (o.name === '-device' && o.value !== undefined && /^(\{.*"driver":"usb-|usb-)/.test(o.value)),
  );
}

// ---- host devices -----------------------------------------------------------------------------------

/** `0x046d`, `046d` -> `0x046d` */
function usbId(text: string): string {
  if (!/^(0x)?[0-9a-f]{1,4}$/i.test(text))
    throw new ImportError(`USB id '${text}' is not a 16-bit hexadecimal number such as 0x046d`);
  return '0x' + text.replace(/^0x/i, '').toLowerCase().padStart(4, '0');
}

function usbHostdev(source: NonNullable<DomainHostdev['source']>): DomainHostdev {
  return { mode: 'subsystem', type: 'usb', managed: true, source };
}

/** By vendor:product: QEMU attaches it whenever it is plugged; libvirt's nearest is an optional device. */
function byVendorProduct(vendor: string, product: string): DomainHostdev {
  return usbHostdev({
    startupPolicy: 'optional',
    vendor: { id: usbId(vendor) },
    product: { id: usbId(product) },
  });
}

function byBusDevice(bus: string, device: string): DomainHostdev {
  for (const n of [bus, device])
    if (!/^\d{1,3}$/.test(n) || Number(n) > 255)
      throw new ImportError(`USB bus or device number '${n}' is not a number from 0 to 255`);
  return usbHostdev({
    address: { bus: String(Number(bus)), device: String(Number(device)) },
  });
}

function usbHost(dev: DeviceOpt, ctx: ImportContext): boolean {
  const p = dev.props;
  const hostdev = usbHostSource(p);
  if (!hostdev) return false;
  ignoreCommon(p);
  const address = usbAddress(ctx, p);
  if (address) hostdev.address = address;
  const boot = p.bootIndex();
  if (boot !== undefined) hostdev.boot = { order: boot };
  // libvirt's defaults for <source guestReset>.
  if (p.bool('guest-reset') !== false && p.bool('guest-resets-all') !== true)
    p.ignore('guest-reset', 'guest-resets-all');
  ctx.add('hostdev', hostdev);
  return true;
}

function usbHostSource(p: Props): DomainHostdev | undefined {
  const vendor = p.str('vendorid');
  const product = p.str('productid');
  if (vendor && product) return byVendorProduct(vendor, product);
  const bus = p.str('hostbus');
  const addr = p.str('hostaddr');
  if (bus && addr) return byBusDevice(bus, addr);
  const path = /^\/dev\/bus\/usb\/(\d+)\/(\d+)$/.exec(p.str('hostdevice') ?? '');
  if (path) return byBusDevice(path[1] as string, path[2] as string);
  return undefined;
}

/** `-usbdevice host:VVVV:PPPP`, `host:BUS.ADDR`, `tablet`, `mouse`, `keyboard`, `disk:FILE`. */
export function mapUsbdevice(ctx: ImportContext): void {
  for (const opt of ctx.find('-usbdevice')) {
    if (legacyUsb(ctx, opt)) opt.consumed = true;
  }
}

function legacyUsb(ctx: ImportContext, opt: Opt): boolean {
  const v = opt.value ?? '';
  const vp = /^host:([0-9a-f]{1,4}):([0-9a-f]{1,4})$/i.exec(v);
  if (vp) return !!ctx.add('hostdev', byVendorProduct(vp[1] as string, vp[2] as string));
  const ba = /^host:(\d+)\.(\d+)$/.exec(v);
  if (ba) return !!ctx.add('hostdev', byBusDevice(ba[1] as string, ba[2] as string));
  const input = ({ tablet: 'tablet', mouse: 'mouse', keyboard: 'keyboard' } as const)[v as 'tablet'];
  if (input) return !!ctx.add('input', { type: input, bus: 'usb' });
  if (v.startsWith('disk:')) {
    const info = localSource(v.slice(5));
    addDiskSpec(
      ctx,
      { type: info.type, device: 'disk', ...(info.source ? { source: info.source } : {}) },
      'usb',
      opt,
    );
    return true;
  }
  return false;
}

export const usbControllerHandlers: Record<string, DeviceHandler> = Object.fromEntries(
  Object.keys(USB_MODELS).map((d) => [d, usbController]),
);

export const usbHandlers: Record<string, DeviceHandler> = { 'usb-host': usbHost };
