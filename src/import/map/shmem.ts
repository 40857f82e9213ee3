/**
 * Shared memory (`<shmem>`): `ivshmem-plain` over a `memory-backend-file` in /dev/shm (Looking Glass),
 * `ivshmem-doorbell` over a socket chardev, and the legacy `ivshmem` device.
 *
 * libvirt names the region by its file in /dev/shm; a region elsewhere (the kvmfr module's
 * /dev/kvmfr0) has no `<shmem>` form, so its device and backend are kept as written.
 */
import type { DomainShmem } from '../../domain/model.js';
import type { ImportContext } from '../context.js';
import type { Props } from '../options.js';
import { ignoreCommon, type DeviceHandler, type DeviceOpt } from './devices.js';
import { pciAddress } from './pci.js';

const MIB = 1024 * 1024;
/** libvirt's own doorbell socket: `<server/>` without a path means this one. */
const LIBVIRT_SOCKET = /^\/var\/lib\/libvirt\/shmem-(.+)-sock$/;

function finish(ctx: ImportContext, dev: DeviceOpt, shmem: DomainShmem): void {
  const p = dev.props;
  ignoreCommon(p);
  const master = p.str('master');
  if (master === 'on') shmem.role = 'master';
  else if (master === 'off') shmem.role = 'peer';
  const address = pciAddress(ctx, dev);
  if (address) shmem.address = address;
  ctx.add('shmem', shmem);
}

function size(bytes: number | undefined): DomainShmem['size'] {
  return bytes === undefined ? undefined : { unit: 'M', value: Math.ceil(bytes / MIB) };
}

function plain(dev: DeviceOpt, ctx: ImportContext): boolean {
  const memdev = dev.props.str('memdev');
  const backend = memdev === undefined ? undefined : ctx.lookup(['-object'], 'id', memdev);
  if (!backend) return false;
  const b = ctx.props(backend);
  const name = /^\/dev\/shm\/([^/]+)$/.exec(b.str('mem-path') ?? '')?.[1];
  if (!name) {
    ctx.warn(
      `-device ivshmem-plain (argument ${dev.opt.index}): memory '${b.str('mem-path')}' is not in /dev/shm, which <shmem> needs; kept as written`,
    );
    return false;
  }
  backend.consumed = true;
  b.ignore('id', 'mem-path', 'share', 'qom-type');
  const shmem: DomainShmem = { name, model: { type: 'ivshmem-plain' } };
  const s = size(b.size('size'));
  if (s) shmem.size = s;
  ctx.reportUnused(backend, b);
  finish(ctx, dev, shmem);
  return true;
}

function doorbell(dev: DeviceOpt, ctx: ImportContext): boolean {
  const p = dev.props;
  const chardevId = p.str('chardev');
  const chardev = chardevId === undefined ? undefined : ctx.lookup(['-chardev'], 'id', chardevId);
  if (!chardev) return false;
  const c = ctx.props(chardev);
  const path = c.matching('path', /^\//, 'an absolute socket path') ?? '';
  chardev.consumed = true;
  c.ignore('id', 'backend', 'path');
  const own = LIBVIRT_SOCKET.exec(path);
  const shmem: DomainShmem = { name: own?.[1] ?? dev.id ?? 'shmem', model: { type: 'ivshmem-doorbell' } };
  shmem.server = own ? {} : { path };
  msi(p, shmem);
  ctx.reportUnused(chardev, c);
  finish(ctx, dev, shmem);
  return true;
}

function msi(p: Props, shmem: DomainShmem): void {
  const vectors = p.int('vectors');
  const ioeventfd = p.bool('ioeventfd');
  if (vectors === undefined && ioeventfd !== false) return;
  shmem.msi = {
    ...(vectors !== undefined ? { vectors } : {}),
    ...(ioeventfd !== undefined ? { ioeventfd } : {}),
  };
}

/** The old `ivshmem,shm=NAME,size=64M` (or with `chardev=`). */
function legacy(dev: DeviceOpt, ctx: ImportContext): boolean {
  const p = dev.props;
  const name = p.str('shm');
  if (!name) return false;
  const shmem: DomainShmem = { name, model: { type: 'ivshmem' } };
  const s = size(p.size('size', 'M'));
  if (s) shmem.size = s;
  finish(ctx, dev, shmem);
  return true;
}

export const shmemHandlers: Record<string, DeviceHandler> = {
  'ivshmem-plain': plain,
  'ivshmem-doorbell': doorbell,
  ivshmem: legacy,
};
