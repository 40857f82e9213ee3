/**
 * Everything virt-gen reads from a host, as plain data. Reading is here; deciding (pinning, group
 * viability, doctor checks, patches) takes these facts as input, so it can be tested on fixtures.
 */
import { linkGroups, readIommuGroups, readPciDevices, type IommuGroup, type PciDevice } from './pci.js';
import { readMemory, readNumaNodes, type MemoryFacts, type NumaNode } from './memory.js';
import { readCmdline, readCpuInfo, readMounts, type CpuInfo, type KernelArg, type Mount } from './procfs.js';
import { listDir, statPath } from './read.js';
import { readCpuTopology, withNodes, type CpuTopology } from './topology.js';
import { readUsbDevices, type UsbDevice } from './usb.js';

export interface DeviceNodeFacts {
  present: boolean;
  /** A character device (in a fixture tree it is a plain file: `present` but not `charDevice`). */
  charDevice?: boolean;
  mode?: number;
  uid?: number;
  gid?: number;
}

export interface HostFacts {
  /** The root everything was read under ('/' on the host itself). */
  root: string;
  pci: PciDevice[];
  iommuGroups: IommuGroup[];
  /** Entries of /sys/class/iommu: non-empty when an IOMMU is active. */
  iommuUnits: string[];
  usb: UsbDevice[];
  cpu: CpuTopology;
  cpuInfo: CpuInfo;
  memory: MemoryFacts;
  /**
   * NUMA nodes with their CPUs and per-node hugepage pools; empty or absent when the host shows
   * none (a source that cannot tell, e.g. an older libvirt, leaves it out).
   */
  numa?: NumaNode[];
  mounts: Mount[];
  /** /proc/cmdline split into arguments; undefined when it could not be read. */
  cmdline?: KernelArg[];
  kvm: DeviceNodeFacts;
}

export async function readDeviceNode(root: string, p: string): Promise<DeviceNodeFacts> {
  const st = await statPath(root, p);
  if (!st) return { present: false };
  return {
    present: true,
    charDevice: st.isCharacterDevice(),
    mode: st.mode & 0o7777,
    uid: st.uid,
    gid: st.gid,
  };
}

export async function readHostFacts(root = '/'): Promise<HostFacts> {
  const [pci, iommuGroups, iommuUnits, usb, cpu, cpuInfo, memory, mounts, cmdline, kvm, numa] =
    await Promise.all([
      readPciDevices(root),
      readIommuGroups(root),
      listDir(root, '/sys/class/iommu'),
      readUsbDevices(root),
      readCpuTopology(root),
      readCpuInfo(root),
      readMemory(root),
      readMounts(root),
      readCmdline(root),
      readDeviceNode(root, '/dev/kvm'),
      readNumaNodes(root),
    ]);
  linkGroups(pci, iommuGroups);
  const facts: HostFacts = {
    root,
    pci,
    iommuGroups,
    iommuUnits,
    usb,
    cpu: withNodes(cpu, numa),
    cpuInfo,
    memory,
    numa,
    mounts,
    kvm,
  };
  if (cmdline !== undefined) facts.cmdline = cmdline;
  return facts;
}
