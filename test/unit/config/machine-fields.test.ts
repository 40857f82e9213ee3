/**
 * The machine-level fields: CPU model, hand-written NUMA cells, vCPU cpuset, genid, SMBIOS, memory
 * backing. Each refusal is one libvirt makes at define (checked on libvirt 9.0: a BIOS date, a
 * `<sysinfo>` UUID, overlapping cells), one QEMU makes at start (the BIOS release), or one where
 * libvirt would silently change the domain (cells that leave vCPUs out or whose memory differs from
 * `memory`: see test/integration/machine-fields.test.ts).
 */
import { describe, expect, it } from '@jest/globals';
import { resolveConfig } from '../../../src/config/validate.js';
import { base, problems } from './helpers/problems.js';

const cpu = (fields: object) => ({ cpu: { cores: 4, ...fields } });
const UUID = '5d3a1c2e-9f7b-4c1a-8e2d-3b4c5d6e7f80';

describe('machine fields: refusals', () => {
  it.each<[string, object, string]>([
    [
      'a custom CPU without its model',
      cpu({ mode: 'custom' }),
      'cpu.model: is required with mode: \'custom\' (a QEMU CPU model such as "Haswell-noTSX")',
    ],
    [
      'a model with another mode',
      cpu({ model: 'Haswell-noTSX' }),
      "cpu.model: names a CPU model, which only mode: 'custom' uses (mode is 'host-passthrough')",
    ],
    [
      'a model with QEMU option syntax',
      cpu({ mode: 'custom', model: 'Haswell,+avx' }),
      'cpu.model: "Haswell,+avx" is not a CPU model name (letters, digits, "-", "_", ".", as virsh domcapabilities lists them)',
    ],
    [
      'a vCPU cpuset running backwards',
      cpu({ cpuset: '7-2' }),
      'cpu.cpuset: "7-2" is not a host CPU set: the range 7-2 runs backwards (expected e.g. "0-3,8-11")',
    ],
    [
      'NUMA cells sharing a vCPU',
      cpu({
        numa: [
          { cpus: '0-2', memory: 512 },
          { cpus: '2-3', memory: 512 },
        ],
      }),
      'cpu.numa[1].cpus: vCPU 2 is also in cpu.numa[0].cpus',
    ],
    [
      'NUMA cells leaving a vCPU out',
      cpu({
        numa: [
          { cpus: '0-1', memory: 512 },
          { cpus: '2', memory: 512 },
        ],
      }),
      'cpu.numa: vCPU 3 is in no cell: every one of the 4 vCPUs belongs to exactly one cell',
    ],
    [
      'a NUMA cell naming a vCPU the guest has not',
      cpu({ numa: [{ cpus: '0-4', memory: 1024 }] }),
      'cpu.numa[0].cpus: vCPU 4 does not exist: the guest has vCPUs 0 to 3',
    ],
    [
      "NUMA cells whose memory is not the guest's",
      cpu({
        numa: [
          { cpus: '0-1', memory: '1 GiB' },
          { cpus: '2-3', memory: 512 },
        ],
      }),
      "cpu.numa: the cells' memory adds up to 1536 MiB, but memory is 1024 MiB (they must be equal)",
    ],
    [
      'a NUMA cell without memory',
      cpu({ numa: [{ cpus: '0-3' }] }),
      'cpu.numa[0].memory: undefined is not a memory size (a number of MiB, or "8 GiB")',
    ],
    [
      'an empty cell list',
      cpu({ numa: [] }),
      'cpu.numa: is an empty list: give at least one cell, or leave it out',
    ],
    ['a genid that is no UUID', { genid: 'yes' }, 'genid: "yes" is not true, false or a UUID'],
    [
      'a BIOS date libvirt does not parse',
      { smbios: { bios: { date: '2020-01-31' } } },
      'smbios.bios.date: "2020-01-31" is not a BIOS date as libvirt takes it (mm/dd/yyyy or mm/dd/yy)',
    ],
    [
      'a BIOS release QEMU does not parse',
      { smbios: { bios: { release: '1.256' } } },
      'smbios.bios.release: "1.256" is not a BIOS release "major.minor" (each 0 to 255), as QEMU reads it',
    ],
    [
      "a system UUID other than the VM's",
      { uuid: UUID, smbios: { system: { uuid: '5d3a1c2e-9f7b-4c1a-8e2d-3b4c5d6e7f81' } } },
      'smbios.system.uuid: "5d3a1c2e-9f7b-4c1a-8e2d-3b4c5d6e7f81" differs from uuid "5d3a1c2e-9f7b-4c1a-8e2d-3b4c5d6e7f80": libvirt shows the guest the VM\'s own UUID (leave one out)',
    ],
    [
      'an entry the table does not have',
      { smbios: { chassis: { product: 'X' } } },
      'smbios.chassis.product: is not a known field',
    ],
    [
      'an empty entry',
      { smbios: { system: { serial: ' ' } } },
      "smbios.system.serial: is empty (leave it out for QEMU's value)",
    ],
    [
      'no table at all',
      { smbios: {} },
      'smbios: names no table: leave it out for QEMU\'s own, or say "host"',
    ],
    [
      'a mode word libvirt has but the config not',
      { smbios: 'emulate' },
      'smbios: "emulate" is not "host" or tables such as { system: { manufacturer } }',
    ],
    [
      'a backing word misspelt',
      { memoryBacking: { lock: true } },
      'memoryBacking.lock: is not a known field (did you mean "locked"?)',
    ],
  ])('refuses %s', (_what, fields, message) => {
    const found = problems({ ...base, ...fields });
    expect(found).toContain(message);
    expect(found).toHaveLength(1);
  });

  it.each<[string, object]>([
    ['a custom CPU model', cpu({ mode: 'custom', model: 'Haswell-noTSX', features: { hle: 'disable' } })],
    ["QEMU's max CPU", cpu({ mode: 'maximum' })],
    ['a vCPU cpuset beside pins', cpu({ cpuset: '2-7,10-15', emulatorPin: '0' })],
    [
      'cells in any unit adding up to memory',
      cpu({
        numa: [
          { cpus: '0,2', memory: '512 MiB' },
          { cpus: '1,3', memory: 512 },
        ],
      }),
    ],
    ['genid true', { genid: true }],
    ['genid as a UUID', { genid: UUID.toUpperCase() }],
    ['the host SMBIOS', { smbios: 'host' }],
    [
      'every SMBIOS table',
      {
        uuid: UUID,
        smbios: {
          bios: { vendor: 'American Megatrends', version: 'F20', date: '12/31/99', release: '5.17' },
          system: { manufacturer: 'Dell', product: 'OptiPlex', uuid: UUID.replace(/-/g, '').toUpperCase() },
          baseBoard: { manufacturer: 'Dell', location: 'slot 1' },
          chassis: { manufacturer: 'Dell', sku: 'X' },
        },
      },
    ],
    [
      'every memory backing',
      { memoryBacking: { locked: true, shared: true, preallocate: true }, hugepages: '1G' },
    ],
  ])('accepts %s', (_what, fields) => {
    expect(problems({ ...base, ...fields })).toEqual([]);
  });

  it("keeps the SMBIOS entries in libvirt's order, whatever the config's", () => {
    const vm = resolveConfig(
      { ...base, smbios: { system: { family: 'F', manufacturer: 'M' } } },
      '/configs',
      'gaming.ts',
    );
    expect(vm.smbios).toEqual({
      system: [
        { name: 'manufacturer', value: 'M' },
        { name: 'family', value: 'F' },
      ],
    });
  });
});
