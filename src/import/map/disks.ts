/**
 * Disks and CD-ROMs: disk devices over `-drive if=none`/`-blockdev` backends (`scsi-hd`, `ide-cd`,
 * `virtio-blk-pci`, `usb-storage`…), legacy `-drive if=ide|scsi|virtio|floppy`, and `-hda`…`-hdd`,
 * `-cdrom`, `-fda`/`-fdb`. Target names (`hda`, `sdc`, `vda`) are given at the end: explicit
 * positions first (IDE bus/unit, `-cdrom` = index 2), then the rest in command-line order.
 */
import type { DomainAddress, DomainDisk } from '../../domain/model.js';
import { describeOpt, type Opt } from '../argv.js';
import type { ImportContext } from '../context.js';
import { DISK_FORMATS, DRIVE_LIMITS, MAX_DRIVE_INDEX } from '../limits.js';
import type { Props } from '../options.js';
import { applyWriteCache, blockdevBackend, cacheOf, type DiskBackend } from './blockdev.js';
import { cephMonitors, localSource, parseFileSource } from './disk-source.js';
import { ignoreCommon, type DeviceHandler, type DeviceOpt } from './devices.js';
import { iothreadNumber } from './iothreads.js';
import { pciAddress } from './pci.js';
import { usbAddress } from './usb-address.js';

export type Bus = 'ide' | 'sata' | 'scsi' | 'virtio' | 'usb' | 'fdc';

interface DiskSpec {
  disk: DomainDisk;
  bus: Bus;
  /** Position within the bus's names (hda=0), when the command line fixes it. */
  index?: number;
  /** The option that named the image, for messages. */
  opt?: Opt;
}

const PREFIX: Record<Bus, string> = { ide: 'hd', sata: 'sd', scsi: 'sd', usb: 'sd', virtio: 'vd', fdc: 'fd' };

/** Disks found so far; named and added to the domain by `finishDisks`. */
const specsOf = new WeakMap<ImportContext, DiskSpec[]>();

function specs(ctx: ImportContext): DiskSpec[] {
  let list = specsOf.get(ctx);
  if (!list) specsOf.set(ctx, (list = []));
  return list;
}

// ---- backends -------------------------------------------------------------------------------------

/** `-drive` error policies -> libvirt's spelling. */
const ERROR_POLICY: Record<string, string> = {
  stop: 'stop',
  report: 'report',
  ignore: 'ignore',
  enospc: 'enospace',
};

/** The backend of a classic `-drive`. */
function driveBackend(ctx: ImportContext, opt: Opt): DiskBackend {
  const p = ctx.props(opt);
  const backend: DiskBackend = { driver: {}, opts: [opt] };
  const file = p.str('file');
  if (file !== undefined && file !== '') {
    const ceph = cephMonitors(ctx.env('CEPH_ARGS'));
    const block = p.str('file.driver') === 'host_device' || p.str('file.driver') === 'host_cdrom';
    backend.info = block ? localSource(file, true) : parseFileSource(file, ceph);
    if (backend.info.note) ctx.warn(`${describeOpt(opt)} (argument ${opt.index}): ${backend.info.note}`);
  }
  const format = p.str('format');
  if (format && !DISK_FORMATS.has(format))
    throw ctx.error(opt, `format=${format}: libvirt knows ${[...DISK_FORMATS].join(', ')}`);
  if (format) backend.driver.type = format;
  driveCache(p, backend);
  const aio = p.matching('aio', AIO_MODES, 'threads, native or io_uring');
  if (aio) backend.driver.io = aio;
  const discard = p.str('discard');
  if (discard === 'unmap' || discard === 'ignore') backend.driver.discard = discard;
  else if (discard === 'on' || discard === 'off')
    backend.driver.discard = discard === 'on' ? 'unmap' : 'ignore';
  const dz = p.str('detect-zeroes');
  if (dz) backend.driver.detect_zeroes = dz;
  errorPolicy(p, backend);
  if (p.bool('readonly')) backend.readonly = true;
  if (p.str('media') === 'cdrom') backend.cdrom = true;
  const serial = p.str('serial');
  if (serial) backend.serial = serial;
  // Placement is read by the caller; `file.debug` is libvirt's gluster log level from qemu.conf.
  p.ignore(
    'id',
    'if',
    'index',
    'bus',
    'unit',
    'media',
    'file.debug',
    'file.driver',
    'boot',
    'auto-read-only',
  );
  return backend;
}

export const AIO_MODES = /^(threads|native|io_uring)$/;
const CACHE_MODES = /^(none|writeback|writethrough|directsync|unsafe|on|off)$/;

function driveCache(p: Props, backend: DiskBackend): void {
  const cache = p.matching(
    'cache',
    CACHE_MODES,
    'a cache mode (none, writeback, writethrough, directsync, unsafe)',
  );
  if (cache) backend.driver.cache = cache === 'off' ? 'none' : cache === 'on' ? 'writeback' : cache;
  cacheOf(p, '', backend.driver);
}

function errorPolicy(p: Props, backend: DiskBackend): void {
  const werror = p.str('werror');
  const rerror = p.str('rerror');
  if (werror && ERROR_POLICY[werror]) backend.driver.error_policy = ERROR_POLICY[werror];
  if (rerror && ERROR_POLICY[rerror] && rerror !== werror)
    backend.driver.rerror_policy = ERROR_POLICY[rerror];
}

/** The backend a device's `drive=` names: a `-drive` id or a `-blockdev` node name. */
function namedBackend(ctx: ImportContext, name: string): DiskBackend | undefined {
  const drive = ctx.lookup(['-drive'], 'id', name);
  if (drive) return driveBackend(ctx, drive);
  return blockdevBackend(ctx, name);
}

// ---- disks ----------------------------------------------------------------------------------------

/** A disk element from a backend; `device` says disk/cdrom/floppy. */
function diskOf(backend: DiskBackend, device: 'disk' | 'cdrom' | 'floppy'): DomainDisk {
  const disk: DomainDisk = { type: backend.info?.type ?? 'file', device };
  if (Object.keys(backend.driver).length) disk.driver = { name: 'qemu', ...backend.driver };
  if (backend.info?.source) disk.source = backend.info.source;
  if (backend.readonly || device === 'cdrom') disk.readonly = {};
  if (backend.serial) disk.serial = { value: backend.serial };
  return disk;
}

/** Adds a disk to be named at the end (for other mappers: `-usbdevice disk:`). */
export function addDiskSpec(ctx: ImportContext, disk: DomainDisk, bus: Bus, opt: Opt, index?: number): void {
  specs(ctx).push({ disk, bus, opt, ...(index !== undefined ? { index } : {}) });
}

function addSpec(ctx: ImportContext, spec: DiskSpec, opts: Opt[]): void {
  for (const o of opts) o.consumed = true;
  specs(ctx).push({ ...spec, ...(opts[opts.length - 1] ? { opt: opts[opts.length - 1] } : {}) });
}

/** `-device ide-hd|ide-cd|scsi-hd|scsi-cd|virtio-blk-pci|usb-storage|floppy,drive=…` */
function diskDevice(dev: DeviceOpt, ctx: ImportContext): boolean {
  const p = dev.props;
  const driveName = p.str('drive');
  const backend = driveName === undefined ? { driver: {}, opts: [] } : namedBackend(ctx, driveName);
  if (!backend) {
    ctx.warn(
      `-device ${dev.driver} (argument ${dev.opt.index}): drive '${driveName}' is not defined: kept as written`,
    );
    return false;
  }
  const kind =
    dev.driver.endsWith('-cd') || backend.cdrom ? 'cdrom' : dev.driver === 'floppy' ? 'floppy' : 'disk';
  const disk = diskOf(backend, kind);
  applyWriteCache(disk.driver ?? {}, p.bool('write-cache'));
  commonDeviceProps(p, disk);
  const placed = placeDisk(ctx, dev, disk);
  if (!placed) return false;
  addSpec(ctx, placed, backend.opts);
  ignoreCommon(p);
  return true;
}

function commonDeviceProps(p: Props, disk: DomainDisk): void {
  const boot = p.bootIndex();
  if (boot !== undefined) disk.boot = { order: boot };
  const serial = p.str('serial');
  if (serial) disk.serial = { value: serial };
  const wwn = p.str('wwn');
  if (wwn) disk.wwn = { value: wwn.replace(/^0x/, '') };
  if (p.bool('share-rw')) disk.shareable = {};
  p.ignore('device_id', 'drive');
}

/** Bus, target index and guest address of a disk device. */
function placeDisk(ctx: ImportContext, dev: DeviceOpt, disk: DomainDisk): DiskSpec | undefined {
  const p = dev.props;
  if (dev.driver.startsWith('ide-')) return ideDisk(ctx, p, disk);
  if (dev.driver.startsWith('scsi-')) return scsiDisk(ctx, p, disk);
  if (dev.driver === 'usb-storage') {
    const removable = p.bool('removable');
    const address = usbAddress(ctx, p);
    if (address) disk.address = address;
    const spec: DiskSpec = { disk, bus: 'usb' };
    if (removable !== undefined) disk.target = { removable };
    return spec;
  }
  if (dev.driver === 'floppy') {
    const unit = p.int('unit');
    return { disk, bus: 'fdc', ...(unit !== undefined ? { index: unit } : {}) };
  }
  return virtioDisk(ctx, dev, disk);
}

function ideDisk(ctx: ImportContext, p: Props, disk: DomainDisk): DiskSpec {
  const bus = ctx.buses.get(p.str('bus') ?? 'ide.0');
  const unit = p.int('unit') ?? 0;
  if (bus?.kind === 'sata') {
    const port = Number(/\.(\d+)$/.exec(p.str('bus') ?? '')?.[1] ?? unit);
    disk.address = driveAddress(bus.controller, 0, port);
    return { disk, bus: 'sata', index: port };
  }
  const channel = bus?.bus ?? 0;
  disk.address = driveAddress(bus?.controller ?? 0, channel, unit);
  return { disk, bus: 'ide', index: channel * 2 + unit };
}

function scsiDisk(ctx: ImportContext, p: Props, disk: DomainDisk): DiskSpec {
  const busName = p.str('bus');
  const bus = busName === undefined ? { kind: 'scsi', controller: 0 } : ctx.buses.get(busName);
  const channel = p.int('channel') ?? 0;
  const target = p.int('scsi-id') ?? 0;
  const lun = p.int('lun') ?? 0;
  disk.address = {
    type: 'drive',
    controller: String(bus?.controller ?? 0),
    bus: String(channel),
    target: String(target),
    unit: String(lun),
  };
  if (disk.device === 'disk' && /^scsi-block/.test(p.str('driver') ?? '')) disk.device = 'lun';
  return { disk, bus: 'scsi' };
}

function virtioDisk(ctx: ImportContext, dev: DeviceOpt, disk: DomainDisk): DiskSpec {
  const p = dev.props;
  const iothread = iothreadNumber(ctx, p.str('iothread'));
  const queues = p.int('num-queues');
  if (iothread !== undefined || queues !== undefined) {
    disk.driver = {
      name: 'qemu',
      ...disk.driver,
      ...(iothread !== undefined ? { iothread } : {}),
      ...(queues !== undefined ? { queues } : {}),
    };
  }
  const address = pciAddress(ctx, dev);
  if (address) disk.address = address;
  p.ignore('scsi', 'config-wce');
  return { disk, bus: 'virtio' };
}

function driveAddress(controller: number, bus: number, unit: number): DomainAddress {
  return { type: 'drive', controller: String(controller), bus: String(bus), target: '0', unit: String(unit) };
}

export const diskHandlers: Record<string, DeviceHandler> = Object.fromEntries(
  [
    'ide-hd',
    'ide-cd',
    'ide-drive',
    'ide-disk',
    'scsi-hd',
    'scsi-cd',
    'scsi-disk',
    'scsi-block',
    'virtio-blk-pci',
    'virtio-blk',
    'virtio-blk-device',
    'virtio-blk-pci-transitional',
    'virtio-blk-pci-non-transitional',
    'usb-storage',
    'floppy',
  ].map((d) => [d, diskDevice]),
);

// ---- legacy options -------------------------------------------------------------------------------

/** `-drive if=ide|scsi|virtio|floppy` (the default interface is IDE, AHCI on q35). */
export function mapLegacyDrives(ctx: ImportContext): void {
  for (const opt of ctx.find('-drive')) {
    const p = ctx.props(opt);
    const iface = p.str('if') ?? defaultInterface(ctx);
    if (!['ide', 'scsi', 'virtio', 'floppy'].includes(iface)) continue;
    const backend = driveBackend(ctx, opt);
    const index = p.int('index');
    const bus = p.int('bus');
    const unit = p.int('unit');
    checkPosition(ctx, opt, iface, { index, bus, unit });
    const device = backend.cdrom ? 'cdrom' : iface === 'floppy' ? 'floppy' : 'disk';
    const disk = diskOf(backend, device);
    const spec = legacySpec(ctx, iface, disk, index, bus, unit);
    if (iface === 'virtio') {
      const address = pciAddress(ctx, { opt, props: p, driver: 'virtio-blk-pci' });
      if (address) disk.address = address;
    }
    addSpec(ctx, spec, [opt]);
    ctx.reportUnused(opt, p);
  }
}

function legacySpec(
  ctx: ImportContext,
  iface: string,
  disk: DomainDisk,
  index: number | undefined,
  bus: number | undefined,
  unit: number | undefined,
): DiskSpec {
  if (iface === 'ide') {
    const pos = index ?? (bus !== undefined || unit !== undefined ? (bus ?? 0) * 2 + (unit ?? 0) : undefined);
    if (ctx.q35) {
      if (pos !== undefined) disk.address = driveAddress(0, 0, pos);
      return { disk, bus: 'sata', ...(pos !== undefined ? { index: pos } : {}) };
    }
    if (pos !== undefined) disk.address = driveAddress(0, Math.floor(pos / 2), pos % 2);
    return { disk, bus: 'ide', ...(pos !== undefined ? { index: pos } : {}) };
  }
  if (iface === 'floppy') {
    const pos = index ?? unit;
    return { disk, bus: 'fdc', ...(pos !== undefined ? { index: pos } : {}) };
  }
  const pos = index ?? unit;
  return { disk, bus: iface as Bus, ...(pos !== undefined && iface !== 'virtio' ? { index: pos } : {}) };
}

/** `index=`, `bus=`, `unit=` within what QEMU takes for the interface. */
function checkPosition(
  ctx: ImportContext,
  opt: Opt,
  iface: string,
  pos: Record<'index' | 'bus' | 'unit', number | undefined>,
): void {
  const max = { index: MAX_DRIVE_INDEX, ...(DRIVE_LIMITS[iface] ?? { bus: 0, unit: 0 }) };
  for (const key of ['index', 'bus', 'unit'] as const) {
    const n = pos[key];
    if (n !== undefined && (n < 0 || n > max[key]))
      throw ctx.error(opt, `${key}=${n}: an if=${iface} drive takes ${key} 0 to ${max[key]}`);
  }
}

/** The interface of a `-drive` without `if=`, per machine (QEMU's block_default_type). */
function defaultInterface(ctx: ImportContext): string {
  if (/^ppc64/.test(ctx.arch)) return 'scsi';
  if (ctx.arch === 's390x') return 'virtio';
  return 'ide';
}

/** `-hda`…`-hdd`, `-cdrom`, `-fda`, `-fdb`, and a bare image path (read by QEMU as `-hda`). */
export function mapShortcutDrives(ctx: ImportContext): void {
  const positions: Record<string, [Bus | 'default', number, 'disk' | 'cdrom' | 'floppy']> = {
    '-hda': ['default', 0, 'disk'],
    '-hdb': ['default', 1, 'disk'],
    '-hdc': ['default', 2, 'disk'],
    '-hdd': ['default', 3, 'disk'],
    '-cdrom': ['default', 2, 'cdrom'],
    '-fda': ['fdc', 0, 'floppy'],
    '-fdb': ['fdc', 1, 'floppy'],
  };
  for (const opt of ctx.take(...Object.keys(positions))) {
    const [where, index, device] = positions[opt.name] as [
      Bus | 'default',
      number,
      'disk' | 'cdrom' | 'floppy',
    ];
    const info = opt.value ? parseFileSource(opt.value) : undefined;
    const disk = diskOf({ driver: {}, opts: [], ...(info ? { info } : {}) }, device);
    if (where === 'fdc' || defaultInterface(ctx) !== 'ide') {
      const bus = where === 'fdc' ? 'fdc' : (defaultInterface(ctx) as Bus);
      specs(ctx).push({ disk, bus, opt, ...(bus === 'virtio' ? {} : { index }) });
      continue;
    }
    if (ctx.q35) {
      disk.address = driveAddress(0, 0, index);
      specs(ctx).push({ disk, bus: 'sata', index, opt });
      continue;
    }
    disk.address = driveAddress(0, Math.floor(index / 2), index % 2);
    specs(ctx).push({ disk, bus: 'ide', index, opt });
  }
}

/** Names every disk (`hda`, `sdc`, `vda`…) and adds them to the domain, in command-line order. */
export function finishDisks(ctx: ImportContext): void {
  const all = specs(ctx);
  const used = new Map<string, Set<number>>();
  const taken = (prefix: string): Set<number> => {
    let s = used.get(prefix);
    if (!s) used.set(prefix, (s = new Set()));
    return s;
  };
  const names = new Map<DiskSpec, number>();
  for (const spec of all) {
    if (spec.index === undefined || taken(PREFIX[spec.bus]).has(spec.index)) continue;
    taken(PREFIX[spec.bus]).add(spec.index);
    names.set(spec, spec.index);
  }
  for (const spec of all) {
    const set = taken(PREFIX[spec.bus]);
    let index = names.get(spec);
    if (index === undefined) {
      index = 0;
      while (set.has(index)) index++;
      set.add(index);
    }
    spec.disk.target = { dev: PREFIX[spec.bus] + diskLetters(index), bus: spec.bus, ...spec.disk.target };
    const file = spec.disk.source?.file;
    if (spec.disk.source && file !== undefined && spec.opt)
      spec.disk.source.file = ctx.absolutePath(spec.opt, file);
    ctx.add('disk', spec.disk);
  }
}

/** 0 -> a, 25 -> z, 26 -> aa, as libvirt names disks. */
export function diskLetters(index: number): string {
  let s = '';
  let n = index;
  do {
    s = String.fromCharCode(97 + (n % 26)) + s;
    n = Math.floor(n / 26) - 1;
  } while (n >= 0);
  return s;
}
