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
  return merged;
}
