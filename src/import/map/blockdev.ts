/**
 * Disk backends: what a disk device's `drive=` names, as libvirt needs it (source, format, cache,
 * io, discard, read-only). Either a classic `-drive` or a `-blockdev` chain: a format node (`qcow2`,
 * `raw`) over a protocol node (`file`, `host_device`, `nbd`, `rbd`…), the child given by name or inline.
 */
import type { DomainDisk } from '../../domain/model.js';
import type { Opt } from '../argv.js';
import type { ImportContext } from '../context.js';
import type { Props } from '../options.js';
import {
  localSource,
  networkSource,
  parseFileSource,
  type NetHost,
  type SourceExtras,
  type SourceInfo,
} from './disk-source.js';

export type DiskDriver = NonNullable<DomainDisk['driver']>;

export interface DiskBackend {
  info?: SourceInfo;
  driver: DiskDriver;
  readonly?: boolean;
  cdrom?: boolean;
  serial?: string;
  /** The options this backend is made of, consumed with the device. */
  opts: Opt[];
}

const FORMATS = new Set([
  'raw',
  'qcow2',
  'qcow',
  'qed',
  'vmdk',
  'vdi',
  'vpc',
  'vhdx',
  'luks',
  'parallels',
  'dmg',
  'cloop',
  'bochs',
]);

/** The `-blockdev` chain whose top node is `nodeName`; undefined when no such node exists. */
export function blockdevBackend(ctx: ImportContext, nodeName: string): DiskBackend | undefined {
  const top = ctx.lookup(['-blockdev'], 'node-name', nodeName);
  if (!top) return undefined;
  const p = ctx.props(top);
  const backend: DiskBackend = { driver: {}, opts: [top] };
  const driver = p.str('driver') ?? '';
  let storage: NodeView = { p, prefix: '', opt: top };
  if (FORMATS.has(driver)) {
    backend.driver.type = driver;
    storage = childNode(ctx, p, 'file', top, backend) ?? storage;
    p.ignore('file');
  }
  if (p.bool('read-only')) backend.readonly = true;
  const discard = p.str('discard');
  if (discard === 'unmap' || discard === 'ignore') backend.driver.discard = discard;
  cacheOf(p, '', backend.driver);
  detectZeroes(p, '', backend.driver);
  if (storage.p !== p || storage.prefix) {
    // libvirt repeats these on the storage node below a format node; the top node's say it.
    for (const k of [
      'discard',
      'auto-read-only',
      'read-only',
      'node-name',
      'cache.direct',
      'cache.no-flush',
      'detect-zeroes',
    ]) {
      storage.p.ignore(storage.prefix + k);
    }
    cacheOf(storage.p, storage.prefix, backend.driver);
  }
  const aio = storage.p.matching(
    storage.prefix + 'aio',
    /^(threads|native|io_uring)$/,
    'threads, native or io_uring',
  );
  if (aio) backend.driver.io = aio;
  backend.info = protocolSource(ctx, storage);
  p.ignore('node-name', 'auto-read-only', 'backing');
  if (p.has('backing') && p.raw('backing') !== null) {
    ctx.warn(`-blockdev '${nodeName}': its backing chain is left to libvirt, which reads it from the image`);
  }
  return backend;
}

interface NodeView {
  p: Props;
  prefix: string;
  opt: Opt;
}

/** The `file` child: another `-blockdev` by node name, or inline (`file.driver`, `file.filename`). */
function childNode(
  ctx: ImportContext,
  p: Props,
  key: string,
  top: Opt,
  backend: DiskBackend,
): NodeView | undefined {
  const ref = p.str(key);
  if (ref !== undefined && !p.has(key + '.driver')) {
    const child = ctx.lookup(['-blockdev'], 'node-name', ref);
    if (!child) return undefined;
    backend.opts.push(child);
    return { p: ctx.props(child), prefix: '', opt: child };
  }
  return p.keysUnder(key).length ? { p, prefix: key + '.', opt: top } : undefined;
}

/** cache.direct / cache.no-flush -> libvirt's cache mode (the device's write-cache is read by the caller). */
export function cacheOf(p: Props, prefix: string, driver: DiskDriver): void {
  const direct = p.bool(prefix + 'cache.direct');
  const noFlush = p.bool(prefix + 'cache.no-flush');
  if (direct === undefined && noFlush === undefined) return;
  if (noFlush) driver.cache = 'unsafe';
  else if (direct) driver.cache = driver.cache === 'directsync' ? 'directsync' : 'none';
  else if (driver.cache === undefined) driver.cache = 'writeback';
}

/** A device's `write-cache=off` turns none into directsync and writeback into writethrough. */
export function applyWriteCache(driver: DiskDriver, writeCache: boolean | undefined): void {
  if (writeCache !== false) return;
  if (driver.cache === 'none') driver.cache = 'directsync';
  else if (driver.cache === 'writeback') driver.cache = 'writethrough';
}

function detectZeroes(p: Props, prefix: string, driver: DiskDriver): void {
  const dz = p.str(prefix + 'detect-zeroes');
  if (dz) driver.detect_zeroes = dz;
}

/** The source of a protocol node. */
function protocolSource(ctx: ImportContext, n: NodeView): SourceInfo | undefined {
  const get = (k: string): string | undefined => n.p.str(n.prefix + k);
  const driver = get('driver');
  switch (driver) {
    case 'file':
    case 'host_device':
    case 'host_cdrom': {
      const filename = get('filename');
      n.p.ignore(n.prefix + 'locking');
      return filename === undefined ? undefined : localSource(filename, driver !== 'file');
    }
    case 'nbd':
      return networkSource('nbd', get('export'), [inetOrUnix(n, 'server.')]);
    case 'rbd':
      return rbdSource(n);
    case 'iscsi': {
      const lun = get('lun') ?? '0';
      const portal = get('portal') ?? '';
      const [name, port] = portal.split(':');
      n.p.ignore(n.prefix + 'transport', n.prefix + 'initiator-name');
      return networkSource('iscsi', `${get('target')}/${lun}`, [{ name, ...(port ? { port } : {}) }]);
    }
    case 'gluster':
      return networkSource(
        'gluster',
        `${get('volume')}${get('path')?.replace(/^(?!\/)/, '/') ?? ''}`,
        servers(n),
      );
    case 'http':
    case 'https':
    case 'ftp':
    case 'ftps': {
      const url = get('url');
      return url === undefined ? undefined : parseFileSource(url);
    }
  }
  ctx.warn(`-blockdev driver '${driver}': no libvirt disk source known for it`);
  return undefined;
}

function inetOrUnix(n: NodeView, prefix: string): NetHost {
  const get = (k: string): string | undefined => n.p.str(n.prefix + prefix + k);
  if (get('type') === 'unix') return { transport: 'unix', socket: get('path') ?? '' };
  const port = get('port');
  return { name: get('host') ?? '', ...(port ? { port } : {}) };
}

function servers(n: NodeView): NetHost[] {
  const hosts: NetHost[] = [];
  for (let i = 0; n.p.has(`${n.prefix}server.${i}.type`) || n.p.has(`${n.prefix}server.${i}.host`); i++) {
    hosts.push(inetOrUnix(n, `server.${i}.`));
  }
  return hosts;
}

function rbdSource(n: NodeView): SourceInfo {
  const get = (k: string): string | undefined => n.p.str(n.prefix + k);
  const extras: SourceExtras = {};
  const snapshot = get('snapshot');
  if (snapshot) extras.snapshot = { name: snapshot };
  const conf = get('conf');
  if (conf) extras.config = { file: conf };
  n.p.ignore(n.prefix + 'auth-client-required', n.prefix + 'key-secret', n.prefix + 'user');
  return networkSource('rbd', `${get('pool')}/${get('image')}`, servers(n), extras);
}
