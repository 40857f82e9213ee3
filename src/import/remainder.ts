/**
 * What a config cannot say, kept beside it: the parts of an imported domain that the domain
 * generated from its config lacks, as a minimal domain to be the config's `template`.
 *
 * `import --config` must give back every fact of the command line (docs/import.md, "`--config`:
 * a round trip"): the config says what its language can, and this template holds the rest: whole
 * elements the config does not generate (a `<serial>`, a user-mode NIC, `<genid>`), and the
 * attributes and children it leaves out of elements it does generate (a disk's `<address>`), each
 * under enough of its ancestors, with their identity (domain/element-key.ts), for the overlay to
 * put it back in place (generate/template.ts merges lists item by item by that identity). What
 * the config sets otherwise than the command line did (q35 for an i440fx machine) cannot be kept
 * this way: the config wins; neither can what libvirt would refuse beside the config's parts
 * (remainder-rules.ts). Both are measured here, not assumed, and reported as `lost`.
 */
import { identityAttrs, identityChildren, siblingKeys } from '../domain/element-key.js';
import { missingFacts } from '../domain/facts.js';
import { Domain as DomainShape, type Domain } from '../domain/model.js';
import { decode } from '../domain/schema.js';
import { domainToElement } from '../domain/write.js';
import { childElements, textOf, type XmlElement } from '../domain/xml-node.js';
import { overlayDomain } from '../generate/template.js';
import { cannotAdd, cannotJoin, cannotKeepChild } from './remainder-rules.js';

export interface Remainder {
  /** The template to write beside the config; absent when the config says everything. */
  template?: Domain;
  /** What the template keeps, as paths (`devices/serial[type=pty]`, `…/address/@slot`). */
  kept: string[];
  /** Facts of the imported domain that neither the config nor the template gives back. */
  lost: string[];
}

/**
 * Facts of an imported domain a config is not asked to give back, each with its reason (the table
 * docs/import.md shows; namespace declarations are not facts at all, see domain/facts.ts).
 */
export const NOT_COMPARED: ReadonlyArray<{ fact: RegExp; why: string }> = [
  {
    fact: /^domain\/@type=/,
    why: "a config always asks for KVM (`type='qemu'` is emulation, not a passthrough VM)",
  },
];

/** False for a fact NOT_COMPARED leaves out. */
export const isCompared = (fact: string): boolean => !NOT_COMPARED.some((n) => n.fact.test(fact));

/** The remainder of `imported` once `generated` (from its config, without host facts) is taken. */
export function importRemainder(imported: Domain, generated: Domain): Remainder {
  const a = domainToElement(imported);
  const g = domainToElement(generated);
  const walk: Walk = { kept: [], generated: g };
  const rest = prune(a, g, 'domain', walk);
  const template = rest && hasContent(rest) ? decode(DomainShape, rest) : undefined;
  const result = template ? overlayDomain(template, generated) : generated;
  const lost = missingFacts(a, domainToElement(result)).filter(isCompared);
  // What the config overrides is not kept, whatever the template says: it is listed as lost.
  const overridden = (k: string): boolean => lost.some((f) => f === k || f.startsWith(`${k}=`));
  return {
    ...(template ? { template } : {}),
    kept: walk.kept.filter((k) => !overridden(k)).map(shortPath),
    lost: lost.map(shortPath),
  };
}

/** What the pruning collects, and the domain it prunes against. */
interface Walk {
  kept: string[];
  generated: XmlElement;
}

/** Paths as the reader knows them from the XML: `devices/serial[type=pty]`, without `domain/`. */
const shortPath = (p: string): string => p.replace(/^domain\//, '');

function hasContent(el: XmlElement): boolean {
  return el.children.length > 0 || Object.keys(el.attrs).some((k) => k !== 'type');
}

/**
 * `a` reduced to what `g` (the same element, generated) lacks, or undefined when it lacks nothing.
 * An element `g` does not have at all is kept whole.
 */
function prune(a: XmlElement, g: XmlElement | undefined, path: string, walk: Walk): XmlElement | undefined {
  const { kept } = walk;
  if (!g) {
    if (cannotAdd(a, walk.generated)) return undefined;
    kept.push(path);
    return a;
  }
  const attrs: Record<string, string> = {};
  let found = false;
  for (const [name, value] of Object.entries(a.attrs)) {
    if (identityAttrs(a.name).includes(name) || name.startsWith('xmlns')) attrs[name] = value;
    else if (g.attrs[name] === undefined && !cannotJoin(name, g)) {
      attrs[name] = value;
      kept.push(`${path}/@${name}`);
      found = true;
    }
  }
  const text = textOf(a).trim() !== '' && textOf(g).trim() === '' ? textOf(a) : undefined;
  if (text !== undefined) {
    kept.push(`${path}=${text}`);
    found = true;
  }
  const children = pruneChildren(a, g, path, walk);
  if (!found && !children.length) return undefined;
  return {
    name: a.name,
    attrs,
    children: withIdentity(a, text !== undefined ? [text, ...children] : children),
  };
}

function pruneChildren(a: XmlElement, g: XmlElement, path: string, walk: Walk): XmlElement[] {
  const gKids = childElements(g);
  const gByKey = new Map(siblingKeys(gKids).map((k, i) => [k, gKids[i] as XmlElement]));
  const aKids = childElements(a);
  const aKeys = siblingKeys(aKids);
  const out = aKids.map((c, i) =>
    cannotKeepChild(c, a, g)
      ? undefined
      : prune(c, gByKey.get(aKeys[i] as string), `${path}/${aKeys[i]}`, walk),
  );
  // A look-alike is matched by its rank among look-alikes: keep the ones before a kept one as stubs.
  const needed = new Set<number>();
  out.forEach((r, i) => {
    if (!r) return;
    const base = (aKeys[i] as string).replace(/#\d+$/, '');
    aKeys.forEach((k, j) => j < i && k.replace(/#\d+$/, '') === base && needed.add(j));
  });
  return out.flatMap((r, i) => (r ? [r] : needed.has(i) ? [stub(aKids[i] as XmlElement)] : []));
}

/** An element reduced to what identifies it: the overlay matches it and takes nothing from it. */
function stub(el: XmlElement): XmlElement {
  const attrs = Object.fromEntries(
    Object.entries(el.attrs).filter(([k]) => identityAttrs(el.name).includes(k)),
  );
  return { name: el.name, attrs, children: withIdentity(el, []) };
}

/** `children` plus the children that identify `el` (an interface's `<mac>`), if missing. */
function withIdentity(el: XmlElement, children: Array<XmlElement | string>): Array<XmlElement | string> {
  const tags = new Set(identityChildren(el).map(([spec]) => spec.split('/')[0]));
  if (!tags.size) return children;
  // Whole, as the command line gave them: a pruned `<source>` would no longer say which device.
  const own = childElements(el).filter((c) => tags.has(c.name));
  const rest = children.filter((c) => typeof c === 'string' || !tags.has(c.name));
  return [...own, ...rest];
}
