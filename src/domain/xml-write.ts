/** Writing an XmlElement tree as text (xmlbuilder2). */
import { loadVendor } from '../util/vendor.js';
import type { XmlElement } from './xml-node.js';

type XmlBuilder2 = typeof import('xmlbuilder2');
let xmlbuilder2: XmlBuilder2 | undefined;

/** xmlbuilder2, loaded on first use through V8's code cache (see util/vendor.ts). */
const create: XmlBuilder2['create'] = ((...args: unknown[]) =>
  ((xmlbuilder2 ??= loadVendor<XmlBuilder2>('xmlbuilder2')).create as (...a: unknown[]) => unknown)(
    ...args,
  )) as XmlBuilder2['create'];

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
