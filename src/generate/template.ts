/**
 * Overlaying a generated domain on a template: what the config sets wins, the rest of the
 * template stays as written (its unknown elements included).
 */
import type { Domain } from '../domain/model.js';

type Plain = Record<string, unknown>;

const isPlain = (v: unknown): v is Plain => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Deep merge where `over` wins: objects merge key by key, lists and values replace. */
export function overlay<T extends Plain>(base: T, over: T): T {
  const out: Plain = { ...base };
  for (const [key, value] of Object.entries(over)) {
    if (value === undefined) continue;
    const current = out[key];
    out[key] = isPlain(current) && isPlain(value) ? overlay(current, value) : value;
  }
  return out as T;
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
