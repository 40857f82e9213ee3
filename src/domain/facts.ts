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
    for (const [name, value] of Object.entries(el.attrs)) {
      if (name === 'xmlns' || name.startsWith('xmlns:')) continue;
      if (identity.includes(name)) continue;
      out.add(`${path}/@${name}=${value}`);
    }
    const text = textOf(el).trim();
    if (text !== '') out.add(`${path}=${text}`);
    const kids = childElements(el);
    const keys = siblingKeys(kids);
    kids.forEach((c, i) => visit(c, `${path}/${keys[i]}`, false));
  };
  visit(root, root.name, true);
  return out;
}

/** The facts of `a` that `b` lacks, in `a`'s document order. */
export function missingFacts(a: XmlElement, b: XmlElement): string[] {
  const have = domainFacts(b);
  return [...domainFacts(a)].filter((f) => !have.has(f));
}
