/**
 * Facts an imported domain must carry, for the real-world set (test/fixtures/import-real/): each is a
 * path into the domain XML, `devices/hostdev[type=pci]/source/address[bus=0x01][function=0x1]`, with
 * an optional `=TEXT` the last element's text must equal. The first segment may name the root
 * (`domain[type=kvm]`). A fact holds when some element on that path matches: written by hand from
 * what the command line says, never from what the importer computed.
 */
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { parseXml } from '../../src/domain/xml-read.js';
import { childElements, textOf, type XmlElement } from '../../src/domain/xml-node.js';

interface Step {
  name: string;
  attrs: Array<[string, string]>;
}

function parseFact(fact: string): { steps: Step[]; text?: string } {
  const eq = fact.search(/=(?![^[]*\])/); // an '=' outside brackets
  const path = eq >= 0 ? fact.slice(0, eq) : fact;
  const steps = path.split(/\/(?![^[]*\])/).map((seg) => {
    const name = seg.replace(/\[.*$/, '');
    const attrs = [...seg.matchAll(/\[([^=\]]+)=([^\]]*)\]/g)].map((m) => [m[1], m[2]] as [string, string]);
    return { name, attrs };
  });
  return eq >= 0 ? { steps, text: fact.slice(eq + 1) } : { steps };
}

function matches(el: XmlElement, step: Step): boolean {
  return el.name === step.name && step.attrs.every(([k, v]) => el.attrs[k] === v);
}

/** True when the domain (its XML text) carries the fact. */
export function holds(xml: string | XmlElement, fact: string): boolean {
  const root = typeof xml === 'string' ? parseXml(xml) : xml;
  const { steps, text } = parseFact(fact);
  let level: XmlElement[] = [root];
  const rest = steps[0]?.name === 'domain' ? steps.slice(1) : steps;
  if (steps[0]?.name === 'domain' && !matches(root, steps[0])) return false;
  for (const step of rest) level = level.flatMap((el) => childElements(el).filter((c) => matches(c, step)));
  return text === undefined ? level.length > 0 : level.some((el) => textOf(el).trim() === text);
}

export interface RealCase {
  name: string;
  file: string;
  text: string;
  facts: string[];
}

/** The real-world set: every `NAME.args` or `NAME.sh` with its `NAME.facts.json`. */
export function realWorldCases(dir: string): RealCase[] {
  return readdirSync(dir)
    .filter((f) => /\.(args|sh)$/.test(f))
    .sort()
    .map((f) => {
      const name = f.replace(/\.(args|sh)$/, '');
      return {
        name,
        file: join(dir, f),
        text: readFileSync(join(dir, f), 'utf8'),
        facts: JSON.parse(readFileSync(join(dir, `${name}.facts.json`), 'utf8')) as string[],
      };
    });
}
