/** Small readers over libvirt's XML answers (node devices, capabilities): children by name, numbers. */
import { childElements, textOf, type XmlElement } from '../../domain/xml-node.js';
import { parseXml, XmlSyntaxError } from '../../domain/xml-read.js';
import { HostError } from '../errors.js';

/** Parses an answer of libvirt; a malformed one is an error naming what was asked. */
export function parseAnswer(xml: string, what: string): XmlElement {
  try {
    return parseXml(xml);
  } catch (err) {
    if (err instanceof XmlSyntaxError)
      throw new HostError(`libvirt's ${what} is not XML: ${err.message}`, 'libvirt-xml');
    throw err;
  }
}

export const kids = (el: XmlElement | undefined, name: string): XmlElement[] =>
  el ? childElements(el).filter((c) => c.name === name) : [];

export const kid = (el: XmlElement | undefined, name: string): XmlElement | undefined => kids(el, name)[0];

/** The trimmed text of the first child `name`, or undefined. */
export function kidText(el: XmlElement | undefined, name: string): string | undefined {
  const c = kid(el, name);
  const text = c === undefined ? undefined : textOf(c).trim();
  return text === '' ? undefined : text;
}

/** A decimal or `0x` hex number, or undefined when absent or not a number. */
export function num(text: string | undefined): number | undefined {
  if (text === undefined || text.trim() === '') return undefined;
  const n = Number(text.trim());
  return Number.isFinite(n) ? n : undefined;
}
