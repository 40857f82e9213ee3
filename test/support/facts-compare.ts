/**
 * Puts HostFacts from either source in the form both can give, so the sysfs source and the libvirt
 * source can be compared field by field on the same host. Each step names the UnknownFact (or the
 * difference of spelling) it stands for; anything not listed here must be equal.
 */
import type { HostFacts } from '../../src/host/facts.js';

/** CPU flags both sources report: the ones virt-gen decides on (libvirt lists features, not flags). */
const DECISIVE_FLAGS = ['vmx', 'svm', 'pdpe1gb', 'topoext'];

export function comparable(facts: HostFacts): unknown {
  const f = structuredClone(facts) as HostFacts & Record<string, unknown>;
  delete f.origin;
  f.root = '/';
  for (const d of f.pci) {
    delete d.resetMethods; // pci-reset
    d.canReset = false; // pci-reset
    delete d.bootVga; // boot-vga
    delete d.subsystemVendor; // pci-subsystem
    delete d.subsystemDevice;
    // libvirt leaves <numa> out for numa_node -1 (no affinity).
    if (d.numaNode === -1) delete d.numaNode;
  }
  for (const c of f.cpu.cpus) {
    delete c.kind; // cpu-kinds
    delete c.capacity;
  }
  for (const c of f.cpu.cores) delete c.kind;
  f.cpu.hybrid = false;
  delete f.cpuInfo.modelName; // cpu-model
  f.cpuInfo.flags = f.cpuInfo.flags.filter((x) => DECISIVE_FLAGS.includes(x)).sort();
  for (const p of f.memory.pools) {
    p.reserved = 0; // hugepage-reserved
    p.surplus = 0;
  }
  delete f.memory.defaultHugepageKiB; // hugepage-default
  delete f.memory.availableKiB; // memory-available
  f.mounts = []; // mounts
  delete f.cmdline; // cmdline
  f.iommuUnits = []; // iommu-units
  f.kvm = { present: f.kvm.present }; // kvm-node
  // libvirt names USB devices from the id database, sysfs from the device's own strings.
  for (const u of f.usb) {
    delete u.manufacturer;
    delete u.productName;
  }
  return f;
}
