/** Reading XML text into an XmlElement tree (fast-xml-parser in preserve-order mode). */
import { VirtGenError } from '../util/errors.js';
import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { isElement, type XmlChild, type XmlElement } from './xml-node.js';

export class XmlSyntaxError extends VirtGenError {
  constructor(
    message: string,
    readonly line?: number,
  ) {
    super(message);
    this.name = 'XmlSyntaxError';
  }
}

const ATTRS = ':@';

const parser = new XMLParser({
  preserveOrder: true,
  ignoreAttributes: false,
  attributeNamePrefix: '',
  parseTagValue: false,
  parseAttributeValue: false,
  trimValues: true,
  processEntities: true,
  // Character references (`&#9;`, `&#x41;`): writers escape tabs and newlines in attributes so.
  // It would also take HTML's named entities, which XML has not: undefinedEntity refuses them first.
  htmlEntities: true,
  ignoreDeclaration: true,
  ignorePiTags: true,
  commentPropName: '#comment',
});

type RawNode = Record<string, unknown>;

/** Parses a document and returns its root element. Throws XmlSyntaxError on malformed input. */
export function parseXml(text: string): XmlElement {
  const valid = XMLValidator.validate(text);
  if (valid !== true) {
    throw new XmlSyntaxError(`${valid.err.msg} (line ${valid.err.line})`, valid.err.line);
  }
  const entity = undefinedEntity(text);
  if (entity)
    throw new XmlSyntaxError(`entity '${entity.name}' is not defined (line ${entity.line})`, entity.line);
  const roots = (parser.parse(text) as RawNode[]).map(fromRaw).filter(isElement);
  const root = roots[0];
  if (!root) throw new XmlSyntaxError('the document has no root element');
  return root;
}

/** XML's five predefined entities; a document without a DTD defines no other. */
const XML_ENTITIES = new Set(['lt', 'gt', 'amp', 'quot', 'apos']);

/**
 * The first named entity XML does not define (`&nbsp;`), as libvirt's parser refuses it; comments
 * and CDATA sections hold text, not references, and are blanked out first (line numbers kept).
 */
function undefinedEntity(text: string): { name: string; line: number } | undefined {
  const blank = (m: string): string => m.replace(/[^\n]/g, ' ');
  const markup = text.replace(/<!--[\s\S]*?-->/g, blank).replace(/<!\[CDATA\[[\s\S]*?\]\]>/g, blank);
  for (const m of markup.matchAll(/&([A-Za-z_][\w.-]*);/g)) {
    const name = m[1] as string;
    if (!XML_ENTITIES.has(name)) return { name, line: markup.slice(0, m.index).split('\n').length };
  }
  return undefined;
}

function fromRaw(raw: RawNode): XmlChild | undefined {
  for (const key of Object.keys(raw)) {
    if (key === ATTRS || key === '#comment') continue;
    const value = raw[key];
    if (key === '#text') return String(value);
    const attrs = (raw[ATTRS] as Record<string, unknown> | undefined) ?? {};
    return {
      name: key,
      attrs: Object.fromEntries(Object.entries(attrs).map(([k, v]) => [k, String(v)])),
      children: ((value as RawNode[]) ?? []).map(fromRaw).filter((c): c is XmlChild => c !== undefined),
    };
  }
  return undefined;
}
