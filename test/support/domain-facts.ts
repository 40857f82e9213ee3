/**
 * The full-fact comparison of two domains (src/domain/facts.ts flattens them): which facts of A
 * are missing from B, whatever their order, each fact named by its path with the identity of its
 * ancestors, so that two NICs' or two disks' facts never mix.
 *
 * Facts legitimately not compared: NOT_COMPARED (src/import/remainder.ts, one row each with its
 * reason; docs/import.md shows the table), the same `import --config` reports against.
 */
import { domainFacts } from '../../src/domain/facts.js';
import { isCompared, NOT_COMPARED } from '../../src/import/remainder.js';
import { parseXml } from '../../src/domain/xml-read.js';
import type { XmlElement } from '../../src/domain/xml-node.js';

export { NOT_COMPARED };

const element = (xml: string | XmlElement): XmlElement => (typeof xml === 'string' ? parseXml(xml) : xml);

/** The facts of a domain that are compared. */
export function comparedFacts(xml: string | XmlElement): string[] {
  return [...domainFacts(element(xml))].filter(isCompared);
}

/** The compared facts of `a` that `b` lacks. */
export function lostFacts(a: string | XmlElement, b: string | XmlElement): string[] {
  const have = domainFacts(element(b));
  return comparedFacts(a).filter((f) => !have.has(f));
}
