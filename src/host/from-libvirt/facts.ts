/**
 * HostFacts through a libvirt connection: the facts source for remote hosts (`-c qemu+ssh://…`),
 * where the local /sys says nothing about the host. The same shape as the sysfs reader's
 * (facts.ts), so discover, doctor, pinning and the IOMMU group check run unchanged; what libvirt
 * does not report is listed in `origin.unknown` and left unset (research/libvirt-host-facts.md §5).
 */
import type { HostQuery } from '../../libvirt/host-query.js';
import type { HostFacts, UnknownFact } from '../facts.js';
import type { IommuGroup, PciDevice } from '../pci.js';
import { assembleTopology, withNodes } from '../topology.js';
import type { UsbDevice } from '../usb.js';
import {
  hugepagePools,
  numaNodes,
  parseCapabilities,
  parseFreePages,
  parseFreePagesByNode,
  parseMemoryTotal,
} from './capabilities.js';
import { parsePciNode, parseUsbNode } from './nodedev.js';

export const LIBVIRT_UNKNOWN: readonly UnknownFact[] = [
  'pci-reset',
  'boot-vga',
  'pci-subsystem',
  'cpu-kinds',
  'cpu-model',
  'hugepage-reserved',
  'hugepage-default',
  'memory-available',
  'mounts',
  'cmdline',
  'iommu-units',
  'kvm-node',
];

async function pciDevices(query: HostQuery): Promise<{ pci: PciDevice[]; groups: IommuGroup[] }> {
  const xml = await query.nodeDeviceXml(await query.listNodeDevices('pci'));
  const nodes = xml.map((x) => parsePciNode(x)).filter((n) => n !== undefined);
  const groups = new Map<number, IommuGroup>();
  for (const n of nodes) if (n.group) groups.set(n.group.id, n.group);
  return {
    pci: nodes.map((n) => n.device).sort((a, b) => a.name.localeCompare(b.name)),
    groups: [...groups.values()].sort((a, b) => a.id - b.id),
  };
}

async function usbDevices(query: HostQuery): Promise<UsbDevice[]> {
  const xml = await query.nodeDeviceXml(await query.listNodeDevices('usb_device'));
  return xml
    .map((x) => parseUsbNode(x))
    .filter((d) => d !== undefined)
    .sort((a, b) => a.name.localeCompare(b.name));
}

export async function readLibvirtFacts(query: HostQuery): Promise<HostFacts> {
  const [{ pci, groups }, usb, capsXml, freeText, memText] = await Promise.all([
    pciDevices(query),
    usbDevices(query),
    query.capabilities(),
    query.freePages(),
    query.memoryStats(),
  ]);
  const caps = parseCapabilities(capsXml);
  // The host's MemTotal, as sysfs's reader takes it from /proc/meminfo; else the NUMA cells' sum.
  const totalKiB = parseMemoryTotal(memText) ?? caps.memoryKiB;
  // libvirt's feature names are /proc/cpuinfo's for the flags virt-gen decides on (vmx, svm, pdpe1gb, topoext).
  const flags = [...caps.features].sort();
  const nodes = numaNodes(caps, parseFreePagesByNode(freeText));
  withLocalCpus(pci, nodes);
  const facts: HostFacts = {
    root: '/',
    origin: { source: 'libvirt', uri: query.uri, unknown: LIBVIRT_UNKNOWN },
    pci,
    iommuGroups: groups,
    iommuUnits: [],
    usb,
    cpu: withNodes(assembleTopology(caps.cpus), nodes),
    cpuInfo: { flags, ...(caps.vendor !== undefined ? { vendor: caps.vendor } : {}) },
    memory: {
      pools: hugepagePools(caps, parseFreePages(freeText)),
      ...(totalKiB !== undefined ? { totalKiB } : {}),
    },
    numa: nodes,
    mounts: [],
    kvm: { present: caps.kvm },
  };
  return facts;
}

/**
 * libvirt's node devices carry a PCI device's NUMA node, not sysfs's `local_cpulist`; the kernel
 * derives that list from the node (`cpumask_of_node`: the node's CPUs, every online CPU for a device
 * with no node), so the same derivation gives the same fact.
 */
function withLocalCpus(pci: PciDevice[], nodes: ReadonlyArray<{ id: number; cpus: number[] }>): void {
  const all = nodes.flatMap((n) => n.cpus).sort((a, b) => a - b);
  if (all.length === 0) return;
  for (const dev of pci) {
    const node = dev.numaNode === undefined ? undefined : nodes.find((n) => n.id === dev.numaNode);
    dev.localCpus = node ? [...node.cpus] : all;
  }
}
