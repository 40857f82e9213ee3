/**
 * Storage and serial controllers given with `-device`: SCSI HBAs (the guide's virtio-scsi with its
 * iothread, queues and ioeventfd), AHCI, IDE, virtio-serial. Each registers the bus its children
 * name (`scsi0.0`, `ahci0.2`, `virtio-serial0.0`).
 */
import type { DomainController } from '../../domain/model.js';
import type { BusRef, ImportContext } from '../context.js';
import { ignoreCommon, type DeviceHandler, type DeviceOpt } from './devices.js';
import { iothreadNumber } from './iothreads.js';
import { pciAddress } from './pci.js';

/** QEMU SCSI HBA -> libvirt `<controller type='scsi' model>`. */
const SCSI_MODELS: Record<string, string> = {
  'virtio-scsi-pci': 'virtio-scsi',
  'virtio-scsi': 'virtio-scsi',
  'virtio-scsi-pci-transitional': 'virtio-transitional',
  'virtio-scsi-pci-non-transitional': 'virtio-non-transitional',
  lsi53c895a: 'lsilogic',
  lsi: 'lsilogic',
  megasas: 'lsisas1078',
  mptsas1068: 'lsisas1068',
  pvscsi: 'vmpvscsi',
  am53c974: 'am53c974',
  dc390: 'dc390',
};

/** The next free index for a controller type, preferring the number at the end of its id (`scsi1`). */
export function controllerIndex(ctx: ImportContext, type: string, id: string | undefined): number {
  const used = new Set(
    ctx
      .list('controller')
      .filter((c) => c.type === type)
      .map((c) => c.index),
  );
  const n = /(\d+)$/.exec(id ?? '');
  if (n && !used.has(Number(n[1]))) return Number(n[1]);
  let i = 0;
  while (used.has(i)) i++;
  return i;
}

function addController(
  ctx: ImportContext,
  dev: DeviceOpt,
  c: DomainController,
  bus: Omit<BusRef, 'controller'>,
  buses: string[],
): void {
  ignoreCommon(dev.props);
  const address = pciAddress(ctx, dev);
  if (address) c.address = address;
  ctx.add('controller', c);
  for (const name of buses) ctx.buses.set(name, { ...bus, controller: c.index as number });
}

function scsiController(dev: DeviceOpt, ctx: ImportContext): void {
  const p = dev.props;
  const index = controllerIndex(ctx, 'scsi', dev.id);
  const c: DomainController = { type: 'scsi', index, model: SCSI_MODELS[dev.driver] as string };
  const driver: NonNullable<DomainController['driver']> = {};
  const iothread = iothreadNumber(ctx, p.str('iothread'));
  if (iothread !== undefined) driver.iothread = iothread;
  const queues = p.int('num_queues') ?? p.int('num-queues');
  if (queues !== undefined) driver.queues = queues;
  const ioeventfd = p.bool('ioeventfd');
  if (ioeventfd !== undefined) driver.ioeventfd = ioeventfd;
  const cmdPerLun = p.int('cmd_per_lun');
  if (cmdPerLun !== undefined) driver.cmd_per_lun = cmdPerLun;
  if (Object.keys(driver).length) c.driver = driver;
  addController(ctx, dev, c, { kind: 'scsi' }, dev.id ? [`${dev.id}.0`] : []);
}

function sataController(dev: DeviceOpt, ctx: ImportContext): void {
  const index = controllerIndex(ctx, 'sata', dev.id);
  const ports = Array.from({ length: 6 }, (_, n) => `${dev.id}.${n}`);
  addController(ctx, dev, { type: 'sata', index }, { kind: 'sata', bus: 0, port: true }, dev.id ? ports : []);
}

function ideController(dev: DeviceOpt, ctx: ImportContext): void {
  const index = controllerIndex(ctx, 'ide', dev.id);
  addController(
    ctx,
    dev,
    { type: 'ide', index },
    { kind: 'ide' },
    dev.id ? [`${dev.id}.0`, `${dev.id}.1`] : [],
  );
}

function virtioSerial(dev: DeviceOpt, ctx: ImportContext): void {
  const index = controllerIndex(ctx, 'virtio-serial', dev.id);
  const c: DomainController = { type: 'virtio-serial', index };
  const ports = dev.props.int('max_ports');
  if (ports !== undefined) c.ports = ports;
  addController(ctx, dev, c, { kind: 'virtio-serial' }, dev.id ? [`${dev.id}.0`] : []);
}

export const controllerHandlers: Record<string, DeviceHandler> = {
  ...Object.fromEntries(Object.keys(SCSI_MODELS).map((d) => [d, scsiController])),
  ahci: sataController,
  'ich9-ahci': sataController,
  'piix3-ide': ideController,
  'piix4-ide': ideController,
  'virtio-serial-pci': virtioSerial,
  'virtio-serial': virtioSerial,
};
