/**
 * PCI devices and IOMMU groups from sysfs (`/sys/bus/pci/devices`, `/sys/kernel/iommu_groups`).
 * Formats: research/passthrough.md §5.1–5.2.
 */
import { formatPciAddress, parsePciAddress, type PciAddress } from '../domain/address.js';
import { parseCpuList } from './cpulist.js';
import { listDir, readLinkName, readNumber, readTrimmed, pathExists } from './read.js';

export interface PciDevice {
  address: PciAddress;
  /** `0000:02:00.0`, the sysfs name. */
  name: string;
  vendor: number;
  device: number;
  subsystemVendor?: number;
  subsystemDevice?: number;
  /** 24-bit class code `0xCCSSPP`: base class, subclass, programming interface. */
  class: number;
  /** The bound driver (`vfio-pci`, `nvidia`, `pcieport`); undefined when unbound. */
  driver?: string;
  iommuGroup?: number;
  /** `boot_vga`: the firmware's boot display (VGA-class devices only). */
  bootVga?: boolean;
  /** `numa_node`; -1 (no affinity) is read as undefined. */
  numaNode?: number;
  /** `local_cpulist`: the CPUs close to the device. */
  localCpus?: number[];
  /** `reset_method` (kernel ≥ 5.15): e.g. `['flr', 'bus']`; undefined when the file is absent. */
  resetMethods?: string[];
  /** `reset` exists: the kernel can reset the device. */
  canReset: boolean;
}

export interface IommuGroup {
  id: number;
  /** Member device names (`0000:02:00.0`), sorted. */
  devices: string[];
}

const PCI_DEVICES = '/sys/bus/pci/devices';

async function readPciDevice(root: string, name: string): Promise<PciDevice | undefined> {
  const address = parsePciAddress(name);
  if (!address) return undefined;
  const dir = `${PCI_DEVICES}/${name}`;
  const [vendor, device, cls] = await Promise.all([
    readNumber(root, `${dir}/vendor`),
    readNumber(root, `${dir}/device`),
    readNumber(root, `${dir}/class`),
  ]);
  const dev: PciDevice = {
    address,
    name: formatPciAddress(address),
    vendor: vendor ?? 0,
    device: device ?? 0,
    class: cls ?? 0,
    canReset: await pathExists(root, `${dir}/reset`),
  };
  await addOptionalAttributes(root, dir, dev);
  return dev;
}

async function addOptionalAttributes(root: string, dir: string, dev: PciDevice): Promise<void> {
  const [subVendor, subDevice, driver, group, bootVga, numa, reset, local] = await Promise.all([
    readNumber(root, `${dir}/subsystem_vendor`),
    readNumber(root, `${dir}/subsystem_device`),
    readLinkName(root, `${dir}/driver`),
    readLinkName(root, `${dir}/iommu_group`),
    readTrimmed(root, `${dir}/boot_vga`),
    readNumber(root, `${dir}/numa_node`),
    readTrimmed(root, `${dir}/reset_method`),
    readTrimmed(root, `${dir}/local_cpulist`),
  ]);
  if (subVendor !== undefined) dev.subsystemVendor = subVendor;
  if (subDevice !== undefined) dev.subsystemDevice = subDevice;
  if (driver !== undefined) dev.driver = driver;
  if (group !== undefined && /^\d+$/.test(group)) dev.iommuGroup = Number(group);
  if (bootVga !== undefined) dev.bootVga = bootVga === '1';
  if (numa !== undefined && numa >= 0) dev.numaNode = numa;
  if (local !== undefined && local !== '') dev.localCpus = parseCpuList(local);
  if (reset !== undefined) dev.resetMethods = reset.split(/\s+/).filter((m) => m !== '');
}

/** Every PCI function of the host, sorted by address. */
export async function readPciDevices(root: string): Promise<PciDevice[]> {
  const names = await listDir(root, PCI_DEVICES);
  const devices = await Promise.all(names.map((name) => readPciDevice(root, name)));
  return devices.filter((d): d is PciDevice => d !== undefined).sort((a, b) => a.name.localeCompare(b.name));
}

/** `/sys/kernel/iommu_groups/<N>/devices/*`; empty when the IOMMU is off. */
export async function readIommuGroups(root: string): Promise<IommuGroup[]> {
  const ids = (await listDir(root, '/sys/kernel/iommu_groups')).filter((n) => /^\d+$/.test(n));
  const groups = await Promise.all(
    ids.map(async (id) => ({
      id: Number(id),
      devices: await listDir(root, `/sys/kernel/iommu_groups/${id}/devices`),
    })),
  );
  return groups.sort((a, b) => a.id - b.id);
}

/** Fills `iommuGroup` from the group listing for devices whose `iommu_group` link was not readable. */
export function linkGroups(devices: PciDevice[], groups: IommuGroup[]): void {
  const byName = new Map(devices.map((d) => [d.name, d]));
  for (const group of groups) {
    for (const member of group.devices) {
      const dev = byName.get(member);
      if (dev && dev.iommuGroup === undefined) dev.iommuGroup = group.id;
    }
  }
}

// Class codes, from the PCI ID database's class list; only the ones passthrough cares about.
const CLASS_NAMES: ReadonlyArray<[number, number, string]> = [
  [0xffff00, 0x030000, 'VGA compatible controller'],
  [0xffff00, 0x030200, '3D controller'],
  [0xffff00, 0x038000, 'Display controller'],
  [0xffff00, 0x040300, 'Audio device'],
  [0xffff00, 0x020000, 'Ethernet controller'],
  [0xffff00, 0x028000, 'Network controller'],
  [0xffff00, 0x060000, 'Host bridge'],
  [0xffff00, 0x060100, 'ISA bridge'],
  [0xffff00, 0x060400, 'PCI bridge'],
  [0xffff00, 0x0c0300, 'USB controller'],
  [0xffff00, 0x0c0500, 'SMBus'],
  [0xffff00, 0x0c8000, 'Serial bus controller'],
  [0xffff00, 0x010600, 'SATA controller'],
  [0xffff00, 0x010800, 'Non-Volatile memory controller'],
  [0xff0000, 0x030000, 'Display controller'],
  [0xff0000, 0x040000, 'Multimedia controller'],
  [0xff0000, 0x020000, 'Network controller'],
  [0xff0000, 0x060000, 'Bridge'],
  [0xff0000, 0x010000, 'Storage controller'],
];

/** A human name for a class code: `0x030000` → `VGA compatible controller`. */
export function pciClassName(cls: number): string {
  for (const [mask, value, name] of CLASS_NAMES) if ((cls & mask) === value) return name;
  return `class ${hex(cls, 6)}`;
}

export const hex = (n: number, width: number): string => '0x' + n.toString(16).padStart(width, '0');

/** `10de:13c2`, as lspci -nn shows ids. */
export function pciIds(dev: Pick<PciDevice, 'vendor' | 'device'>): string {
  return `${dev.vendor.toString(16).padStart(4, '0')}:${dev.device.toString(16).padStart(4, '0')}`;
}

/** Display class (0x03): VGA, 3D and other display controllers. */
export const isDisplay = (dev: PciDevice): boolean => dev.class >> 16 === 0x03;
/** PCI-to-PCI bridges (root ports, switch ports), which may stay on `pcieport` in a passed-through group. */
export const isBridge = (dev: PciDevice): boolean => dev.class >> 8 === 0x0604;

/** The same PCI function: domain, bus, slot and function all equal. */
export function sameAddress(a: PciAddress, b: PciAddress): boolean {
  return a.domain === b.domain && a.bus === b.bus && a.slot === b.slot && a.function === b.function;
}

/** Functions of one card share domain:bus:slot. */
export function sameSlot(a: PciAddress, b: PciAddress): boolean {
  return a.domain === b.domain && a.bus === b.bus && a.slot === b.slot;
}
