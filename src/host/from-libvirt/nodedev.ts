/**
 * PCI and USB devices from libvirt's node device XML (`virsh nodedev-dumpxml`, formatnode.rst):
 * the same PciDevice/UsbDevice the sysfs reader makes. In `<capability type='pci'>` domain, bus,
 * slot and function are decimal, the `<address>` attributes of `<iommuGroup>` are hex
 * (research/libvirt-host-facts.md §1.1).
 *
 * Node device XML does not carry `boot_vga`, `reset`/`reset_method` or the subsystem ids: those
 * stay unset, and FactsOrigin.unknown says so (facts.ts).
 */
import path from 'node:path';
import { formatPciAddress, type PciAddress } from '../../domain/address.js';
import type { XmlElement } from '../../domain/xml-node.js';
import type { IommuGroup, PciDevice } from '../pci.js';
import type { UsbDevice } from '../usb.js';
import { kid, kids, kidText, num, parseAnswer } from './xml.js';

export interface PciNode {
  device: PciDevice;
  /** The device's IOMMU group, every member included. */
  group?: IommuGroup;
}

function capability(root: XmlElement, type: string): XmlElement | undefined {
  return kids(root, 'capability').find((c) => c.attrs.type === type);
}

function addressOf(el: XmlElement): PciAddress | undefined {
  const [domain, bus, slot, fn] = ['domain', 'bus', 'slot', 'function'].map((k) => num(el.attrs[k]));
  if (domain === undefined || bus === undefined || slot === undefined || fn === undefined) return undefined;
  return { domain, bus, slot, function: fn };
}

function groupOf(cap: XmlElement): IommuGroup | undefined {
  const g = kid(cap, 'iommuGroup');
  const id = num(g?.attrs.number);
  if (g === undefined || id === undefined) return undefined;
  const devices = kids(g, 'address')
    .map(addressOf)
    .filter((a): a is PciAddress => a !== undefined)
    .map(formatPciAddress)
    .sort();
  return { id, devices };
}

/** A PCI node device, or undefined when the XML is not one. */
export function parsePciNode(xml: string): PciNode | undefined {
  const root = parseAnswer(xml, 'node device description');
  const cap = capability(root, 'pci');
  if (!cap) return undefined;
  const [domain, bus, slot, fn] = ['domain', 'bus', 'slot', 'function'].map((k) => num(kidText(cap, k)));
  if (domain === undefined || bus === undefined || slot === undefined || fn === undefined) return undefined;
  const address = { domain, bus, slot, function: fn };
  const device: PciDevice = {
    address,
    name: formatPciAddress(address),
    vendor: num(kid(cap, 'vendor')?.attrs.id) ?? 0,
    device: num(kid(cap, 'product')?.attrs.id) ?? 0,
    // <class> since libvirt 5.2.0.
    class: num(kidText(cap, 'class')) ?? 0,
    // Unknown through libvirt (FactsOrigin.unknown lists 'pci-reset'); never read when unknown.
    canReset: false,
  };
  const driver = kidText(kid(root, 'driver'), 'name');
  if (driver !== undefined) device.driver = driver;
  const group = groupOf(cap);
  if (group) device.iommuGroup = group.id;
  // libvirt leaves <numa> out when sysfs says -1 (no affinity).
  const numa = num(kid(cap, 'numa')?.attrs.node);
  if (numa !== undefined) device.numaNode = numa;
  return group ? { device, group } : { device };
}

/** A USB node device (`<capability type='usb_device'>`); its sysfs name is the last part of `<path>`. */
export function parseUsbNode(xml: string): UsbDevice | undefined {
  const root = parseAnswer(xml, 'node device description');
  const cap = capability(root, 'usb_device');
  const sysfsPath = kidText(root, 'path');
  if (!cap || sysfsPath === undefined) return undefined;
  const vendorEl = kid(cap, 'vendor');
  const productEl = kid(cap, 'product');
  const vendor = num(vendorEl?.attrs.id);
  const product = num(productEl?.attrs.id);
  if (vendor === undefined || product === undefined) return undefined;
  const name = path.posix.basename(sysfsPath);
  const dev: UsbDevice = { name, vendor, product, rootHub: /^usb\d+$/.test(name) };
  const busnum = num(kidText(cap, 'bus'));
  const devnum = num(kidText(cap, 'device'));
  if (busnum !== undefined) dev.busnum = busnum;
  if (devnum !== undefined) dev.devnum = devnum;
  // libvirt's names come from the USB id database, not the device's own strings as in sysfs.
  const vendorName = kidText(cap, 'vendor');
  const productName = kidText(cap, 'product');
  if (vendorName !== undefined) dev.manufacturer = vendorName;
  if (productName !== undefined) dev.productName = productName;
  return dev;
}
