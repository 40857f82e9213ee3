/**
 * Validation of what identifies the VM to the guest: its UUID, the VM generation ID (`genid`) and the
 * SMBIOS tables (`smbios`). The checks are libvirt's own at define (UUID syntax, the BIOS date's
 * format, `<sysinfo>`'s UUID equal to `<uuid>`) and QEMU's at start (the BIOS release number).
 */
import { SMBIOS_FIELDS, SMBIOS_TABLES, type SmbiosTable } from '../vocabulary.js';
import type { ResolvedSmbiosTables, ResolvedVm } from '../resolved.js';
import { Issues, describe, isRecord, type Obj } from '../issues.js';

/** libvirt's UUID: 32 hex digits, with or without the dashes. */
export const UUID_RE = /^[0-9a-f]{8}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{12}$/i;

/** Two spellings of one UUID (case, dashes) are the same UUID. */
const sameUuid = (a: string, b: string): boolean =>
  a.replace(/-/g, '').toLowerCase() === b.replace(/-/g, '').toLowerCase();

export function resolveGenid(issues: Issues, value: unknown): ResolvedVm['genid'] {
  if (value === undefined || value === false) return false;
  if (value === true) return {};
  if (typeof value === 'string' && UUID_RE.test(value)) return { uuid: value };
  issues.add('genid', `${describe(value)} is not true, false or a UUID`);
  return false;
}

export function resolveSmbios(issues: Issues, value: unknown): ResolvedVm['smbios'] {
  if (value === undefined) return false;
  if (value === 'host') return 'host';
  if (!isRecord(value)) {
    issues.add('smbios', `${describe(value)} is not "host" or tables such as { system: { manufacturer } }`);
    return false;
  }
  issues.unknownKeys('smbios', value, SMBIOS_TABLES);
  const tables: ResolvedSmbiosTables = {};
  for (const table of SMBIOS_TABLES) {
    const entries = smbiosTable(issues, table, value[table]);
    if (entries?.length) tables[table] = entries;
  }
  if (Object.keys(value).length === 0)
    issues.add('smbios', 'names no table: leave it out for QEMU\'s own, or say "host"');
  return tables;
}

function smbiosTable(issues: Issues, table: SmbiosTable, value: unknown) {
  const at = `smbios.${table}`;
  if (!issues.object(at, value)) return undefined;
  const fields: readonly string[] = SMBIOS_FIELDS[table];
  issues.unknownKeys(at, value as Obj, [...fields]);
  const entries: Array<{ name: string; value: string }> = [];
  for (const name of fields) {
    const text = issues.string(`${at}.${name}`, (value as Obj)[name]);
    if (text === undefined) continue;
    const why =
      text.trim() === '' ? "is empty (leave it out for QEMU's value)" : entryProblem(table, name, text);
    if (why) issues.add(`${at}.${name}`, why);
    else entries.push({ name, value: text });
  }
  if (Object.keys(value as Obj).length === 0) issues.add(at, 'sets no entry: leave it out');
  return entries;
}

/** What libvirt (define) or QEMU (start) refuses in one entry. */
export function entryProblem(table: SmbiosTable, name: string, text: string): string | undefined {
  if (table === 'bios' && name === 'date' && !biosDate(text))
    return `"${text}" is not a BIOS date as libvirt takes it (mm/dd/yyyy or mm/dd/yy)`;
  if (
    table === 'bios' &&
    name === 'release' &&
    !/^(25[0-5]|2[0-4]\d|1?\d?\d)\.(25[0-5]|2[0-4]\d|1?\d?\d)$/.test(text)
  )
    return `"${text}" is not a BIOS release "major.minor" (each 0 to 255), as QEMU reads it`;
  if (table === 'system' && name === 'uuid' && !UUID_RE.test(text)) return `"${text}" is not a UUID`;
  return undefined;
}

/** libvirt's check (virSysinfoBIOSParseXML): month 1-12, day 1-31, year 00-99 or ≥ 1900. */
function biosDate(text: string): boolean {
  const m = /^(\d{1,2})\/(\d{1,2})\/(\d{2}|\d{4})$/.exec(text);
  if (!m) return false;
  const [month, day, year] = [Number(m[1]), Number(m[2]), Number(m[3])];
  return month >= 1 && month <= 12 && day >= 1 && day <= 31 && (year < 100 || year >= 1900);
}

/** libvirt refuses a `<sysinfo>` UUID other than the domain's ("UUID mismatch"). */
export function checkSmbiosUuid(issues: Issues, vm: ResolvedVm): void {
  if (vm.smbios === false || vm.smbios === 'host') return;
  const uuid = vm.smbios.system?.find((e) => e.name === 'uuid')?.value;
  if (uuid !== undefined && vm.uuid !== undefined && !sameUuid(uuid, vm.uuid)) {
    issues.add(
      'smbios.system.uuid',
      `"${uuid}" differs from uuid "${vm.uuid}": libvirt shows the guest the VM's own UUID (leave one out)`,
    );
  }
}
