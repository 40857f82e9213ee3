/**
 * domain -> config for the VM generation ID and the SMBIOS tables (`genid`, `smbios`): the reverse of
 * src/generate/identity.ts and the `<os><smbios>` of firmware.ts.
 */
import { SMBIOS_FIELDS, SMBIOS_TABLES } from '../../config/vocabulary.js';
import { UUID_RE, entryProblem } from '../../config/fields/identity.js';
import type { Domain } from '../../domain/model.js';
import type { SmbiosConfig, VmConfig } from '../../config/types.js';

export function genid(domain: Domain, notes: string[]): VmConfig['genid'] {
  const value = domain.genid?.value;
  if (!domain.genid) return undefined;
  if (!value) return true;
  if (UUID_RE.test(value)) return value;
  notes.push(`<genid>${value}</genid>: not a UUID; the config asks libvirt for a new one`);
  return true;
}

/** `<os><smbios mode='host'>` -> 'host'; mode='sysinfo' with `<sysinfo type='smbios'>` -> its tables. */
export function smbios(domain: Domain, notes: string[]): VmConfig['smbios'] {
  const mode = domain.os?.smbios?.mode;
  const info = domain.sysinfo?.find((s) => s.type === 'smbios');
  if (info && mode !== 'sysinfo') notes.push("<sysinfo type='smbios'> that <os><smbios> does not use");
  for (const other of domain.sysinfo ?? []) {
    if (other !== info) notes.push(`<sysinfo type='${other.type ?? ''}'>`);
  }
  if (mode === 'host') return 'host';
  if (mode !== 'sysinfo' || !info) return undefined;
  const config: Record<string, Record<string, string>> = {};
  for (const table of SMBIOS_TABLES) {
    const known: readonly string[] = SMBIOS_FIELDS[table];
    for (const e of info[table]?.entry ?? []) {
      const fits =
        e.name && known.includes(e.name) && e.value?.trim() && !entryProblem(table, e.name, e.value);
      if (fits) (config[table] ??= {})[e.name as string] = e.value as string;
      else notes.push(`<sysinfo><${table}><entry name='${e.name ?? ''}'>`);
    }
  }
  return Object.keys(config).length ? (config as SmbiosConfig) : undefined;
}
