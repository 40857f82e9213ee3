/**
 * A plain, ordered XML tree: the meeting point of the typed model and the XML libraries.
 *
 * The reader (fast-xml-parser in preserve-order mode) and the writer (xmlbuilder2) only ever see
 * this shape, so the typed layer above them stays pure data and a round trip keeps every element,
 * attribute and text the model does not know.
 */
import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { create } from 'xmlbuilder2';

export interface XmlElement {
  name: string;
  attrs: Record<string, string>;
  children: XmlChild[];
}

/** A child is an element or a run of text (whitespace-only runs are dropped on reading). */
export type XmlChild = XmlElement | string;

export class XmlSyntaxError extends Error {
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
  const roots = (parser.parse(text) as RawNode[]).map(fromRaw).filter(isElement);
  const root = roots[0];
  if (!root) throw new XmlSyntaxError('the document has no root element');
  return root;
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

export function isElement(child: XmlChild | undefined): child is XmlElement {
  return typeof child === 'object';
}

/** Serialises an element as an indented document without XML declaration, like `virsh dumpxml`. */
export function writeXml(root: XmlElement): string {
  const doc = create();
  appendTo(doc, root);
  return doc.end({ headless: true, prettyPrint: true, indent: '  ' }) + '\n';
}

type Builder = ReturnType<typeof create>;

function appendTo(parent: Builder, el: XmlElement): void {
  const node = parent.ele(el.name, el.attrs);
  for (const child of el.children) {
    if (typeof child === 'string') node.txt(child);
    else appendTo(node, child);
  }
}

/** The text of an element: its text children joined. */
export function textOf(el: XmlElement): string {
  return el.children.filter((c): c is string => typeof c === 'string').join('');
}

export function childElements(el: XmlElement): XmlElement[] {
  return el.children.filter(isElement);
}

/** Element equality that ignores attribute order: what "the same XML" means for libvirt. */
export function sameXml(a: XmlChild, b: XmlChild): boolean {
  if (typeof a === 'string' || typeof b === 'string') return a === b;
  if (a.name !== b.name || a.children.length !== b.children.length) return false;
  const ak = Object.keys(a.attrs).sort();
  const bk = Object.keys(b.attrs).sort();
  if (ak.join('\0') !== bk.join('\0') || ak.some((k) => a.attrs[k] !== b.attrs[k])) return false;
  return a.children.every((c, i) => sameXml(c, b.children[i] as XmlChild));
}
