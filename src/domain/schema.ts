/**
 * A small declarative schema for libvirt XML, in the spirit of libvirt-go-xml's struct tags.
 *
 * One `shape({...})` per element is the single source of truth for three things:
 * - the TypeScript type of the element (`Infer<typeof Shape>`),
 * - libvirt's canonical child order (the key order of the shape),
 * - how the element is read from and written to an XmlElement.
 *
 * Whatever the shape does not model (an unknown attribute, an unknown child, a value a codec does
 * not recognise) is kept in `$extra` and written back, so a round trip never drops a hand edit. An
 * unknown child also keeps its place: `decode` notes the known child it followed (`ExtraChild.after`)
 * and `encode` writes it right after that child's group, so `<maxMemory>` read before `<memory>`
 * is written before it, not after `<qemu:commandline>`.
 */
import { childElements, textOf, type XmlChild, type XmlElement } from './xml-node.js';

/** Converts between an attribute/text string and a typed value; `decode` returns undefined to refuse. */
export interface Codec<T> {
  decode(raw: string): T | undefined;
  encode(value: T): string;
}

export interface AttrField<T> {
  kind: 'attr';
  xml?: string;
  codec: Codec<T>;
}
export interface TextField<T> {
  kind: 'text';
  codec: Codec<T>;
}
export interface ChildField<S extends Shape> {
  kind: 'child';
  xml?: string;
  shape: S;
}
export interface ListField<S extends Shape> {
  kind: 'list';
  xml?: string;
  shape: S;
}

// The `any` here is the usual variance escape hatch for a heterogeneous record of fields.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type Field = AttrField<any> | TextField<any> | ChildField<any> | ListField<any>;
export type Shape = { readonly [key: string]: Field };

/**
 * An unknown child, with where it stood: `after` is the shape key of the known child it followed
 * (`key#n` after the n-th item of a list), or {@link FIRST} when it came before every known child.
 * The place travels with the child, so code that filters or moves children cannot misplace it;
 * a child without one (one code added) is written after all known children.
 */
export type ExtraChild = XmlElement & { after?: string };

/** What a model object carries of its XML that the shape does not name. */
export interface Extra {
  attrs?: Record<string, string>;
  /**
   * The order of the attributes as read, when it is not the one `encode` gives anyway (known in
   * the shape's order, then unknown): they are written back in it.
   */
  attrOrder?: string[];
  children?: ExtraChild[];
}

/** The `after` of an unknown child that came before every known child. */
export const FIRST = '^';

type FieldValue<F> =
  F extends AttrField<infer T>
    ? T
    : F extends TextField<infer T>
      ? T
      : F extends ChildField<infer S>
        ? Infer<S>
        : F extends ListField<infer S>
          ? Infer<S>[]
          : never;

/** The model type of a shape: every field optional, as in libvirt's XML. */
export type Infer<S extends Shape> = { -readonly [K in keyof S]?: FieldValue<S[K]> } & { $extra?: Extra };

export const shape = <S extends Shape>(fields: S): S => fields;

// ---- codecs ---------------------------------------------------------------------------------

export const str: Codec<string> = { decode: (raw) => raw, encode: (v) => v };

/** Decimal or 0x-prefixed integers, written in decimal. */
export const int: Codec<number> = {
  decode: (raw) => parseInteger(raw),
  encode: (v) => String(v),
};

/** Integers written as 0x-prefixed hex padded to `width` digits, as libvirt writes PCI addresses. */
export const hex = (width: number): Codec<number> => ({
  decode: (raw) => parseInteger(raw),
  encode: (v) => '0x' + v.toString(16).padStart(width, '0'),
});

const boolCodec = (yes: string, no: string): Codec<boolean> => ({
  decode: (raw) => (raw === yes ? true : raw === no ? false : undefined),
  encode: (v) => (v ? yes : no),
});
export const yesNo = boolCodec('yes', 'no');
export const onOff = boolCodec('on', 'off');

/** A closed set of strings; anything else is kept verbatim in `$extra`. */
export const oneOf = <const T extends string>(...values: T[]): Codec<T> => ({
  decode: (raw) => (values.includes(raw as T) ? (raw as T) : undefined),
  encode: (v) => v,
});

export function parseInteger(raw: string): number | undefined {
  const s = raw.trim();
  if (/^0x[0-9a-f]+$/i.test(s)) return parseInt(s, 16);
  if (/^-?\d+$/.test(s)) return Number(s);
  return undefined;
}

// ---- field constructors -----------------------------------------------------------------------

export const attr = <T = string>(
  codec: Codec<T> = str as unknown as Codec<T>,
  xml?: string,
): AttrField<T> => ({
  kind: 'attr',
  codec,
  ...(xml ? { xml } : {}),
});
export const text = <T = string>(codec: Codec<T> = str as unknown as Codec<T>): TextField<T> => ({
  kind: 'text',
  codec,
});
export const child = <S extends Shape>(s: S, xml?: string): ChildField<S> => ({
  kind: 'child',
  shape: s,
  ...(xml ? { xml } : {}),
});
export const list = <S extends Shape>(s: S, xml?: string): ListField<S> => ({
  kind: 'list',
  shape: s,
  ...(xml ? { xml } : {}),
});

const xmlName = (key: string, field: Field): string => ('xml' in field && field.xml) || key;

// ---- reading ----------------------------------------------------------------------------------

/** Reads an element into its model object, keeping what the shape does not model in `$extra`. */
export function decode<S extends Shape>(s: S, el: XmlElement): Infer<S> {
  const out: Record<string, unknown> = {};
  const extraAttrs: Record<string, string> = {};
  const extraChildren: ExtraChild[] = [];
  const byTag = new Map<string, [string, Field]>();
  const attrsByName = new Map<string, [string, AttrField<unknown>]>();
  let textField: [string, TextField<unknown>] | undefined;

  for (const [key, field] of Object.entries(s)) {
    if (field.kind === 'attr') attrsByName.set(xmlName(key, field), [key, field]);
    else if (field.kind === 'text') textField = [key, field];
    else byTag.set(xmlName(key, field), [key, field]);
  }

  for (const [name, raw] of Object.entries(el.attrs)) {
    const known = attrsByName.get(name);
    const value = known?.[1].codec.decode(raw);
    if (known && value !== undefined) out[known[0]] = value;
    else extraAttrs[name] = raw;
  }

  if (textField) {
    const raw = textOf(el);
    const value = raw === '' ? undefined : textField[1].codec.decode(raw);
    if (value !== undefined) out[textField[0]] = value;
    else if (raw !== '') {
      extraChildren.push({ name: '#text', attrs: {}, children: [raw], after: FIRST });
    }
  }

  let anchor = FIRST;
  for (const c of childElements(el)) {
    const known = byTag.get(c.name);
    const [key, field] = known ?? [];
    if (key !== undefined && field?.kind === 'list') {
      const items = (out[key] ??= []) as unknown[];
      items.push(decode(field.shape as Shape, c));
      anchor = `${key}#${items.length}`;
    } else if (key !== undefined && out[key] === undefined) {
      out[key] = decode((field as ChildField<Shape>).shape, c);
      anchor = key;
    } else {
      // Unknown, or a second copy of a single child: keep it where it was, do not guess.
      extraChildren.push({ ...c, after: anchor });
    }
  }

  const extra: Extra = {};
  if (Object.keys(extraAttrs).length) {
    extra.attrs = extraAttrs;
    const order = attrOrder(el, [...attrsByName.keys()], extraAttrs);
    if (order) extra.attrOrder = order;
  }
  if (extraChildren.length) extra.children = extraChildren;
  if (extra.attrs || extra.children) out.$extra = extra;
  return out as Infer<S>;
}

/** The attributes' order as read, if `encode` would not give it by itself (known, then unknown). */
function attrOrder(el: XmlElement, known: string[], unknown: Record<string, string>): string[] | undefined {
  const read = Object.keys(el.attrs);
  const written = [...known.filter((n) => n in el.attrs && !(n in unknown)), ...Object.keys(unknown)];
  return read.join(' ') === written.join(' ') ? undefined : read;
}

// ---- writing ----------------------------------------------------------------------------------

/** Writes a model object as an element named `tag`, children in the shape's (canonical) order. */
export function encode<S extends Shape>(s: S, tag: string, value: Infer<S>): XmlElement {
  const v = value as Record<string, unknown>;
  const attrs: Record<string, string> = {};
  const extras = extrasByAnchor(value.$extra);
  const children: XmlChild[] = [...(extras.get(FIRST) ?? [])];
  extras.delete(FIRST);
  for (const [key, field] of Object.entries(s)) {
    const fv = v[key];
    if (fv !== undefined && fv !== null) encodeField(key, field, fv, attrs, children, extras);
    // After the key's group even when the key is gone: that is after the nearest earlier known child.
    for (const [anchor, group] of extras) {
      if (anchor !== key && !anchor.startsWith(key + '#')) continue;
      children.push(...group);
      extras.delete(anchor);
    }
  }
  for (const rest of extras.values()) children.push(...rest);
  if (value.$extra?.attrs) Object.assign(attrs, value.$extra.attrs);
  return { name: tag, attrs: inOrder(attrs, value.$extra?.attrOrder), children };
}

/** `attrs` with the names of `order` first, in that order (attribute order means nothing to XML, but diffs read better). */
function inOrder(attrs: Record<string, string>, order: string[] | undefined): Record<string, string> {
  if (!order) return attrs;
  const out: Record<string, string> = {};
  for (const name of order) if (name in attrs) out[name] = attrs[name] as string;
  return Object.assign(out, attrs);
}

function encodeField(
  key: string,
  field: Field,
  fv: unknown,
  attrs: Record<string, string>,
  children: XmlChild[],
  extras: Map<string, XmlChild[]>,
): void {
  const name = xmlName(key, field);
  switch (field.kind) {
    case 'attr':
      attrs[name] = field.codec.encode(fv);
      break;
    case 'text':
      children.push(field.codec.encode(fv));
      break;
    case 'child':
      children.push(encode(field.shape as Shape, name, fv as Infer<Shape>));
      break;
    case 'list':
      (fv as Infer<Shape>[]).forEach((item, i) => {
        children.push(encode(field.shape as Shape, name, item));
        const anchor = `${key}#${i + 1}`;
        children.push(...(extras.get(anchor) ?? []));
        extras.delete(anchor);
      });
      break;
  }
}

/**
 * The unknown children grouped by the anchor they are written after, in document order; those
 * without an anchor (or with one the shape does not have) come last, under the key `''`.
 */
function extrasByAnchor(extra: Extra | undefined): Map<string, XmlChild[]> {
  const groups = new Map<string, XmlChild[]>();
  for (const { after = '', ...c } of extra?.children ?? []) {
    const group = groups.get(after) ?? [];
    group.push(c.name === '#text' ? (c.children[0] as string) : c);
    groups.set(after, group);
  }
  // The unanchored group must come after every anchored one: re-insert it last.
  const rest = groups.get('');
  groups.delete('');
  if (rest) groups.set('', rest);
  return groups;
}
