/** domain -> config for disks, CD-ROMs and the virtio-scsi controller (the reverse of src/generate/devices.ts' disks). */
import { CACHE_MODES, DISCARD_MODES, DISK_BUSES, IO_MODES, isOneOf } from '../../config/vocabulary.js';
import type { Domain, DomainDisk } from '../../domain/model.js';
import type { DiskConfig, VmConfig } from '../../config/types.js';

export function storage(domain: Domain, config: VmConfig, notes: string[]): void {
  const dev = domain.devices ?? {};
  const disks = (dev.disk ?? []).map((d) => diskConfig(d, notes)).filter((d): d is DiskConfig => !!d);
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
function diskConfig(d: DomainDisk, notes: string[]): DiskConfig | undefined {
  const path = d.source?.file ?? d.source?.dev;
  const bus = d.target?.bus;
  if (!path || (d.device !== 'disk' && d.device !== 'cdrom') || !isOneOf(DISK_BUSES, bus)) {
    notes.push(
      `disk ${d.target?.dev ?? ''} (${d.device} on ${d.target?.bus}, ${path ?? d.source?.protocol ?? 'no source'}): the config has local disks and CD-ROMs on scsi, virtio, sata or usb`,
    );
    return undefined;
  }
  const disk: DiskConfig = { path, device: d.device, bus };
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
