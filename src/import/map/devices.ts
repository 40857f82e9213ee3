/**
 * `-device`: parsed once, then dispatched by driver name to the mapper of its concern. A driver no
 * mapper knows stays unconsumed and ends in `<qemu:commandline>`.
 */
import type { Opt } from '../argv.js';
import type { ImportContext } from '../context.js';
import type { Props } from '../options.js';

export interface DeviceOpt {
  opt: Opt;
  props: Props;
  driver: string;
  id?: string;
}

/** Maps one device; returns false to leave it unmapped (kept verbatim). */
export type DeviceHandler = (dev: DeviceOpt, ctx: ImportContext) => boolean | void;

/** The `-device` options not yet mapped, parsed. */
export function pendingDevices(ctx: ImportContext): DeviceOpt[] {
  return ctx.find('-device').map((opt) => {
    const props = ctx.props(opt);
    const driver = props.str('driver');
    if (!driver) throw ctx.error(opt, 'a device needs a driver name');
    const id = props.str('id');
    return { opt, props, driver, ...(id !== undefined ? { id } : {}) };
  });
}

/** Runs the handlers over the pending devices, in command-line order. */
export function dispatchDevices(ctx: ImportContext, handlers: Record<string, DeviceHandler>): void {
  for (const dev of pendingDevices(ctx)) {
    const handler = handlers[dev.driver];
    if (!handler) continue;
    if (handler(dev, ctx) === false) continue;
    dev.opt.consumed = true;
    ctx.reportUnused(dev.opt, dev.props);
  }
}

/** Properties libvirt sets on most devices that say nothing the domain XML does not already say. */
export function ignoreCommon(p: Props): void {
  p.ignore('id', 'driver');
}
