/**
 * Input devices: USB and virtio keyboards, mice and tablets, virtio host passthrough, and evdev
 * passthrough of the host's keyboard and mouse (`-object input-linux,evdev=…,grab_all=on`).
 */
import type { DomainInput } from '../../domain/model.js';
import type { ImportContext } from '../context.js';
import { ignoreCommon, type DeviceHandler, type DeviceOpt } from './devices.js';
import { pciAddress } from './pci.js';
import { usbAddress } from './usb-address.js';

const INPUT_DEVICES: Record<string, { type: string; bus: 'usb' | 'virtio' }> = {
  'usb-tablet': { type: 'tablet', bus: 'usb' },
  'usb-mouse': { type: 'mouse', bus: 'usb' },
  'usb-kbd': { type: 'keyboard', bus: 'usb' },
  'virtio-keyboard-pci': { type: 'keyboard', bus: 'virtio' },
  'virtio-mouse-pci': { type: 'mouse', bus: 'virtio' },
  'virtio-tablet-pci': { type: 'tablet', bus: 'virtio' },
  'virtio-input-host-pci': { type: 'passthrough', bus: 'virtio' },
};

function inputDevice(dev: DeviceOpt, ctx: ImportContext): void {
  const p = dev.props;
  ignoreCommon(p);
  const kind = INPUT_DEVICES[dev.driver] as { type: string; bus: 'usb' | 'virtio' };
  const input: DomainInput = { type: kind.type, bus: kind.bus };
  const evdev = p.str('evdev');
  if (evdev) input.source = { evdev };
  const address = kind.bus === 'usb' ? usbAddress(ctx, p) : pciAddress(ctx, dev);
  if (address) input.address = address;
  ctx.add('input', input);
}

/** `-object input-linux,id=…,evdev=/dev/input/by-id/…-event-kbd,grab_all=on,repeat=on,grab-toggle=…` */
export function mapEvdev(ctx: ImportContext): void {
  for (const opt of ctx.find('-object')) {
    const p = ctx.props(opt);
    if (p.str('qom-type') !== 'input-linux') continue;
    const dev = p.str('evdev');
    if (!dev) throw ctx.error(opt, 'an input-linux object needs evdev=');
    opt.consumed = true;
    const source: NonNullable<DomainInput['source']> = { dev };
    if (p.bool('grab_all')) source.grab = 'all';
    const repeat = p.bool('repeat');
    if (repeat !== undefined) source.repeat = repeat;
    const toggle = p.str('grab-toggle');
    if (toggle) source.grabToggle = toggle;
    p.ignore('id');
    ctx.add('input', { type: 'evdev', source });
    ctx.reportUnused(opt, p);
  }
}

export const inputHandlers: Record<string, DeviceHandler> = Object.fromEntries(
  Object.keys(INPUT_DEVICES).map((d) => [d, inputDevice]),
);
