/** Building `<hostdev>` elements: one spelling for the generator and the importer. */
import { pciAddressAttrs, type PciAddress } from './address.js';
import type { DomainHostdev } from './model.js';

/**
 * A host PCI function passed through with VFIO, managed by libvirt (bound to vfio-pci at start,
 * given back afterwards). The driver is spelled out: VFIO is the only backend libvirt supports,
 * and `domxml-to-native` needs it named on a host without the device.
 */
export function vfioHostdev(address: PciAddress, rom?: string): DomainHostdev {
  return {
    mode: 'subsystem',
    type: 'pci',
    managed: true,
    driver: { name: 'vfio' },
    source: { address: pciAddressAttrs(address) },
    ...(rom ? { rom: { file: rom } } : {}),
  };
}
