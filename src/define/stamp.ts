/**
 * virt-gen's stamp in a domain's `<metadata>`: which config defined it, with which virt-gen, and two
 * hashes that let the next `define` tell "still what virt-gen left there" from "edited since".
 *
 *   <vg:virt-gen xmlns:vg="https://virt-gen.dev/xmlns/1">
 *     <vg:config>/etc/virt-gen/gaming.ts</vg:config>
 *     <vg:version>0.1.0</vg:version>
 *     <vg:generated sha256="…"/>   the generated XML (without stamp and injected UUID)
 *     <vg:libvirt sha256="…"/>     libvirt's own inactive XML right after the define (without stamp)
 *   </vg:virt-gen>
 *
 * Why hash libvirt's copy rather than ours: libvirt adds a lot (UUID, PCI addresses, controllers,
 * default devices) and converts units, so the generated XML never equals what libvirt holds. Its
 * own output, though, is stable: if `dumpxml --inactive` no longer hashes to what it did right after
 * virt-gen's define, someone changed the domain since (virt-manager, `virsh edit`).
 */
import { createHash } from 'node:crypto';
import type { XmlElement } from '../domain/index.js';

export const STAMP_NS = 'https://virt-gen.dev/xmlns/1';
const PREFIX = 'vg';
const LOCAL_NAME = 'virt-gen';

export interface Stamp {
  /** The config file the domain was generated from. */
  config: string;
  /** The virt-gen version that defined it. */
  version: string;
  /** sha256 of the generated XML, canonical, without stamp. */
  generated: string;
  /** sha256 of libvirt's inactive XML right after the define, canonical, without stamp. */
  libvirt?: string;
}

/** Element names may carry any prefix: the stamp is recognised by its namespace. */
function localName(name: string): string {
  const i = name.indexOf(':');
  return i < 0 ? name : name.slice(i + 1);
}

export function isStampElement(el: XmlElement): boolean {
  if (localName(el.name) !== LOCAL_NAME) return false;
  const prefix = el.name.includes(':') ? el.name.slice(0, el.name.indexOf(':')) : undefined;
  const declared = prefix === undefined ? el.attrs.xmlns : el.attrs[`xmlns:${prefix}`];
  return declared === STAMP_NS;
}

function children(el: XmlElement): XmlElement[] {
  return el.children.filter((c): c is XmlElement => typeof c !== 'string');
}

function metadataOf(domain: XmlElement): XmlElement | undefined {
  return children(domain).find((c) => c.name === 'metadata');
}

/** The stamp of a domain document, or undefined when virt-gen did not define it. */
export function readStamp(domain: XmlElement): Stamp | undefined {
  const metadata = metadataOf(domain);
  const el = metadata && children(metadata).find(isStampElement);
  if (!el) return undefined;
  const field = (name: string) => children(el).find((c) => localName(c.name) === name);
  const text = (name: string) =>
    field(name)
      ?.children.filter((c) => typeof c === 'string')
      .join('');
  const config = text('config');
  const generated = field('generated')?.attrs.sha256;
  if (config === undefined || generated === undefined) return undefined;
  const libvirt = field('libvirt')?.attrs.sha256;
  return { config, version: text('version') ?? '', generated, ...(libvirt ? { libvirt } : {}) };
}

export function stampElement(stamp: Stamp): XmlElement {
  const el = (name: string, attrs: Record<string, string>, text?: string): XmlElement => ({
    name: `${PREFIX}:${name}`,
    attrs,
    children: text === undefined ? [] : [text],
  });
  const fields = [
    el('config', {}, stamp.config),
    el('version', {}, stamp.version),
    el('generated', { sha256: stamp.generated }),
  ];
  if (stamp.libvirt) fields.push(el('libvirt', { sha256: stamp.libvirt }));
  return { name: `${PREFIX}:${LOCAL_NAME}`, attrs: { [`xmlns:${PREFIX}`]: STAMP_NS }, children: fields };
}

/** A copy of the domain without any virt-gen stamp (and without `<metadata>` if that emptied it). */
export function withoutStamp(domain: XmlElement): XmlElement {
  const kept = domain.children.flatMap((c) => {
    if (typeof c === 'string' || c.name !== 'metadata') return [c];
    const rest = c.children.filter((m) => typeof m === 'string' || !isStampElement(m));
    return rest.length === 0 ? [] : [{ ...c, children: rest }];
  });
  return { ...domain, children: kept };
}

// libvirt's order of the elements that come before <metadata>.
const BEFORE_METADATA = new Set(['name', 'uuid', 'genid', 'title', 'description']);

/** A copy of the domain carrying `stamp` (replacing any previous one) in its `<metadata>`. */
export function withStamp(domain: XmlElement, stamp: Stamp): XmlElement {
  const base = withoutStamp(domain);
  const metadata = metadataOf(base);
  if (metadata) {
    const updated = { ...metadata, children: [...metadata.children, stampElement(stamp)] };
    return { ...base, children: base.children.map((c) => (c === metadata ? updated : c)) };
  }
  const fresh: XmlElement = { name: 'metadata', attrs: {}, children: [stampElement(stamp)] };
  return { ...base, children: insertAfterLeading(base.children, BEFORE_METADATA, fresh) };
}

/** Inserts `el` after the leading run of children whose names are in `leading`. */
export function insertAfterLeading(
  list: XmlElement['children'],
  leading: ReadonlySet<string>,
  el: XmlElement,
): XmlElement['children'] {
  let at = 0;
  list.forEach((c, i) => {
    if (typeof c !== 'string' && leading.has(c.name)) at = i + 1;
  });
  return [...list.slice(0, at), el, ...list.slice(at)];
}

/**
 * A serialisation that depends only on what libvirt would consider meaning: element names, text,
 * child order, and attributes as a set (sorted). Whitespace was already dropped by the reader.
 * The children of `<devices>` are a set too: libvirt itself reorders them when it re-defines its
 * own dumpxml (controllers move), and in its inactive XML every device has its address already,
 * so their order means nothing. Without this, virt-manager's "Apply" with no change would read as
 * a hand edit.
 */
export function canonical(el: XmlElement): string {
  const walk = (e: XmlElement): unknown[] => {
    const children = e.children.map((c) => (typeof c === 'string' ? c : walk(c)));
    return [
      e.name,
      Object.entries(e.attrs).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)),
      e.name === 'devices' ? sortedByJson(children) : children,
    ];
  };
  return JSON.stringify(walk(el));
}

function sortedByJson(items: unknown[]): unknown[] {
  return items
    .map((item) => [JSON.stringify(item), item] as const)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([, item]) => item);
}

/** sha256 (hex) of the canonical domain without virt-gen's stamp. */
export function domainHash(domain: XmlElement): string {
  return createHash('sha256')
    .update(canonical(withoutStamp(domain)))
    .digest('hex');
}
