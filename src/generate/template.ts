/**
 * Overlaying a generated domain on a template: what the config sets wins, the rest of the
 * template stays as written (its unknown elements included).
 *
 * Objects merge key by key. Lists merge item by item, each item matched by its identity
 * (domain/element-key.ts): a generated `<interface>` with MAC X overlays the template's interface
 * with MAC X, and a template item the config does not generate (a serial port, a second NIC of a
 * kind the config cannot say, a timer) is kept after the generated ones. So a template can carry
 * what a config cannot say next to what it does, as `import --config` writes it. Ordered lists,
 * where position is meaning (the boot order, QEMU's arguments), are replaced whole.
 */
import type { Domain } from '../domain/model.js';
import { Domain as DomainShape } from '../domain/model.js';
import { attrKey, siblingKeys, unidentified } from '../domain/element-key.js';
import { encode, type Extra, type Field, type Shape } from '../domain/schema.js';
import type { XmlElement } from '../domain/xml-node.js';

type Plain = Record<string, unknown>;

const isPlain = (v: unknown): v is Plain => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Lists whose order is their meaning: the config's list replaces the template's. */
const ORDERED = new Set(['boot', 'qemu:arg']);

/** Deep merge where `over` wins, guided by the element's shape (see the module comment). */
export function overlay(s: Shape, base: Plain, over: Plain): Plain {
  const out: Plain = { ...base };
  for (const [key, value] of Object.entries(over)) {
    if (value === undefined) continue;
    const current = out[key];
    const field: Field | undefined = s[key];
    if (key === '$extra' && isPlain(current) && isPlain(value)) {
      out[key] = overlayExtra(current as Extra, value as Extra);
    } else if (field?.kind === 'child' && isPlain(current) && isPlain(value)) {
      out[key] = overlay(field.shape as Shape, current, value);
    } else if (field?.kind === 'list' && Array.isArray(current) && Array.isArray(value)) {
      const tag = field.xml ?? key;
      out[key] = ORDERED.has(tag) ? value : mergeList(field.shape as Shape, tag, current, value);
    } else {
      out[key] = value;
    }
  }
  return out;
}

/**
 * Generated items in their order, each overlaid on the template item of the same identity, then
 * the template items nothing generated matches. A generated item that leaves its identity to
 * libvirt (an interface without a MAC) takes the first unmatched template item of its kind, as
 * define keeps a defined interface's MAC by rank (define/identity.ts).
 */
function mergeList(s: Shape, tag: string, base: Plain[], over: Plain[]): Plain[] {
  const baseEls = base.map((i) => encode(s, tag, i));
  const overEls = over.map((i) => encode(s, tag, i));
  const baseKeys = siblingKeys(baseEls);
  const exact = siblingKeys(overEls).map((k) => baseKeys.indexOf(k));
  const used = new Set(exact.filter((j) => j >= 0));
  const match = exact.map((j, i) => {
    if (j >= 0 || !unidentified(overEls[i] as XmlElement)) return j;
    const kind = attrKey(overEls[i] as XmlElement);
    const loose = baseEls.findIndex((b, k) => !used.has(k) && attrKey(b) === kind);
    if (loose >= 0) used.add(loose);
    return loose;
  });
  const merged = over.map((item, i) => {
    const j = match[i] as number;
    return j >= 0 ? overlay(s, base[j] as Plain, item) : item;
  });
  return [...merged, ...base.filter((_, j) => !used.has(j))];
}

/**
 * Unknown attributes merge by name, unknown children by identity (the config's win), so virt-gen's
 * runtime `<metadata>` child sits beside the template's own (a libosinfo entry from `virsh dumpxml`).
 */
function overlayExtra(base: Extra, over: Extra): Extra {
  const attrs = base.attrs || over.attrs ? { ...base.attrs, ...over.attrs } : undefined;
  const children = mergeElements(base.children ?? [], over.children ?? []);
  const { attrs: _a, children: _c, ...rest } = { ...base, ...over };
  return { ...rest, ...(attrs ? { attrs } : {}), ...(children.length ? { children } : {}) };
}

function mergeElements(base: XmlElement[], over: XmlElement[]): XmlElement[] {
  const overKeys = new Set(siblingKeys(over));
  const baseKeys = siblingKeys(base);
  const kept = base.filter((_, i) => !overKeys.has(baseKeys[i] as string));
  return [...over, ...kept];
}

export function overlayDomain(template: Domain, generated: Domain): Domain {
  // `<sysinfo>` is one element per type: matched by type like any list item, so the config's
  // SMBIOS tables overlay the template's smbios one, and the template's others (fwcfg) stay.
  const merged = overlay(DomainShape, template as Plain, generated as Plain) as Domain;
  return bootOrderWins(movedDisksLeaveTheirPlace(merged, template), generated);
}

type Disk = NonNullable<NonNullable<Domain['devices']>['disk']>[number];
const imageOf = (d: Disk): string | undefined => d.source?.file ?? d.source?.dev;

/**
 * A disk the config puts on another bus than the template's (an imported IDE CD-ROM on q35's SATA),
 * or names otherwise, leaves the template's `<address>` behind: an IDE drive address (bus 1) on
 * SATA is refused by libvirt ("bus must be 0 for sata controller"), and an address the old name
 * gave could be another disk's now. libvirt places the disk by its name instead.
 */
export function movedDisksLeaveTheirPlace(merged: Domain, template: Domain): Domain {
  const before = new Map((template.devices?.disk ?? []).map((d) => [imageOf(d), d.target]));
  const disks = merged.devices?.disk;
  if (!disks) return merged;
  const placed = disks.map((d) => {
    const image = imageOf(d);
    const was = image === undefined ? undefined : before.get(image);
    if (!d.address || !was || (was.bus === d.target?.bus && was.dev === d.target?.dev)) return d;
    const { address: _left, ...rest } = d;
    return rest;
  });
  return { ...merged, devices: { ...merged.devices, disk: placed } };
}

/**
 * libvirt refuses `<os><boot dev>` beside per-device `<boot order>`: when the config orders its
 * devices (a disk's `boot`), the template's `<os><boot>` (QEMU's `-boot d`, imported) gives way.
 */
function bootOrderWins(merged: Domain, generated: Domain): Domain {
  const dev = generated.devices ?? {};
  const ordered = [...(dev.disk ?? []), ...(dev.interface ?? []), ...(dev.hostdev ?? [])].some(
    (d) => d.boot?.order !== undefined,
  );
  if (!ordered || !merged.os?.boot) return merged;
  const { boot: _dropped, ...os } = merged.os;
  return { ...merged, os };
}
