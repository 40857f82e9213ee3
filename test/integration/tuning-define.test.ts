/**
 * The tuning fields on the real libvirt: `virt-gen xml` (the built CLI) of configs using the guest
 * architecture said by `emulator`, `cpu.migratable`, the clock's timers, `hyperv: 'passthrough'`,
 * `suspend` and `onReboot` gives XML that libvirt's schema accepts and that libvirt 9.0 defines with
 * validation and keeps as written. And the refusals behind the validator, asked of libvirt itself.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { dumpInactive, requireLibvirt, undefine, virsh } from '../support/libvirt.js';
import { validateDomainXml, virtGen } from '../support/run.js';

const dir = mkdtempSync(path.join(os.tmpdir(), 'vg-tuning-'));
const names: string[] = [];

beforeAll(requireLibvirt);
afterAll(() => {
  names.forEach(undefine);
  rmSync(dir, { recursive: true, force: true });
});

/** Writes `xml` and defines it with validation; the domain's name is noted for undefining. */
function defineValidated(name: string, xml: string): { status: number | null; stderr: string } {
  const file = path.join(dir, `${name}.xml`);
  writeFileSync(file, xml);
  names.push(name);
  undefine(name);
  return virsh(['define', '--validate', file]);
}

/** `virt-gen xml` of a config with `fields`: schema-checked, defined, and libvirt's copy returned. */
function defineConfig(name: string, fields: string): string {
  const config = path.join(dir, `${name}.ts`);
  writeFileSync(
    config,
    `import { defineVm } from 'virt-gen';\nexport default defineVm({ name: '${name}', memory: 1024, ` +
      `firmware: 'bios', display: 'none', network: false, ${fields} });\n`,
  );
  const r = virtGen(['xml', config]);
  expect(r.stderr).toBe('');
  expect(r.status).toBe(0);
  const file = path.join(dir, `${name}.xml`);
  writeFileSync(file, r.stdout);
  expect(validateDomainXml(file).stderr).toMatch(/validates$/m);
  expect(defineValidated(name, r.stdout).stderr).toBe('');
  return dumpInactive(name);
}

describe('tuning fields on libvirt', () => {
  it('a 32-bit guest on qemu-system-i386, migratable, PIT discard, an HPET, S3/S4 and -no-reboot', () => {
    const back = defineConfig(
      'vg-tuning-all',
      `emulator: '/usr/bin/qemu-system-i386', cpu: { cores: 2, mode: 'maximum', migratable: true }, ` +
        `clock: { offset: 'utc', pit: 'discard', hpet: true }, suspend: { s3: true, s4: true }, onReboot: 'destroy'`,
    );
    expect(back).toMatch(/<type arch='i686' machine='pc-q35-[\d.]+'>hvm<\/type>/);
    expect(back).toContain('<emulator>/usr/bin/qemu-system-i386</emulator>');
    expect(back).toContain("<cpu mode='maximum' check='none' migratable='on'>");
    expect(back).toContain("<clock offset='utc'>");
    expect(back).toContain("<timer name='pit' tickpolicy='discard'/>");
    expect(back).toContain("<timer name='hpet' present='yes'/>");
    expect(back).toMatch(/<suspend-to-mem enabled='yes'\/>\s*<suspend-to-disk enabled='yes'\/>/);
    expect(back).toContain('<on_reboot>destroy</on_reboot>');
  });

  it('a host-passthrough CPU, migratable, on x86_64', () => {
    const back = defineConfig('vg-tuning-migratable', 'cpu: { cores: 2, migratable: true }');
    expect(back).toContain("<cpu mode='host-passthrough' check='none' migratable='on'>");
  });

  it("Hyper-V passthrough, and QEMU's max CPU with migratable off (the default)", () => {
    const back = defineConfig('vg-tuning-hv', `hyperv: 'passthrough', cpu: { cores: 2, mode: 'maximum' }`);
    // libvirt writes the empty element open and closed.
    expect(back).toMatch(/<hyperv mode='passthrough'>\s*<\/hyperv>/);
    expect(back).toContain("<cpu mode='maximum' check='none' migratable='off'>");
    expect(back).not.toContain('hypervclock');
  });
});

describe('why the validator refuses: libvirt 9.0 itself', () => {
  const domain = (name: string, cpu: string, clock = '', arch = 'x86_64', emulator = '') =>
    `<domain type='kvm'><name>${name}</name><memory unit='KiB'>1048576</memory><vcpu>1</vcpu>` +
    `<os><type arch='${arch}' machine='q35'>hvm</type></os>${cpu}${clock}` +
    `<devices>${emulator ? `<emulator>${emulator}</emulator>` : ''}</devices></domain>`;

  it.each([
    [
      'migratable with host-model (cpu.migratable)',
      domain('vg-tuning-refused', "<cpu mode='host-model' migratable='on'/>"),
      "Attribute migratable is only allowed for 'host-passthrough' / 'maximum' CPU mode",
    ],
    [
      'migratable with a named model (cpu.migratable)',
      domain('vg-tuning-refused', "<cpu mode='custom' migratable='off'><model>qemu64</model></cpu>"),
      "Attribute migratable is only allowed for 'host-passthrough' / 'maximum' CPU mode",
    ],
    [
      "the PIT's merge policy (clock.pit)",
      domain('vg-tuning-refused', '', "<clock offset='utc'><timer name='pit' tickpolicy='merge'/></clock>"),
      "unsupported pit tickpolicy 'merge'",
    ],
    [
      'migratable on with host-passthrough on qemu-system-i386 (cpu.migratable, emulator)',
      domain(
        'vg-tuning-refused',
        "<cpu mode='host-passthrough' migratable='on'/>",
        '',
        'i686',
        '/usr/bin/qemu-system-i386',
      ),
      'Migratable attribute for host-passthrough CPU is not supported by this QEMU binary',
    ],
    [
      'a Secure Boot loader on qemu-system-i386 (secureBoot, emulator)',
      domain('vg-tuning-refused', '', '', 'i686', '/usr/bin/qemu-system-i386').replace(
        '</os>',
        "<loader readonly='yes' secure='yes' type='pflash'>/usr/share/OVMF/OVMF_CODE_4M.ms.fd</loader></os>" +
          "<features><acpi/><smm state='on'/></features>",
      ),
      'Secure boot is supported for x86_64 architecture only',
    ],
    [
      'an i386 emulator for an x86_64 guest (why emulator sets the arch)',
      domain('vg-tuning-refused', '', '', 'x86_64', '/usr/bin/qemu-system-i386'),
      "Emulator '/usr/bin/qemu-system-i386' does not support arch 'x86_64'",
    ],
  ])('refuses %s', (_what, xml, message) => {
    const r = defineValidated('vg-tuning-refused', xml);
    expect(r.status).not.toBe(0);
    expect(r.stderr).toContain(message);
  });
});
