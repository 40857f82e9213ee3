/**
 * Domain XML documents: text <-> typed model, the only entry points the rest of virt-gen uses.
 */
import { decode, encode } from './schema.js';
import { Domain, QEMU_NS } from './model.js';
import { parseXml, writeXml, XmlSyntaxError, type XmlElement } from './xml-node.js';

export class DomainXmlError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'DomainXmlError';
  }
}

/** Reads a domain document. Everything the model does not know is kept for writing back. */
export function parseDomainXml(text: string): Domain {
  let root: XmlElement;
  try {
    root = parseXml(text);
  } catch (err) {
    if (err instanceof XmlSyntaxError) throw new DomainXmlError(`not well-formed XML: ${err.message}`);
    throw err;
  }
  if (root.name !== 'domain') throw new DomainXmlError(`expected a <domain> document, found <${root.name}>`);
  return decode(Domain, root);
}

/** The model as an XmlElement, with the qemu namespace declared when `<qemu:commandline>` is used. */
export function domainToElement(domain: Domain): XmlElement {
  const el = encode(Domain, 'domain', domain);
  const usesQemuNs = el.children.some((c) => typeof c !== 'string' && c.name.startsWith('qemu:'));
  if (usesQemuNs && !el.attrs['xmlns:qemu']) el.attrs['xmlns:qemu'] = QEMU_NS;
  return el;
}

/** Writes the domain in libvirt's canonical element order. */
export function writeDomainXml(domain: Domain): string {
  return writeXml(domainToElement(domain));
}
