/** Domain XML text -> the typed model. */
import { VirtGenError } from '../util/errors.js';
import { decode } from './schema.js';
import { Domain } from './model.js';
import { parseXml, XmlSyntaxError } from './xml-read.js';
import type { XmlElement } from './xml-node.js';

export class DomainXmlError extends VirtGenError {
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
