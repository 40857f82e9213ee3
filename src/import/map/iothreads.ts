/**
 * `-object iothread,id=io1`: counted into `<iothreads>`, numbered 1… in order, so that a controller's
 * or disk's `iothread=io1` becomes `<driver iothread='1'/>`.
 */
import type { ImportContext } from '../context.js';

export function mapIothreads(ctx: ImportContext): void {
  for (const opt of ctx.find('-object')) {
    const p = ctx.props(opt);
    if (p.str('qom-type') !== 'iothread') continue;
    opt.consumed = true;
    const id = p.str('id');
    if (id === undefined) throw ctx.error(opt, 'an iothread object needs an id');
    ctx.iothreads.set(id, ctx.iothreads.size + 1);
    ctx.reportUnused(opt, p);
  }
  if (ctx.iothreads.size) ctx.domain.iothreads = { value: ctx.iothreads.size };
}

/** The libvirt number of the I/O thread a device names; warns when there is no such object. */
export function iothreadNumber(ctx: ImportContext, id: string | undefined): number | undefined {
  if (id === undefined) return undefined;
  const n = ctx.iothreads.get(id);
  if (n === undefined) ctx.warn(`iothread '${id}' is not defined by any -object iothread: not carried over`);
  return n;
}
