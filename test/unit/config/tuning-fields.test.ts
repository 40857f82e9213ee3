/**
 * The tuning fields: the guest architecture said by `emulator`, `cpu.migratable`, the clock's timers
 * (`clock.pit`, `clock.hpet`), `hyperv: 'passthrough'`, `suspend` and `onReboot`. Each refusal is
 * one libvirt 9.0 makes at define (see test/integration/machine-fields.test.ts, which defines the
 * accepted forms): migratable with host-model or custom, a PIT tickpolicy of `merge`, an emulator
 * that cannot run the arch. Each accepted form is checked in the XML it generates, and defaults
 * leave the generated domain as it was.
 */
import { describe, expect, it } from '@jest/globals';
import { resolveConfig } from '../../../src/config/validate.js';
import { writeDomainXml } from '../../../src/domain/write.js';
import { generateDomain } from '../../../src/generate/index.js';
import { base, problems } from './helpers/problems.js';

const xmlOf = (fields: object): string =>
  writeDomainXml(generateDomain(resolveConfig({ ...base, ...fields }, '/configs', 'gaming.ts')));

describe('tuning fields: refusals', () => {
  it.each<[string, object, string]>([
    [
      'an emulator of another architecture',
      { emulator: '/usr/bin/qemu-system-aarch64' },
      'emulator: "/usr/bin/qemu-system-aarch64" runs aarch64 guests, and virt-gen makes x86 VMs: ' +
        'qemu-system-x86_64 (qemu-kvm, kvm), or qemu-system-i386 for a 32-bit guest',
    ],
    [
      'migratable with host-model',
      { cpu: { cores: 2, mode: 'host-model', migratable: true } },
      "cpu.migratable: goes with mode 'host-passthrough' or 'maximum' only (libvirt refuses it with mode 'host-model')",
    ],
    [
      'migratable with a named model',
      { cpu: { cores: 2, mode: 'custom', model: 'Haswell-noTSX', migratable: false } },
      "cpu.migratable: goes with mode 'host-passthrough' or 'maximum' only (libvirt refuses it with mode 'custom')",
    ],
    [
      'migratable as a word',
      { cpu: { cores: 2, migratable: 'on' } },
      'cpu.migratable: "on" is not true or false',
    ],
    [
      "the PIT's merge policy, which libvirt refuses for the PIT",
      { clock: { pit: 'merge' } },
      'clock.pit: "merge" is not one of "delay", "catchup", "discard"',
    ],
    ['an HPET as a word', { clock: { hpet: 'yes' } }, 'clock.hpet: "yes" is not true or false'],
    [
      'a clock offset misspelt',
      { clock: 'UTC' },
      'clock: "UTC" is not one of "localtime", "utc" or { offset, pit, hpet }',
    ],
    [
      'an offset in the object form',
      { clock: { offset: 'gmt' } },
      'clock.offset: "gmt" is not one of "localtime", "utc"',
    ],
    ['a timer the config has not', { clock: { rtc: 'delay' } }, 'clock.rtc: is not a known field'],
    [
      'a Hyper-V word',
      { hyperv: 'host-model' },
      'hyperv: "host-model" is not "passthrough", false, or { features, spinlocks, vendorId }',
    ],
    [
      'a suspend state misnamed',
      { suspend: { s5: true } },
      'suspend.s5: is not a known field (did you mean "s3"?)',
    ],
    ['suspend as a boolean', { suspend: true }, 'suspend: true is not an object'],
    [
      "a reboot action QEMU's libvirt driver does not take",
      { onReboot: 'preserve' },
      'onReboot: "preserve" is not one of "restart", "destroy"',
    ],
  ])('refuses %s', (_what, fields, message) => {
    const found = problems({ ...base, ...fields });
    expect(found).toContain(message);
    expect(found).toHaveLength(1);
  });
});

describe('tuning fields: what they generate', () => {
  it('the defaults are the domain as before: x86_64, migratable off, PIT delay, no HPET, S3/S4 off, restart', () => {
    const xml = xmlOf({});
    expect(xml).toContain('<type arch="x86_64" machine="q35">hvm</type>');
    expect(xml).toContain('<cpu mode="host-passthrough" check="none" migratable="off">');
    expect(xml).toContain('<clock offset="localtime">');
    expect(xml).toContain('<timer name="pit" tickpolicy="delay"/>');
    expect(xml).toContain('<timer name="hpet" present="no"/>');
    expect(xml).toContain('<on_reboot>restart</on_reboot>');
    expect(xml).toMatch(/<suspend-to-mem enabled="no"\/>\s*<suspend-to-disk enabled="no"\/>/);
  });

  it.each([
    ['/usr/bin/qemu-system-i386', 'i686'],
    ['/usr/bin/qemu', 'i686'],
    ['/usr/bin/qemu-system-x86_64', 'x86_64'],
    ['/usr/libexec/qemu-kvm', 'x86_64'],
    ['/usr/bin/kvm', 'x86_64'],
    ['/opt/qemu-patched/bin/qemu-system-x86_64-anti-detect', 'x86_64'],
  ])('emulator %s runs an %s guest', (emulator, arch) => {
    const xml = xmlOf({ emulator });
    expect(xml).toContain(`<type arch="${arch}" machine="q35">hvm</type>`);
    expect(xml).toContain(`<emulator>${emulator}</emulator>`);
  });

  it('migratable on, with host-passthrough and with maximum; nothing with host-model', () => {
    expect(xmlOf({ cpu: { cores: 2, migratable: true } })).toContain(
      '<cpu mode="host-passthrough" check="none" migratable="on">',
    );
    expect(xmlOf({ cpu: { cores: 2, mode: 'maximum' } })).toContain(
      '<cpu mode="maximum" check="none" migratable="off">',
    );
    expect(xmlOf({ cpu: { cores: 2, mode: 'maximum', migratable: true } })).toContain(
      '<cpu mode="maximum" check="none" migratable="on">',
    );
    expect(xmlOf({ cpu: { cores: 2, mode: 'host-model' } })).toContain(
      '<cpu mode="host-model" check="none">',
    );
  });

  it("the clock's offset and timers in the object form", () => {
    const xml = xmlOf({ clock: { offset: 'utc', pit: 'discard', hpet: true } });
    expect(xml).toContain('<clock offset="utc">');
    expect(xml).toContain('<timer name="pit" tickpolicy="discard"/>');
    expect(xml).toContain('<timer name="hpet" present="yes"/>');
    expect(xmlOf({ clock: { pit: 'catchup' } })).toMatch(
      /<clock offset="localtime">[^]*<timer name="pit" tickpolicy="catchup"\/>[^]*<timer name="hpet" present="no"\/>/,
    );
  });

  it("hyperv: 'passthrough' is libvirt's passthrough mode, with no element under it and no extra timer", () => {
    const xml = xmlOf({ hyperv: 'passthrough' });
    expect(xml).toContain('<hyperv mode="passthrough"/>');
    expect(xml).not.toContain('hypervclock');
  });

  it('S3, S4 and a reboot that stops the VM', () => {
    const xml = xmlOf({ suspend: { s3: true, s4: true }, onReboot: 'destroy' });
    expect(xml).toMatch(/<suspend-to-mem enabled="yes"\/>\s*<suspend-to-disk enabled="yes"\/>/);
    expect(xml).toContain('<on_reboot>destroy</on_reboot>');
    expect(xmlOf({ suspend: { s4: true } })).toMatch(
      /<suspend-to-mem enabled="no"\/>\s*<suspend-to-disk enabled="yes"\/>/,
    );
  });
});
