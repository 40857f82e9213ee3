/**
 * The full-fact comparison of two domains (src/domain/facts.ts flattens them): which facts of A
 * are missing from B, whatever their order, each fact named by its path with the identity of its
 * ancestors, so that two NICs' or two disks' facts never mix.
 *
 * Facts legitimately not compared, one row each with its reason (docs/import.md repeats the table):
 */
import { domainFacts } from '../../src/domain/facts.js';
import { parseXml } from '../../src/domain/xml-read.js';
import type { XmlElement } from '../../src/domain/xml-node.js';

export const NOT_COMPARED: ReadonlyArray<{ fact: RegExp; why: string }> = [
  {
    fact: /^domain\/@type=/,
    why: "a config always asks for KVM (`type='qemu'` is emulation, not a passthrough VM)",
  },
];

const compared = (fact: string): boolean => !NOT_COMPARED.some((n) => n.fact.test(fact));

const element = (xml: string | XmlElement): XmlElement => (typeof xml === 'string' ? parseXml(xml) : xml);

/** The facts of a domain that are compared. */
export function comparedFacts(xml: string | XmlElement): string[] {
  return [...domainFacts(element(xml))].filter(compared);
}

/** The compared facts of `a` that `b` lacks. */
export function lostFacts(a: string | XmlElement, b: string | XmlElement): string[] {
  const have = domainFacts(element(b));
  return comparedFacts(a).filter((f) => !have.has(f));
}
