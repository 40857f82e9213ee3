/**
 * The element order of a domain document, and the check that the model keeps it: parse, write, and
 * compare the sequence of element names at every level (text and whitespace aside). Used on
 * libvirt's test corpus (unit) and on `virsh dumpxml` of the sandbox (integration).
 */
import { decode, encode } from '../../src/domain/schema.js';
import { Domain } from '../../src/domain/model.js';
import { isElement, type XmlElement } from '../../src/domain/xml-node.js';

/** The paths where two trees' child-name sequences differ, one line each; empty when the same. */
export function orderDifferences(a: XmlElement, b: XmlElement, at = a.name): string[] {
  const ac = a.children.filter(isElement);
  const bc = b.children.filter(isElement);
  const an = ac.map((c) => c.name).join(' ');
  const bn = bc.map((c) => c.name).join(' ');
  if (an !== bn) return [`${at}: [${an}] became [${bn}]`];
  return ac.flatMap((c, i) => orderDifferences(c, bc[i] as XmlElement, `${at}/${c.name}`));
}

/** The domain element as the model writes it back after reading it. */
export function throughModel(domain: XmlElement): XmlElement {
  return encode(Domain, 'domain', decode(Domain, domain));
}

/** A deep copy of `el` with `extra` inserted among the element children of `path` at element index `at`. */
export function withElementAt(el: XmlElement, path: string[], at: number, extra: XmlElement): XmlElement {
  const copy = structuredClone(el);
  let parent = copy;
  for (const name of path) {
    const next = parent.children.find((c): c is XmlElement => isElement(c) && c.name === name);
    if (!next) throw new Error(`no <${name}> under <${parent.name}>`);
    parent = next;
  }
  const elements = parent.children.filter(isElement);
  const before = elements[at];
  const index = before ? parent.children.indexOf(before) : parent.children.length;
  parent.children.splice(index, 0, extra);
  return copy;
}

/** The number of element children of the element at `path`, or undefined when there is none. */
export function elementCount(el: XmlElement, path: string[]): number | undefined {
  let node: XmlElement | undefined = el;
  for (const name of path)
    node = node?.children.find((c): c is XmlElement => isElement(c) && c.name === name);
  return node?.children.filter(isElement).length;
}

/** Every insertion of `extra` at every position of the levels in `paths`, with what went wrong. */
export function insertionDifferences(doc: XmlElement, paths: string[][], extra: XmlElement): string[] {
  const problems: string[] = [];
  for (const p of paths) {
    const n = elementCount(doc, p);
    if (n === undefined) continue;
    for (let at = 0; at <= n; at++) {
      const edited = withElementAt(doc, p, at, extra);
      for (const d of orderDifferences(edited, throughModel(edited)))
        problems.push(`<${extra.name}> at ${['domain', ...p].join('/')}[${at}]: ${d}`);
    }
  }
  return problems;
}

/** The levels a hand edit usually lands in. */
export const EDITED_LEVELS = [[], ['devices'], ['os'], ['cpu'], ['features'], ['devices', 'disk']];

/** An element no model knows, as a hand edit or a newer libvirt would add. */
export const UNKNOWN: XmlElement = { name: 'vg-unknown', attrs: { note: 'hand edit' }, children: [] };
