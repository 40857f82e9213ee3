/** The typed model -> domain XML text, in libvirt's canonical element order. */
import { encode } from './schema.js';
import { Domain, QEMU_NS } from './model.js';
import { writeXml } from './xml-write.js';
import type { XmlElement } from './xml-node.js';

/** The model as an XmlElement, with the qemu namespace declared when `<qemu:commandline>` is used. */
export function domainToElement(domain: Domain): XmlElement {
  const el = encode(Domain, 'domain', domain);
  const usesQemuNs = el.children.some((c) => typeof c !== 'string' && c.name.startsWith('qemu:'));
  if (usesQemuNs && !el.attrs['xmlns:qemu']) el.attrs['xmlns:qemu'] = QEMU_NS;
  return el;
}

export function writeDomainXml(domain: Domain): string {
  return writeXml(domainToElement(domain));
}
