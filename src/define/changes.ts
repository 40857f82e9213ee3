/**
 * What changed between two versions of a domain, as a list of field-level changes: an attribute
 * set or removed, an element's value (its text, with its unit) changed, an element added or
 * removed. Children are matched by identity (keys.ts). Both versions must come from the same
 * writer (virt-gen's XML with virt-gen's, libvirt's with libvirt's): the merge compares like with
 * like, and only compares across the two when it has to decide whether two edits agree.
 */
import type { XmlElement } from '../domain/index.js';
import { childKeys } from './keys.js';
import { sameValue, toBytes } from './survival.js';

export interface Change {
  /** Keys from the root's children down to the element (`['devices', 'disk[target=vda]']`). */
  steps: string[];
  /** `@name` for an attribute, `#value` for the text (with its unit); none for a whole element. */
  field?: string;
  kind: 'set' | 'add' | 'remove';
  /** For `set`: the values before and after (undefined: absent). */
  before?: string;
  after?: string;
  /** For `add` and `remove`: the element. */
  el?: XmlElement;
}

export const VALUE = '#value';

/** The element's text, trimmed. */
export function valueText(el: XmlElement): string {
  return el.children
    .filter((c): c is string => typeof c === 'string')
    .join('')
    .trim();
}

/** A quantity is a number scaled by a `unit` attribute (memory): unit and text are one field. */
export function isQuantity(el: XmlElement): boolean {
  return el.attrs.unit !== undefined && /^\d+$/.test(valueText(el));
}

/** The element's value as shown to people: `4096000 KiB`, or its text. */
export function valueOf(el: XmlElement): string | undefined {
  const text = valueText(el);
  if (text === '') return undefined;
  return isQuantity(el) ? `${text} ${el.attrs.unit}` : text;
}

/** Two values of the same field mean the same (units, hex, case, cpusets: survival.ts). */
export function sameField(field: string, a: string | undefined, b: string | undefined): boolean {
  if (a === undefined || b === undefined) return a === b;
  if (field !== VALUE) return sameValue(field.slice(1), a, b);
  const [qa, qb] = [quantityBytes(a), quantityBytes(b)];
  if (qa !== undefined && qb !== undefined) return qa === qb;
  return sameValue('', a, b);
}

function quantityBytes(v: string): bigint | undefined {
  const m = /^(\d+) (\S+)$/.exec(v);
  return m ? toBytes(m[1] as string, m[2]) : undefined;
}

/** Every change from `a` to `b` (two versions of one element). */
export function changesBetween(a: XmlElement, b: XmlElement, steps: string[] = []): Change[] {
  return [...attrChanges(a, b, steps), ...valueChange(a, b, steps), ...childChanges(a, b, steps)];
}

function attrChanges(a: XmlElement, b: XmlElement, steps: string[]): Change[] {
  const quantity = isQuantity(a) || isQuantity(b);
  const names = [...new Set([...Object.keys(a.attrs), ...Object.keys(b.attrs)])];
  return names
    .filter((n) => !(quantity && n === 'unit') && a.attrs[n] !== b.attrs[n])
    .map((n) => ({ steps, field: `@${n}`, kind: 'set' as const, before: a.attrs[n], after: b.attrs[n] }));
}

function valueChange(a: XmlElement, b: XmlElement, steps: string[]): Change[] {
  const [before, after] = [valueOf(a), valueOf(b)];
  return before === after ? [] : [{ steps, field: VALUE, kind: 'set', before, after }];
}

function childChanges(a: XmlElement, b: XmlElement, steps: string[]): Change[] {
  const [ka, kb] = [childKeys(a), childKeys(b)];
  const inA = new Map(ka.map((k) => [k.key, k.el]));
  const inB = new Map(kb.map((k) => [k.key, k.el]));
  const out: Change[] = [];
  for (const { key, el } of kb) {
    const old = inA.get(key);
    if (old) out.push(...changesBetween(old, el, [...steps, key]));
    else out.push({ steps: [...steps, key], kind: 'add', el });
  }
  for (const { key, el } of ka) if (!inB.has(key)) out.push({ steps: [...steps, key], kind: 'remove', el });
  return out;
}

/** `/domain/devices/disk[target=vda]/@cache`: where a change is, for people. */
export function pathOf(c: Pick<Change, 'steps' | 'field'>, root = 'domain'): string {
  const field = c.field === undefined || c.field === VALUE ? '' : `/${c.field}`;
  return `/${[root, ...c.steps].join('/')}${field}`;
}
