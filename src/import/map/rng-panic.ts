/**
 * Small platform devices: the virtio RNG (`virtio-rng-pci` over an `rng-random`/`rng-builtin`
 * object) and panic notifiers (`pvpanic`, `pvpanic-pci`), as the model's `<rng>` and `<panic>`.
 */
import type { DomainRNG } from '../../domain/model.js';
import type { ImportContext } from '../context.js';
import { ignoreCommon, type DeviceHandler, type DeviceOpt } from './devices.js';
import { pciAddress } from './pci.js';

/** `virtio-rng-pci,rng=ID` -> `<rng model='virtio'><backend model='random'>/dev/urandom</backend>`. */
function rng(dev: DeviceOpt, ctx: ImportContext): boolean {
  const id = dev.props.str('rng');
  const object = id === undefined ? undefined : ctx.lookup(['-object'], 'id', id);
  if (id !== undefined && !object) return false;
  let backend: NonNullable<DomainRNG['backend']> = { model: 'builtin' };
  if (object) {
    const p = ctx.props(object);
    const type = p.str('qom-type');
    if (type === 'rng-random') backend = { model: 'random', path: p.str('filename') ?? '/dev/random' };
    else if (type !== 'rng-builtin') return false;
    p.ignore('id', 'qom-type');
    object.consumed = true;
    ctx.reportUnused(object, p);
  }
  ignoreCommon(dev.props);
  const address = pciAddress(ctx, dev);
  ctx.add('rng', { model: 'virtio', backend, ...(address ? { address } : {}) });
  return true;
}

function panic(model: string): DeviceHandler {
  return (dev, ctx) => {
    ignoreCommon(dev.props);
    dev.props.ignore('ioport');
    const address = model === 'pvpanic' ? pciAddress(ctx, dev) : undefined;
    ctx.add('panic', { model, ...(address ? { address } : {}) });
  };
}

export const rngPanicHandlers: Record<string, DeviceHandler> = {
  'virtio-rng-pci': rng,
  'virtio-rng': rng,
  pvpanic: panic('isa'),
  'pvpanic-pci': panic('pvpanic'),
};
