/**
 * "Did what the config set survive the define?" libvirt silently drops what it does not know (an
 * unknown element under `<os>` or `<devices>`, an attribute a newer libvirt would understand), so
 * after defining, every element, attribute and text of the generated XML is looked up in libvirt's
 * read-back. libvirt may add whatever it likes; it must not drop or change.
 *
 * Values are compared for meaning, not spelling, because libvirt rewrites some on the way in:
 * memory quantities to KiB, numbers to hex or decimal, cpusets to ranges, machine aliases to the
 * versioned machine type, MAC addresses to lower case, yes/no to on/off.
 */
import type { XmlElement } from '../domain/index.js';

/** Where the generated XML was not kept, one "PATH: what happened" line each, in document order. */
export function findLost(generated: XmlElement, readBack: XmlElement): string[] {
  return lostIn(generated, readBack, `/${generated.name}`);
}

function lostIn(want: XmlElement, got: XmlElement, path: string): string[] {
  return [...lostAttrs(want, got, path), ...lostText(want, got, path), ...lostChildren(want, got, path)];
}

function lostAttrs(want: XmlElement, got: XmlElement, path: string): string[] {
  const lost: string[] = [];
  const quantity = isQuantity(want) || isQuantity(got);
  for (const [key, value] of Object.entries(want.attrs)) {
    // Namespace declarations are placement, not content; libvirt hoists qemu's to the root.
    if (key === 'xmlns' || key.startsWith('xmlns:')) continue;
    // A unit is compared as part of the quantity it scales.
    if (quantity && key === 'unit') continue;
    const actual = got.attrs[key];
    if (actual === undefined) {
      lost.push(`${path}/@${key}: '${value}' dropped`);
    } else if (
      quantity && key === 'size' ? !sameQuantity(want, value, got, actual) : !sameValue(key, value, actual)
    ) {
      lost.push(`${path}/@${key}: '${value}' became '${actual}'`);
    }
  }
  return lost;
}

function lostText(want: XmlElement, got: XmlElement, path: string): string[] {
  const value = textOf(want);
  if (value === '') return [];
  const actual = textOf(got);
  if (actual === '') return [`${path}: text '${value}' dropped`];
  const same =
    isQuantity(want) || isQuantity(got)
      ? sameQuantity(want, value, got, actual)
      : sameValue('', value, actual);
  return same ? [] : [`${path}: '${value}' became '${actual}'`];
}

/**
 * Each generated child is paired with the unused read-back child of the same name that keeps the
 * most of it: siblings such as several `<controller>`s or `<hostdev>`s come back reordered and
 * interleaved with what libvirt added.
 */
function lostChildren(want: XmlElement, got: XmlElement, path: string): string[] {
  const lost: string[] = [];
  const used = new Set<XmlElement>();
  const wanted = elements(want);
  for (const child of wanted) {
    const childPath = `${path}/${label(child, wanted)}`;
    const candidates = elements(got).filter((c) => c.name === child.name && !used.has(c));
    let best: { el: XmlElement; lost: string[] } | undefined;
    for (const candidate of candidates) {
      const l = lostIn(child, candidate, childPath);
      if (!best || l.length < best.lost.length) best = { el: candidate, lost: l };
      if (l.length === 0) break;
    }
    if (!best) {
      lost.push(`${childPath}: element dropped`);
      continue;
    }
    used.add(best.el);
    lost.push(...best.lost);
  }
  return lost;
}

// Attributes that usually tell siblings apart, most telling first.
const KEYS = ['id', 'name', 'type', 'index', 'dev', 'vcpu', 'model', 'bus'];

/** An XPath-ish step: the name, plus a predicate when siblings share the name. */
function label(el: XmlElement, siblings: XmlElement[]): string {
  const same = siblings.filter((s) => s.name === el.name);
  if (same.length === 1) return el.name;
  for (const key of KEYS) {
    const v = el.attrs[key];
    if (v !== undefined && same.filter((s) => s.attrs[key] === v).length === 1)
      return `${el.name}[@${key}='${v}']`;
  }
  return `${el.name}[${same.indexOf(el) + 1}]`;
}

function elements(el: XmlElement): XmlElement[] {
  return el.children.filter((c): c is XmlElement => typeof c !== 'string');
}

function textOf(el: XmlElement): string {
  return el.children
    .filter((c): c is string => typeof c === 'string')
    .join('')
    .trim();
}

// ---- value semantics ---------------------------------------------------------------------------

const CPUSET_KEYS = new Set(['cpuset', 'nodeset', 'cpus', 'vcpus']);
const BOOLEAN: Record<string, string> = { yes: 'on', no: 'off' };

export function sameValue(key: string, want: string, got: string): boolean {
  if (want === got) return true;
  if ((BOOLEAN[want] ?? want) === (BOOLEAN[got] ?? got)) return true;
  const [a, b] = [asInteger(want), asInteger(got)];
  if (a !== undefined && b !== undefined) return a === b;
  // MAC addresses, UUIDs, hex ids: libvirt prints them in lower case.
  if (/^[0-9a-f:.-]+$/i.test(want) && want.toLowerCase() === got.toLowerCase()) return true;
  if (CPUSET_KEYS.has(key)) return sameCpuset(want, got);
  if (key === 'machine') return isMachineAlias(want, got);
  return false;
}

/** Decimal or 0x-hex integer, as libvirt accepts them (PCI addresses, spinlock retries, ports). */
function asInteger(v: string): bigint | undefined {
  if (/^-?\d+$/.test(v)) return BigInt(v);
  if (/^0x[0-9a-f]+$/i.test(v)) return BigInt(v);
  return undefined;
}

/** libvirt stores a cpuset as a bitmap and prints ranges: "0,1,2,4" comes back as "0-2,4". */
function sameCpuset(want: string, got: string): boolean {
  const [a, b] = [expandCpuset(want), expandCpuset(got)];
  return a !== undefined && b !== undefined && a.join(',') === b.join(',');
}

export function expandCpuset(spec: string): number[] | undefined {
  const on = new Set<number>();
  for (const part of spec.split(',').map((p) => p.trim())) {
    const m = /^(\^)?(\d+)(?:-(\d+))?$/.exec(part);
    if (!m) return undefined;
    const [from, to] = [Number(m[2]), Number(m[3] ?? m[2])];
    for (let i = from; i <= to; i++) {
      if (m[1]) on.delete(i);
      else on.add(i);
    }
  }
  return [...on].sort((x, y) => x - y);
}

/** `q35` is stored as the current versioned type (`pc-q35-7.2`), `pc` as `pc-i440fx-…`. */
function isMachineAlias(want: string, got: string): boolean {
  const alias: Record<string, string> = { q35: 'pc-q35-', pc: 'pc-i440fx-' };
  return got.startsWith(alias[want] ?? `${want}-`);
}

// ---- quantities --------------------------------------------------------------------------------

/** An element whose text or `size` attribute is scaled by a `unit` attribute (memory, pages). */
function isQuantity(el: XmlElement): boolean {
  return el.attrs.unit !== undefined;
}

function sameQuantity(want: XmlElement, wantValue: string, got: XmlElement, gotValue: string): boolean {
  const [a, b] = [toBytes(wantValue, want.attrs.unit), toBytes(gotValue, got.attrs.unit)];
  return a !== undefined && b !== undefined ? a === b : wantValue === gotValue;
}

/** libvirt's scaling rules (virScaleInteger): no unit means KiB; k/KiB = 1024, KB = 1000, etc. */
export function toBytes(value: string, unit = 'KiB'): bigint | undefined {
  if (!/^\d+$/.test(value.trim())) return undefined;
  const n = BigInt(value.trim());
  const u = unit.toLowerCase();
  if (u === 'b' || u === 'byte' || u === 'bytes') return n;
  const power = 'kmgtpe'.indexOf(u[0] ?? '') + 1;
  if (power === 0) return undefined;
  const rest = u.slice(1);
  const base = rest === '' || rest === 'ib' ? 1024n : rest === 'b' ? 1000n : undefined;
  return base === undefined ? undefined : n * base ** BigInt(power);
}
