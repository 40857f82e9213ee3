/**
 * The three-way merge that lets a domain be edited in virt-manager and still be managed by its
 * config. The base is what virt-gen's last define left: libvirt's copy of it (L0) and the XML
 * virt-gen generated for it (G0). Then
 *
 *   theirs = L0 -> L1 (libvirt now: the hand edits), compared in libvirt's own words;
 *   ours   = G0 -> G1 (the config now: its changes), compared in virt-gen's own words;
 *
 * and the result is L1 with ours applied. So an edit the config does not touch is kept (it is in
 * L1), a config change the user did not touch is applied, and what libvirt added to its copy
 * (addresses, default devices) is never taken for a change. The same field changed on both sides
 * to values that mean different things is a conflict; both sides agreeing is none.
 */
import type { XmlElement } from '../domain/index.js';
import {
  changesBetween,
  isQuantity,
  pathOf,
  sameField,
  valueOf,
  valueText,
  VALUE,
  type Change,
} from './changes.js';
import type { Conflict } from './errors.js';
import { childByKey, childKeys } from './keys.js';
import { withoutStamp } from './stamp.js';
import { findLost } from './survival.js';
import { shown, termOf } from './terms.js';

export interface MergeInput {
  /** libvirt's copy right after virt-gen's last define. */
  baseLibvirt: XmlElement;
  /** libvirt's copy now. */
  libvirt: XmlElement;
  /** What virt-gen defined last time (UUID and MACs included). */
  baseGenerated: XmlElement;
  /** What the config generates now. */
  generated: XmlElement;
}

export interface MergeResult {
  merged: XmlElement;
  /** The config's changes (G0 -> G1). */
  ours: Change[];
  /** The hand edits (L0 -> L1). */
  theirs: Change[];
  conflicts: Conflict[];
}

/** `resolve` settles every conflict one way: 'theirs' keeps the edit, 'ours' applies the config. */
export function mergeDomains(input: MergeInput, resolve?: 'ours' | 'theirs'): MergeResult {
  const [l0, l1, g0, g1] = [input.baseLibvirt, input.libvirt, input.baseGenerated, input.generated].map(
    withoutStamp,
  ) as [XmlElement, XmlElement, XmlElement, XmlElement];
  const ours = changesBetween(g0, g1);
  const theirs = changesBetween(l0, l1);
  const merged = clone(l1);
  const conflicts: Conflict[] = [];
  for (const c of ours) {
    const verdict = judge(c, theirs, l1);
    if (verdict === 'agree') continue;
    if (verdict !== 'apply') conflicts.push(verdict);
    if (verdict === 'apply' || resolve === 'ours') apply(merged, c, g1);
  }
  return { merged, ours, theirs, conflicts };
}

const startsWith = (steps: string[], prefix: string[]): boolean =>
  prefix.length <= steps.length && prefix.every((s, i) => steps[i] === s);

/**
 * Values virt-gen derives rather than the config setting them: `<currentMemory>` is the config's
 * `memory`, which virt-manager's "current allocation" changes on its own. An edit of one is kept
 * under a config change, not a conflict (the config has no word for it).
 */
const DERIVED = new Set(['currentMemory']);

/** Whether a config change can be applied, is already there, or conflicts with an edit. */
function judge(c: Change, theirs: Change[], l1: XmlElement): 'apply' | 'agree' | Conflict {
  if (c.steps.length === 1 && DERIVED.has(c.steps[0] as string) && theirs.some((t) => sameSteps(t, c))) {
    return 'agree';
  }
  const removed = theirs.find((t) => t.kind === 'remove' && startsWith(c.steps, t.steps));
  if (removed && !(c.kind === 'remove' && sameSteps(removed, c))) return conflict(c, 'removed');
  if (c.kind === 'set') {
    const t = theirs.find((x) => x.kind === 'set' && sameSteps(x, c) && x.field === c.field);
    if (!t) return 'apply';
    return sameField(c.field ?? VALUE, c.after, t.after) ? 'agree' : conflict(c, shown(t.after, c.field));
  }
  if (c.kind === 'remove') {
    if (removed) return 'agree';
    const edited = theirs.find((t) => startsWith(t.steps, c.steps));
    return edited ? conflict(c, `changed (${pathOf(edited)})`) : 'apply';
  }
  const there = locate(l1, c.steps);
  if (!there || !theirs.some((t) => startsWith(t.steps, c.steps))) return 'apply';
  return sameElement(c.el as XmlElement, there) ? 'agree' : conflict(c, 'added differently');
}

function sameSteps(a: Change, b: Change): boolean {
  return a.steps.length === b.steps.length && startsWith(a.steps, b.steps);
}

/** Everything either one sets, the other has with the same meaning. */
function sameElement(a: XmlElement, b: XmlElement): boolean {
  return findLost(a, b).length === 0 && findLost(b, a).length === 0;
}

function conflict(c: Change, edited: string): Conflict {
  const config = c.kind === 'set' ? shown(c.after, c.field) : c.kind === 'add' ? 'adds it' : 'removes it';
  return { field: termOf(c), path: pathOf(c), config, edited };
}

function locate(root: XmlElement, steps: string[]): XmlElement | undefined {
  let el: XmlElement | undefined = root;
  for (const s of steps) el = el && childByKey(el, s);
  return el;
}

/**
 * Applies one config change to `target` (libvirt's copy, being merged). An element the change
 * needs that `target` lacks is brought over whole from the generated XML `g1`.
 */
function apply(target: XmlElement, c: Change, g1: XmlElement): void {
  if (c.kind === 'remove') {
    const parent = locate(target, c.steps.slice(0, -1));
    const gone = parent && childByKey(parent, c.steps[c.steps.length - 1] as string);
    if (parent && gone) parent.children = parent.children.filter((x) => x !== gone);
    return;
  }
  const el = ensure(target, c.steps, g1);
  if (!el) return;
  if (c.kind === 'add') {
    if (c.el) overlay(el, c.el);
    return;
  }
  if (c.field === VALUE) setValue(el, c.after, locate(g1, c.steps));
  else if (c.after === undefined) delete el.attrs[(c.field as string).slice(1)];
  else el.attrs[(c.field as string).slice(1)] = c.after;
}

/** The element at `steps` in `target`, created from `g1` where missing. */
function ensure(target: XmlElement, steps: string[], g1: XmlElement): XmlElement | undefined {
  let [el, gen]: [XmlElement, XmlElement | undefined] = [target, g1];
  for (const s of steps) {
    gen = gen && childByKey(gen, s);
    const next = childByKey(el, s);
    if (next) {
      el = next;
      continue;
    }
    if (!gen) return undefined;
    const fresh = clone(gen);
    el.children.push(fresh);
    return fresh;
  }
  return el;
}

/** `dst` takes every attribute, value and child `src` has; what only `dst` has stays. */
function overlay(dst: XmlElement, src: XmlElement): void {
  Object.assign(dst.attrs, src.attrs);
  if (valueOf(src) !== undefined) setValue(dst, valueOf(src), src);
  for (const { key, el } of childKeys(src)) {
    const there = childByKey(dst, key);
    if (there) overlay(there, el);
    else dst.children.push(clone(el));
  }
}

/** Sets the text; for a quantity, the text and unit of the generated element (`from`). */
function setValue(el: XmlElement, value: string | undefined, from: XmlElement | undefined): void {
  const elements = el.children.filter((c) => typeof c !== 'string');
  let text = value;
  if (from && isQuantity(from)) {
    el.attrs.unit = from.attrs.unit as string;
    text = valueText(from);
  }
  el.children = text === undefined ? elements : [text, ...elements];
}

function clone(el: XmlElement): XmlElement {
  return {
    name: el.name,
    attrs: { ...el.attrs },
    children: el.children.map((c) => (typeof c === 'string' ? c : clone(c))),
  };
}
