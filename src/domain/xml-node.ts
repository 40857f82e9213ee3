/**
 * A plain, ordered XML tree: the meeting point of the typed model and the XML libraries.
 *
 * The reader (xml-read.ts, fast-xml-parser) and the writer (xml-write.ts, xmlbuilder2) only ever see
 * this shape, so the typed layer above them stays pure data and a round trip keeps every element,
 * attribute and text the model does not know. They are separate modules so that a command that
 * only writes XML never loads the parser.
 */

export interface XmlElement {
  name: string;
  attrs: Record<string, string>;
  children: XmlChild[];
}

/** A child is an element or a run of text (whitespace-only runs are dropped on reading). */
export type XmlChild = XmlElement | string;

export function isElement(child: XmlChild | undefined): child is XmlElement {
  return typeof child === 'object';
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
