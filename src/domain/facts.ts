/**
 * A domain XML as a set of facts, so that two domains can be compared whatever their order: every
 * element, attribute and text, each named by its path of element keys (element-key.ts), such as
 * `devices/interface[type=user][mac/address=52:54:00:12:34:56]/model/@type=e1000`.
 *
 * `import --config` uses it to say which facts of the imported domain its config does not give back
 * (import/remainder.ts); the round-trip measure and its tests use it to count them.
 */
import { identityAttrs, siblingKeys } from './element-key.js';
import { childElements, textOf, type XmlElement } from './xml-node.js';

/**
 * The facts of `root`: `PATH` for each element (its identifying attributes are in PATH),
 * `PATH/@attr=value` for each other attribute, `PATH=text` for its text. The root is named by its
 * tag alone, its attributes are facts. Namespace declarations are syntax, not facts.
 */
export function domainFacts(root: XmlElement): Set<string> {
  const out = new Set<string>();
  const visit = (el: XmlElement, path: string, isRoot: boolean): void => {
    out.add(path);
    const identity = isRoot ? [] : identityAttrs(el.name);
    for (const [name, value] of Object.entries(inKiB(el.attrs, textOf(el).trim()))) {
      if (name === 'xmlns' || name.startsWith('xmlns:')) continue;
      if (identity.includes(name)) continue;
      out.add(`${path}/@${name}=${value}`);
    }
    const text = el.attrs.unit !== undefined ? '' : textOf(el).trim();
    if (text !== '') out.add(`${path}=${text}`);
    const kids = childElements(el);
    const keys = siblingKeys(kids);
    kids.forEach((c, i) => visit(c, `${path}/${keys[i]}`, false));
  };
  visit(root, root.name, true);
  return out;
}

/** libvirt's size units in KiB (formatdomain.html, "Memory Allocation"). */
const KIB: Readonly<Record<string, number>> = {
  b: 1 / 1024,
  bytes: 1 / 1024,
  KB: 1000 / 1024,
  k: 1,
  KiB: 1,
  MB: 1e6 / 1024,
  M: 1024,
  MiB: 1024,
  GB: 1e9 / 1024,
  G: 1024 ** 2,
  GiB: 1024 ** 2,
  TB: 1e12 / 1024,
  T: 1024 ** 3,
  TiB: 1024 ** 3,
};

/**
 * An element's attributes with its sizes in KiB, as libvirt stores them: `<cell memory='4'
 * unit='GiB'>` and `<cell memory='4194304' unit='KiB'>` are one fact. The sized value is the
 * `memory` or `size` attribute, else the text (`<memory unit='MiB'>4096</memory>`), given as
 * `#size`. Without a `unit` (or with one libvirt does not know), attributes stay as written.
 */
function inKiB(attrs: Record<string, string>, text: string): Record<string, string> {
  const factor = attrs.unit !== undefined ? KIB[attrs.unit] : undefined;
  if (factor === undefined) return attrs;
  const out: Record<string, string> = {};
  const kib = (v: string): string => (/^\d+$/.test(v) ? String(Math.ceil(Number(v) * factor)) : v);
  for (const [k, v] of Object.entries(attrs)) {
    if (k !== 'unit') out[k] = k === 'memory' || k === 'size' ? kib(v) : v;
  }
  if (text !== '') out['#size'] = kib(text);
  return out;
}

/** The facts of `a` that `b` lacks, in `a`'s document order. */
export function missingFacts(a: XmlElement, b: XmlElement): string[] {
  const have = domainFacts(b);
  return [...domainFacts(a)].filter((f) => !have.has(f));
}
