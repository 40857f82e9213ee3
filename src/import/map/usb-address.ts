/**
 * Guest USB addresses: `bus=usb.0,port=1` -> `<address type='usb' bus='0' port='1'/>`.
 */
import type { DomainAddress } from '../../domain/model.js';
import type { ImportContext } from '../context.js';
import type { Props } from '../options.js';

export function usbAddress(ctx: ImportContext, p: Props): DomainAddress | undefined {
  const busName = p.str('bus');
  const port = p.matching('port', /^\d{1,3}(\.\d{1,3}){0,4}$/, 'a USB port such as 1 or 1.2');
  if (busName === undefined && port === undefined) return undefined;
  const bus = busName === undefined ? undefined : ctx.buses.get(busName);
  if (busName !== undefined && bus?.kind !== 'usb') {
    ctx.warn(`unknown USB bus '${busName}': libvirt will pick the address`);
    return undefined;
  }
  return { type: 'usb', bus: String(bus?.controller ?? 0), ...(port !== undefined ? { port } : {}) };
}
