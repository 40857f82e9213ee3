/**
 * Writing an XmlElement tree as text (xmlbuilder2).
 *
 * Two things xmlbuilder2 leaves to us, both about characters:
 * - a character XML 1.0 cannot carry (NUL, other C0 controls, lone surrogates) would make the output
 *   not XML at all: we refuse it with XmlTextError, naming the element and attribute;
 * - a tab or line break in an attribute value, or a carriage return in text, is legal but the reader
 *   normalises it away (to a space, to a line feed): we write it as a character reference, as libvirt does.
 */
import { VirtGenError } from '../util/errors.js';
import { loadVendor } from '../util/vendor.js';
import { describeChar, findNonXmlChar } from './xml-chars.js';
import type { XmlElement } from './xml-node.js';

type XmlBuilder2 = typeof import('xmlbuilder2');
let xmlbuilder2: XmlBuilder2 | undefined;

/** xmlbuilder2, loaded on first use through V8's code cache (see util/vendor.ts). */
const create: XmlBuilder2['create'] = ((...args: unknown[]) =>
  ((xmlbuilder2 ??= loadVendor<XmlBuilder2>('xmlbuilder2')).create as (...a: unknown[]) => unknown)(
    ...args,
  )) as XmlBuilder2['create'];

/** A value that cannot be written as XML text: names where it sits and the character. */
export class XmlTextError extends VirtGenError {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'XmlTextError';
  }
}

/** Serialises an element as an indented document without XML declaration, like `virsh dumpxml`. */
export function writeXml(root: XmlElement): string {
  const doc = create();
  appendTo(doc, root, root.name);
  const text = doc.end({ headless: true, prettyPrint: true, indent: '  ' }) + '\n';
  return text.includes(TAB) || text.includes(LF) || text.includes(CR) ? toCharRefs(text) : text;
}

type Builder = ReturnType<typeof create>;

function appendTo(parent: Builder, el: XmlElement, where: string): void {
  const attrs: Record<string, string> = {};
  for (const [name, value] of Object.entries(el.attrs)) {
    attrs[name] = keepWhitespace(checked(value, `attribute ${name} of <${el.name}> (${where})`), /[\t\n\r]/g);
  }
  const node = parent.ele(el.name, attrs);
  for (const child of el.children) {
    if (typeof child === 'string')
      node.txt(keepWhitespace(checked(child, `the text of <${el.name}> (${where})`), /\r/g));
    else appendTo(node, child, `${where}/${child.name}`);
  }
}

function checked(value: string, where: string): string {
  const bad = findNonXmlChar(value);
  if (bad) {
    throw new XmlTextError(
      `the domain XML cannot carry ${describeChar(bad.codePoint)} at character ${bad.index + 1} of ${where}: ${JSON.stringify(value)}`,
    );
  }
  return value;
}

// Noncharacters (refused in input by findNonXmlChar) stand in for whitespace the reader would normalise.
const TAB = '\uFDD0';
const LF = '\uFDD1';
const CR = '\uFDD2';
const STAND_IN: Record<string, string> = { '\t': TAB, '\n': LF, '\r': CR };
const CHAR_REF: Record<string, string> = { [TAB]: '&#9;', [LF]: '&#10;', [CR]: '&#13;' };

const keepWhitespace = (s: string, which: RegExp): string => s.replace(which, (c) => STAND_IN[c] as string);
const toCharRefs = (text: string): string => text.replace(/[\uFDD0-\uFDD2]/g, (c) => CHAR_REF[c] as string);
