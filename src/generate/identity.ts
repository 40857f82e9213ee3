/**
 * What identifies the VM to the guest beyond its UUID: the VM generation ID (`<genid>`) and the
 * SMBIOS tables of `<sysinfo type='smbios'>` (`<os><smbios mode='sysinfo'/>`, firmware.ts, points at them).
 */
import type { Domain, DomainSysinfo } from '../domain/model.js';
import type { ResolvedVm } from '../config/resolved.js';
import { SMBIOS_TABLES } from '../config/vocabulary.js';

export function identityElements(vm: ResolvedVm): Pick<Domain, 'genid' | 'sysinfo'> {
  return {
    // Empty: libvirt makes one at define, and define keeps it on every re-define (define/identity.ts).
    ...(vm.genid ? { genid: vm.genid.uuid !== undefined ? { value: vm.genid.uuid } : {} } : {}),
    ...sysinfo(vm),
  };
}

function sysinfo(vm: ResolvedVm): Pick<Domain, 'sysinfo'> {
  const tables = vm.smbios;
  if (tables === false || tables === 'host') return {};
  const info: DomainSysinfo = { type: 'smbios' };
  for (const table of SMBIOS_TABLES) {
    const entry = tables[table];
    if (entry?.length) info[table] = { entry: entry.map((e) => ({ name: e.name, value: e.value })) };
  }
  return { sysinfo: [info] };
}
