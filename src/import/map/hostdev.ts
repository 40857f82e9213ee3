/**
 * PCI passthrough: `-device vfio-pci,host=02:00.0,…` and the legacy `-pcidevice host=…` (KVM device
 * assignment, gone from QEMU: imported as VFIO, which is what libvirt uses).
 */
import { parsePciAddress, type PciAddress } from '../../domain/address.js';
import { vfioHostdev } from '../../domain/hostdev.js';
import type { ImportContext } from '../context.js';
import { ignoreCommon, type DeviceHandler, type DeviceOpt } from './devices.js';
import { pciAddress } from './pci.js';

/** `host=02:00.0` or `sysfsdev=/sys/bus/pci/devices/0000:02:00.0`. */
function hostAddress(dev: DeviceOpt): PciAddress | undefined {
  const p = dev.props;
  const host = p.str('host') ?? /([^/]+)\/?$/.exec(p.str('sysfsdev') ?? '')?.[1];
  if (host === undefined) return undefined;
  const a = parsePciAddress(host);
  if (!a) throw p.error('host', `expected a host PCI address such as 02:00.0, found '${host}'`);
  return a;
}

const MDEV =
  /^\/sys\/bus\/mdev\/devices\/([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})\/?$/i;

/** `vfio-pci,sysfsdev=/sys/bus/mdev/devices/UUID` (GVT-g, vGPU): `<hostdev type='mdev'>`. */
function mdev(dev: DeviceOpt, ctx: ImportContext): boolean {
  const uuid = MDEV.exec(dev.props.str('sysfsdev') ?? '')?.[1];
  if (!uuid) return false;
  const p = dev.props;
  ignoreCommon(p);
  const display = p.bool('display');
  const address = pciAddress(ctx, dev);
  ctx.add('hostdev', {
    mode: 'subsystem',
    type: 'mdev',
    model: 'vfio-pci',
    ...(display !== undefined ? { display } : {}),
    source: { address: { uuid: uuid.toLowerCase() } },
    ...(address ? { address } : {}),
  });
  return true;
}

function vfioPci(dev: DeviceOpt, ctx: ImportContext): boolean {
  if (mdev(dev, ctx)) return true;
  const host = hostAddress(dev);
  if (!host) return false;
  const p = dev.props;
  ignoreCommon(p);
  const hostdev = vfioHostdev(host);
  const rombar = p.int('rombar');
  const bar = rombar === undefined ? undefined : rombar !== 0;
  const file = p.str('romfile');
  if (bar !== undefined || file !== undefined) {
    hostdev.rom = { ...(bar !== undefined ? { bar } : {}), ...(file !== undefined ? { file } : {}) };
  }
  const boot = p.bootIndex();
  if (boot !== undefined) hostdev.boot = { order: boot };
  const address = pciAddress(ctx, dev);
  if (address) hostdev.address = address;
  ctx.add('hostdev', hostdev);
  return true;
}

/** `-pcidevice host=06:12.5` */
export function mapPcidevice(ctx: ImportContext): void {
  for (const opt of ctx.take('-pcidevice')) {
    const p = ctx.props(opt);
    const host = p.str('host') ?? '';
    const a = parsePciAddress(host);
    if (!a) throw ctx.error(opt, `expected host=BB:SS.F, found '${host}'`);
    ctx.add('hostdev', vfioHostdev(a));
    ctx.warn(
      `${opt.written} ${opt.value} (argument ${opt.index}): legacy KVM assignment imported as VFIO passthrough`,
    );
    p.ignore('id');
    ctx.reportUnused(opt, p);
  }
}

export const hostdevHandlers: Record<string, DeviceHandler> = { 'vfio-pci': vfioPci };
