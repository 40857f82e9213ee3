/**
 * domain -> config for disks, CD-ROMs and the virtio-scsi controller (the reverse of
 * src/generate/devices.ts' disks, with their names from config/disk-names.ts), and `<os><boot dev>`
 * (the reverse of src/generate/firmware.ts' boot).
 */
import {
  BOOT_DEVICES,
  CACHE_MODES,
  DISCARD_MODES,
  DISK_BUSES,
  IO_MODES,
  isOneOf,
  type BootDevice,
} from '../../config/vocabulary.js';
import { IDE_NAMES, explicitTargets, targetProblem } from '../../config/disk-names.js';
import type { Domain, DomainDisk } from '../../domain/model.js';
import type { DiskConfig, VmConfig } from '../../config/types.js';
import { DEFAULTS } from '../../config/defaults.js';
import { isQ35Machine } from '../../config/machine-type.js';

export function storage(domain: Domain, config: VmConfig, notes: string[]): void {
  const dev = domain.devices ?? {};
  const q35 = isQ35Machine(config.machine ?? DEFAULTS.machine);
  const disks: DiskConfig[] = [];
  const names: Array<string | undefined> = [];
  for (const d of dev.disk ?? []) {
    const disk = diskConfig(d, notes, q35);
    if (!disk || !fitsBeside(disk, disks, notes)) continue;
    disks.push(disk);
    names.push(d.target?.dev);
  }
  nameDisks(disks, names, notes);
  if (disks.length) config.disks = disks;
  if (domain.iothreads?.value) config.iothreads = domain.iothreads.value;
  const scsi = dev.controller?.find((c) => c.type === 'scsi' && c.model === 'virtio-scsi');
  if (scsi) {
    config.scsi = {
      ...(scsi.driver?.queues !== undefined ? { queues: scsi.driver.queues } : {}),
      // Thread 1 is `true`, as the config says it by default; another is named.
      iothread:
        scsi.driver?.iothread === undefined ? false : scsi.driver.iothread === 1 || scsi.driver.iothread,
      ...(scsi.driver?.ioeventfd !== undefined ? { ioeventfd: scsi.driver.ioeventfd } : {}),
    };
  }
}

/**
 * Each disk's guest name, written where the generator would name it otherwise (config/disk-names.ts).
 * A name that does not fit the config's bus (an IDE `hdc` moved to SATA) is left to the default.
 */
function nameDisks(disks: DiskConfig[], names: Array<string | undefined>, notes: string[]): void {
  const actual = disks.map((d, i) => {
    const name = names[i];
    const bus = d.bus ?? 'scsi';
    if (name === undefined || !targetProblem(name, bus)) return name;
    notes.push(`disk ${d.path}: its name ${name} does not fit the config's ${bus} bus: named by default`);
    return undefined;
  });
  const explicit = explicitTargets(disks.map((d, i) => ({ bus: d.bus ?? 'scsi', actual: actual[i] })));
  disks.forEach((d, i) => {
    const name = actual[i];
    if (explicit[i] && name !== undefined) d.target = name;
  });
}

/**
 * False, with a note, for a disk the config would refuse beside those before it: an image a drive
 * writes, already in another drive (QEMU's lock refuses the second), or a fifth IDE disk. The
 * remainder template keeps it as the command line had it.
 */
function fitsBeside(disk: DiskConfig, before: DiskConfig[], notes: string[]): boolean {
  const same = before.find((b) => b.path === disk.path);
  if (same && (same.device === 'disk' || disk.device === 'disk')) {
    notes.push(`disk ${disk.path} again: QEMU locks an image for one drive that writes it`);
    return false;
  }
  if (disk.bus === 'ide' && before.filter((b) => b.bus === 'ide').length >= IDE_NAMES.length) {
    notes.push(`disk ${disk.path}: IDE has four places (${IDE_NAMES.join(', ')}), all taken`);
    return false;
  }
  return true;
}

/** QEMU's defaults, said explicitly: the config's own defaults are a gaming VM's, not QEMU's. */
function diskConfig(d: DomainDisk, notes: string[], q35: boolean): DiskConfig | undefined {
  const path = d.source?.file ?? d.source?.dev;
  const bus = d.target?.bus;
  if (!path || (d.device !== 'disk' && d.device !== 'cdrom') || !isOneOf(DISK_BUSES, bus)) {
    notes.push(
      `disk ${d.target?.dev ?? ''} (${d.device} on ${d.target?.bus}, ${path ?? d.source?.protocol ?? 'no source'}): the config has local disks and CD-ROMs on ${DISK_BUSES.join(', ')}`,
    );
    return undefined;
  }
  // The config's machine is q35, which has no IDE: AHCI (sata) is its disk bus a guest boots from.
  if (bus === 'ide' && q35) notes.push(`disk ${path}: on ide, which q35 has not; the config puts it on sata`);
  const disk: DiskConfig = { path, device: d.device, bus: bus === 'ide' && q35 ? 'sata' : bus };
  const format = d.driver?.type;
  if (format === 'raw' || format === 'qcow2') disk.format = format;
  else if (format) notes.push(`disk ${path}: format '${format}'`);
  const { cache, io, discard } = d.driver ?? {};
  const isDisk = d.device === 'disk';
  // For a disk, QEMU's defaults said out loud (the config's differ); a CD-ROM has none by default.
  if (isOneOf(CACHE_MODES, cache) || isDisk) disk.cache = isOneOf(CACHE_MODES, cache) ? cache : 'writeback';
  // QEMU's I/O mode is threads; the config's default is native, but only with cache 'none'.
  if (isOneOf(IO_MODES, io)) disk.io = io;
  else if (isDisk && disk.cache === 'none') disk.io = 'threads';
  if (isOneOf(DISCARD_MODES, discard) || isDisk)
    disk.discard = isOneOf(DISCARD_MODES, discard) ? discard : 'ignore';
  if (d.boot?.order !== undefined) disk.boot = d.boot.order;
  if (d.serial?.value) disk.serial = d.serial.value;
  return disk;
}

/**
 * `<os><boot dev>` (QEMU's `-boot order=dc`) as the config's `boot`, in its order. libvirt's
 * default, `hd` alone, is left out. libvirt refuses it beside per-device orders, so a domain has
 * one or the other; a kind the config does not know, or one listed twice, is named in the notes.
 */
export function osBoot(domain: Domain, config: VmConfig, notes: string[]): void {
  const devs = (domain.os?.boot ?? []).map((b) => b.dev ?? '');
  if (!devs.length || (devs.length === 1 && devs[0] === 'hd')) return;
  const boot: BootDevice[] = [];
  for (const dev of devs) {
    if (isOneOf(BOOT_DEVICES, dev) && !boot.includes(dev)) boot.push(dev);
    else notes.push(`<boot dev='${dev}'>: boot lists ${BOOT_DEVICES.join(', ')}, each once`);
  }
  if (boot.length) config.boot = boot;
}
