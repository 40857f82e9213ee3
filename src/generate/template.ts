/**
 * Overlaying a generated domain on a template: what the config sets wins, the rest of the
 * template stays as written (its unknown elements included).
 */
import type { Domain } from '../domain/model.js';
import type { Extra } from '../domain/schema.js';

type Plain = Record<string, unknown>;

const isPlain = (v: unknown): v is Plain => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Deep merge where `over` wins: objects merge key by key, lists and values replace. */
export function overlay<T extends Plain>(base: T, over: T): T {
  const out: Plain = { ...base };
  for (const [key, value] of Object.entries(over)) {
    if (value === undefined) continue;
    const current = out[key];
    if (key === '$extra') out[key] = overlayExtra(current as Extra | undefined, value as Extra);
    else out[key] = isPlain(current) && isPlain(value) ? overlay(current, value) : value;
  }
  return out as T;
}

/**
 * The unknown XML of both: a generated child replaces the template's children of its name only, so
 * virt-gen's `<metadata>` does not drop the template's (a libosinfo entry from `virsh dumpxml`).
 */
function overlayExtra(base: Extra | undefined, over: Extra): Extra {
  const names = new Set((over.children ?? []).map((c) => c.name));
  const children = [...(base?.children ?? []).filter((c) => !names.has(c.name)), ...(over.children ?? [])];
  const attrs = { ...base?.attrs, ...over.attrs };
  return {
    ...base,
    ...over,
    ...(Object.keys(attrs).length ? { attrs } : {}),
    ...(children.length ? { children } : {}),
  };
}

export function overlayDomain(template: Domain, generated: Domain): Domain {
  const merged = overlay(template as Plain, generated as Plain) as Domain;
  // `<sysinfo>` is one element per type: the config's SMBIOS tables replace the template's smbios
  // one, and the template's others (fwcfg) stay.
  if (template.sysinfo && generated.sysinfo) {
    const types = new Set(generated.sysinfo.map((s) => s.type));
    merged.sysinfo = [...template.sysinfo.filter((s) => !types.has(s.type)), ...generated.sysinfo];
  }
  return bootOrderWins(movedDisksLeaveTheirPlace(merged, template), generated);
}

type Disk = NonNullable<NonNullable<Domain['devices']>['disk']>[number];
const imageOf = (d: Disk): string | undefined => d.source?.file ?? d.source?.dev;

/**
 * A disk the config puts on another bus than the template's (an imported IDE CD-ROM on q35's SATA)
 * leaves the template's `<address>` behind: an IDE drive address (bus 1) on SATA is refused by
 * libvirt ("bus must be 0 for sata controller"), and libvirt places the disk itself.
 */
export function movedDisksLeaveTheirPlace(merged: Domain, template: Domain): Domain {
  const before = new Map((template.devices?.disk ?? []).map((d) => [imageOf(d), d.target?.bus]));
  const disks = merged.devices?.disk;
  if (!disks) return merged;
  const placed = disks.map((d) => {
    const image = imageOf(d);
    const was = image === undefined ? undefined : before.get(image);
    if (!d.address || was === undefined || was === d.target?.bus) return d;
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
