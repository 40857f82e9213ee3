/** Validation and defaults of the config fields for disks, CD-ROMs and the virtio-scsi controller. */
import type { DiskConfig } from '../types.js';
import type { ResolvedDisk, ResolvedVm } from '../resolved.js';
import { Issues, type Obj } from '../issues.js';
import { DEFAULTS } from '../defaults.js';
import { diskTargets, targetProblem } from '../disk-names.js';
import {
  CACHE_MODES,
  DISCARD_MODES,
  DISK_BUSES,
  DISK_DEVICES,
  DISK_FORMATS,
  IO_MODES,
} from '../vocabulary.js';

export function resolveDisks(issues: Issues, value: unknown): ResolvedDisk[] {
  const list = issues.array('disks', value) ?? [];
  const disks = list.map((d, i) => resolveDisk(issues, d, `disks[${i}]`));
  return nameDisks(issues, disks);
}

type UnnamedDisk = Omit<ResolvedDisk, 'target'> & { target?: string };

/** One disk, without its default name (which depends on the others). */
function resolveDisk(issues: Issues, d: unknown, at: string): UnnamedDisk | undefined {
  if (!issues.object(at, d, { required: true })) return undefined;
  const disk = d as DiskConfig & Obj;
  issues.unknownKeys(at, disk, [
    'path',
    'device',
    'bus',
    'target',
    'format',
    'cache',
    'io',
    'discard',
    'boot',
    'serial',
  ]);
  const p = issues.absolutePath(`${at}.path`, disk.path, { required: true }) ?? '';
  const device = issues.oneOf(`${at}.device`, disk.device, DISK_DEVICES) ?? DEFAULTS.disk.device;
  const isDisk = device === 'disk';
  const bus = issues.oneOf(`${at}.bus`, disk.bus, DISK_BUSES) ?? DEFAULTS.disk.bus(device);
  if (!isDisk && bus === 'virtio') {
    issues.add(
      `${at}.bus`,
      `"virtio" cannot carry a CD-ROM (libvirt: no ejectable media on virtio-blk): use "sata" or "scsi"`,
    );
  }
  const cache = issues.oneOf(`${at}.cache`, disk.cache, CACHE_MODES);
  const io = issues.oneOf(`${at}.io`, disk.io, IO_MODES);
  const discard = issues.oneOf(`${at}.discard`, disk.discard, DISCARD_MODES);
  const boot = issues.integer(`${at}.boot`, disk.boot, { min: 1, max: 64 });
  const serial = issues.string(`${at}.serial`, disk.serial);
  if (serial !== undefined && !/^[A-Za-z0-9_.+\- ]+$/.test(serial)) {
    issues.add(
      `${at}.serial`,
      `"${serial}" is not a disk serial (letters, digits, space, "_", ".", "+", "-")`,
    );
  }
  const format =
    issues.oneOf(`${at}.format`, disk.format, DISK_FORMATS) ?? (p.endsWith('.qcow2') ? 'qcow2' : 'raw');
  const effectiveCache = cache ?? (isDisk ? DEFAULTS.disk.cache : undefined);
  const effectiveIo = io ?? (isDisk && effectiveCache === 'none' ? DEFAULTS.disk.io : undefined);
  if (effectiveIo === 'native' && effectiveCache !== 'none' && effectiveCache !== 'directsync') {
    issues.add(
      `${at}.io`,
      `"native" needs cache "none" or "directsync" (QEMU refuses it with "${effectiveCache}")`,
    );
  }
  const target = issues.string(`${at}.target`, disk.target);
  const misnamed = target === undefined ? undefined : targetProblem(target, bus);
  if (misnamed) issues.add(`${at}.target`, misnamed);
  return {
    device,
    type: p.startsWith('/dev/') ? 'block' : 'file',
    path: p,
    bus,
    ...(target !== undefined && !misnamed ? { target } : {}),
    format,
    ...(effectiveCache ? { cache: effectiveCache } : {}),
    ...(effectiveIo ? { io: effectiveIo } : {}),
    ...((discard ?? isDisk) ? { discard: discard ?? DEFAULTS.disk.discard } : {}),
    ...(boot !== undefined ? { boot } : {}),
    ...(serial !== undefined ? { serial } : {}),
  };
}

const FULL: Partial<Record<ResolvedDisk['bus'], string>> = {
  ide: 'IDE has four places (hda–hdd), all taken',
  scsi:
    "past the virtio-scsi controller's seven names (sda–sdg, which disks on SATA and USB share): " +
    'give it a free one with target, or put a disk on another bus',
};

/**
 * Every disk's guest name: its own, or the next free one of its bus (config/disk-names.ts). Two
 * disks with one name are refused (libvirt: "target 'sda' duplicated for disk sources …"), and so
 * is a default IDE name past hdd.
 */
function nameDisks(issues: Issues, list: Array<UnnamedDisk | undefined>): ResolvedDisk[] {
  const first = new Map<string, number>();
  list.forEach((d, i) => {
    if (d?.target === undefined) return;
    const before = first.get(d.target);
    if (before === undefined) first.set(d.target, i);
    else issues.add(`disks[${i}].target`, `"${d.target}" is also the name of disks[${before}]`);
  });
  const disks = list.flatMap((d, i) => (d ? [{ d, i }] : []));
  const names = diskTargets(disks.map(({ d }) => d));
  return disks.map(({ d, i }, k) => {
    const target = names[k] as string;
    // A default name past a bus' places: IDE's four, the virtio-scsi controller's seven.
    if (d.target === undefined && targetProblem(target, d.bus)) {
      issues.add(`disks[${i}]`, `would be ${target}: ${FULL[d.bus] ?? 'a name past its bus'}`);
    }
    return { ...d, target };
  });
}

export function resolveScsi(issues: Issues, value: unknown, vcpus: number): NonNullable<ResolvedVm['scsi']> {
  const s = (value ?? {}) as Obj;
  if (value !== undefined) issues.object('scsi', value);
  issues.unknownKeys('scsi', s, ['queues', 'iothread', 'ioeventfd']);
  const ioeventfd = issues.boolean('scsi.ioeventfd', s.ioeventfd);
  return {
    // QEMU: at most VIRTIO_QUEUE_MAX (1024) less the control and event queues.
    queues: issues.integer('scsi.queues', s.queues, { min: 1, max: 1022 }) ?? vcpus,
    iothread: scsiIothread(issues, s.iothread),
    ...(ioeventfd !== undefined ? { ioeventfd } : {}),
  };
}

/** `true`/`false`, or which I/O thread (1 for `true`); 0 for none. */
function scsiIothread(issues: Issues, value: unknown): number {
  if (typeof value === 'number') return issues.integer('scsi.iothread', value, { min: 1, max: 64 }) ?? 1;
  const on = issues.boolean('scsi.iothread', value) ?? DEFAULTS.scsi.iothread;
  return on ? 1 : 0;
}
