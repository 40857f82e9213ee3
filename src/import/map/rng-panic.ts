/**
 * Small devices libvirt has elements for that the model does not: the virtio RNG (`virtio-rng-pci`
 * over an `rng-random`/`rng-builtin` object) and panic notifiers (`pvpanic`, `pvpanic-pci`). Built
 * as XML and kept in `<devices>`' extra children.
 */
import type { XmlElement } from '../../domain/xml-node.js';
import type { ImportContext } from '../context.js';
import { ignoreCommon, type DeviceHandler, type DeviceOpt } from './devices.js';
import { pciAddress } from './pci.js';

function addDevice(ctx: ImportContext, el: XmlElement): void {
  const devices = (ctx.domain.devices ??= {});
  ((devices.$extra ??= {}).children ??= []).push(el);
}

function addressElement(ctx: ImportContext, dev: DeviceOpt): XmlElement[] {
  const a = pciAddress(ctx, dev);
  if (!a) return [];
  const attrs = Object.fromEntries(
    Object.entries(a).map(([k, v]) => [k, typeof v === 'boolean' ? (v ? 'on' : 'off') : String(v)]),
  );
  return [{ name: 'address', attrs, children: [] }];
}

/** `virtio-rng-pci,rng=ID` -> `<rng model='virtio'><backend model='random'>/dev/urandom</backend>`. */
function rng(dev: DeviceOpt, ctx: ImportContext): boolean {
  const id = dev.props.str('rng');
  const object = id === undefined ? undefined : ctx.lookup(['-object'], 'id', id);
  if (id !== undefined && !object) return false;
  let backend: XmlElement = { name: 'backend', attrs: { model: 'builtin' }, children: [] };
  if (object) {
    const p = ctx.props(object);
    const type = p.str('qom-type');
    if (type === 'rng-random') {
      backend = {
        name: 'backend',
        attrs: { model: 'random' },
        children: [p.str('filename') ?? '/dev/random'],
      };
    } else if (type !== 'rng-builtin') return false;
    p.ignore('id', 'qom-type');
    object.consumed = true;
    ctx.reportUnused(object, p);
  }
  ignoreCommon(dev.props);
  addDevice(ctx, {
    name: 'rng',
    attrs: { model: 'virtio' },
    children: [backend, ...addressElement(ctx, dev)],
  });
  return true;
}

function panic(model: string): DeviceHandler {
  return (dev, ctx) => {
    ignoreCommon(dev.props);
    dev.props.ignore('ioport');
    const children = model === 'pvpanic' ? addressElement(ctx, dev) : [];
    addDevice(ctx, { name: 'panic', attrs: { model }, children });
  };
}

export const rngPanicHandlers: Record<string, DeviceHandler> = {
  'virtio-rng-pci': rng,
  'virtio-rng': rng,
  pvpanic: panic('isa'),
  'pvpanic-pci': panic('pvpanic'),
};
