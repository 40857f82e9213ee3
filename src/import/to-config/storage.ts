/**
 * domain -> config for disks, CD-ROMs and the virtio-scsi controller (the reverse of
 * src/generate/devices.ts' disks), and `<os><boot>` said as per-device boot orders.
 */
import { CACHE_MODES, DISCARD_MODES, DISK_BUSES, IO_MODES, isOneOf } from '../../config/vocabulary.js';
import type { Domain, DomainDisk } from '../../domain/model.js';
import type { DiskConfig, VmConfig } from '../../config/types.js';
import { DEFAULTS } from '../../config/defaults.js';
import { isQ35Machine } from '../../config/machine-type.js';

export function storage(domain: Domain, config: VmConfig, notes: string[]): void {
  const dev = domain.devices ?? {};
  const q35 = isQ35Machine(config.machine ?? DEFAULTS.machine);
  const disks: DiskConfig[] = [];
  for (const d of dev.disk ?? []) {
    const disk = diskConfig(d, notes, q35);
    if (disk) disks.push(disk);
  }
  if (disks.length) config.disks = disks;
  if (domain.iothreads?.value) config.iothreads = domain.iothreads.value;
  const scsi = dev.controller?.find((c) => c.type === 'scsi' && c.model === 'virtio-scsi');
  if (scsi) {
    config.scsi = {
      ...(scsi.driver?.queues !== undefined ? { queues: scsi.driver.queues } : {}),
      iothread: scsi.driver?.iothread !== undefined,
      ...(scsi.driver?.ioeventfd !== undefined ? { ioeventfd: scsi.driver.ioeventfd } : {}),
    };
  }
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
 * `<os><boot dev>` (QEMU's `-boot dn`) said as the config says boot order, per device: the disks,
 * CD-ROMs or NICs of each listed kind, in the listed order, get the next orders. libvirt's default,
 * `hd` alone, says nothing. Per-device orders already in the domain exclude `<os><boot>` (libvirt
 * refuses both), so none is overwritten.
 */
export function osBootOrder(domain: Domain, config: VmConfig, notes: string[]): void {
  const devs = (domain.os?.boot ?? []).map((b) => b.dev ?? '');
  if (!devs.length || (devs.length === 1 && devs[0] === 'hd')) return;
  const disks = config.disks ?? [];
  const nics = config.network === false ? [] : [config.network ?? []].flat();
  const kinds: Record<string, Array<{ boot?: number }>> = {
    hd: disks.filter((d) => (d.device ?? 'disk') === 'disk'),
    cdrom: disks.filter((d) => d.device === 'cdrom'),
    network: nics,
  };
  let order = 1;
  for (const dev of devs) {
    const devices = kinds[dev];
    if (!devices) notes.push(`<boot dev='${dev}'>: the config gives boot orders to disks, CD-ROMs and NICs`);
    for (const d of devices ?? []) if (d.boot === undefined) d.boot = order++;
  }
}
