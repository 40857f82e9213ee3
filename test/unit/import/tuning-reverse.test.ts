/**
 * Command lines with the tuning facts a config now says (`import --config`): a 32-bit x86 guest
 * (`qemu-system-i386`), `migratable=on`, the PIT's tick policy, the HPET, `hv-passthrough`, S4 and
 * `-no-reboot`. Each becomes the config's typed field, and the config's domain has the fact again;
 * where the domain says nothing, the config's default stays out of the config.
 */
import { describe, expect, it } from '@jest/globals';
import { resolveConfig } from '../../../src/config/validate.js';
import { parseDomainXml } from '../../../src/domain/read.js';
import { writeDomainXml } from '../../../src/domain/write.js';
import { generateDomain } from '../../../src/generate/index.js';
import { importArgs } from '../../../src/import/index.js';
import { domainToConfig } from '../../../src/import/to-config/index.js';

/** Imports `line` (binary included), makes its config and the config's XML. */
function roundTrip(line: string) {
  const { config, notes } = domainToConfig(importArgs(line, { name: 'test' }).domain);
  const xml = writeDomainXml(generateDomain(resolveConfig(config, '/configs', 'vm.ts')));
  return { config, notes, xml };
}

const domainWith = (inside: string) =>
  parseDomainXml(`<domain type='kvm'><name>x</name><memory unit='KiB'>1048576</memory>${inside}</domain>`);

describe('tuning facts of a command line, as config fields', () => {
  it('a 32-bit guest (qemu-system-i386) runs on the i386 emulator, so the config says it', () => {
    const { config, xml } = roundTrip('/usr/bin/qemu-system-i386 -machine q35 -m 1G');
    expect(config.emulator).toBe('/usr/bin/qemu-system-i386');
    expect(xml).toContain('<type arch="i686" machine="q35">hvm</type>');
  });

  it('a 64-bit guest leaves the emulator to the default, whatever binary ran it', () => {
    for (const binary of ['qemu-system-x86_64', '/usr/libexec/qemu-kvm', 'kvm']) {
      const { config, xml } = roundTrip(`${binary} -machine q35 -m 1G`);
      expect(config.emulator).toBeUndefined();
      expect(xml).toContain('<type arch="x86_64" machine="q35">hvm</type>');
    }
  });

  it("a libvirt domain's own emulator is kept when it runs the arch, noted when it does not", () => {
    const own = domainWith(
      "<os><type arch='x86_64' machine='q35'>hvm</type></os><devices><emulator>/usr/bin/kvm</emulator></devices>",
    );
    expect(domainToConfig(own).config.emulator).toBe('/usr/bin/kvm');
    const i686 = domainWith(
      "<os><type arch='i686' machine='q35'>hvm</type></os><devices><emulator>/usr/bin/qemu-system-x86_64</emulator></devices>",
    );
    const r = domainToConfig(i686);
    expect(r.config.emulator).toBe('/usr/bin/qemu-system-i386');
    expect(r.notes).toContain(
      "<emulator>/usr/bin/qemu-system-x86_64</emulator> with arch 'i686': the config's emulator sets the arch",
    );
    const arm = domainToConfig(domainWith("<os><type arch='aarch64' machine='virt'>hvm</type></os>"));
    expect(arm.config.emulator).toBeUndefined();
    expect(arm.notes).toContain("arch 'aarch64': the config makes x86 VMs");
  });

  it('-cpu host,migratable=on is cpu.migratable: true; without it the default (off) stays out', () => {
    const on = roundTrip('qemu-system-x86_64 -machine q35 -cpu host,migratable=on -m 1G');
    expect(on.config.cpu.migratable).toBe(true);
    expect(on.xml).toContain('<cpu mode="host-passthrough" check="none" migratable="on">');
    const max = roundTrip('qemu-system-x86_64 -machine q35 -cpu max,migratable=on -m 1G');
    expect(max.config.cpu).toMatchObject({ mode: 'maximum', migratable: true });
    expect(
      roundTrip('qemu-system-x86_64 -machine q35 -cpu host -m 1G').config.cpu.migratable,
    ).toBeUndefined();
    expect(
      roundTrip('qemu-system-x86_64 -machine q35 -cpu host,migratable=off -m 1G').config.cpu.migratable,
    ).toBeUndefined();
  });

  it("migratable='on' with host-passthrough on a 32-bit guest, which libvirt refuses, is a note", () => {
    const { config, notes } = roundTrip('qemu-system-i386 -machine q35 -cpu host,migratable=on -m 1G');
    expect(config.cpu.migratable).toBeUndefined();
    expect(notes).toContain(
      "cpu migratable='on' on a 32-bit guest: libvirt takes it with mode 'maximum' only",
    );
  });

  it('Secure Boot on a 32-bit guest, which libvirt refuses, is a note', () => {
    const i686 = domainWith(
      "<os><type arch='i686' machine='q35'>hvm</type>" +
        "<loader readonly='yes' secure='yes' type='pflash'>/usr/share/OVMF/OVMF_CODE_4M.ms.fd</loader></os>",
    );
    const { config, notes } = domainToConfig(i686);
    expect(config.secureBoot).toBeUndefined();
    expect(notes).toContain('Secure Boot on a 32-bit guest: libvirt refuses it');
    expect(() => resolveConfig(config, '/configs', 'vm.ts')).not.toThrow();
  });

  it("the PIT's discard policy (Proxmox's kvm-pit.lost_tick_policy) and an HPET", () => {
    const { config, xml } = roundTrip(
      'qemu-system-x86_64 -machine q35,hpet=on -m 1G -rtc base=utc -global kvm-pit.lost_tick_policy=discard',
    );
    expect(config.clock).toEqual({ offset: 'utc', pit: 'discard', hpet: true });
    expect(xml).toContain('<timer name="pit" tickpolicy="discard"/>');
    expect(xml).toContain('<timer name="hpet" present="yes"/>');
  });

  it('-no-hpet is the default: the clock stays a word', () => {
    expect(roundTrip('qemu-system-x86_64 -machine q35 -no-hpet -m 1G').config.clock).toBe('utc');
  });

  it("hv-passthrough is hyperv: 'passthrough'", () => {
    const { config, notes, xml } = roundTrip(
      'qemu-system-x86_64 -machine q35 -cpu host,hv-passthrough=on -m 1G',
    );
    expect(config.hyperv).toBe('passthrough');
    expect(notes.join('\n')).not.toMatch(/passthrough/);
    expect(xml).toContain('<hyperv mode="passthrough"/>');
  });

  it('S4 enabled (PIIX4_PM.disable_s4=0) and -no-reboot', () => {
    const { config, xml } = roundTrip(
      'qemu-system-x86_64 -machine q35 -m 1G -global ICH9-LPC.disable_s4=0 -no-reboot',
    );
    expect(config.suspend).toEqual({ s4: true });
    expect(config.onReboot).toBe('destroy');
    expect(xml).toMatch(/<suspend-to-mem enabled="no"\/>\s*<suspend-to-disk enabled="yes"\/>/);
    expect(xml).toContain('<on_reboot>destroy</on_reboot>');
  });

  it("a reboot action the config has no word for is noted (libvirt's preserve)", () => {
    const r = domainToConfig(domainWith('<on_reboot>preserve</on_reboot>'));
    expect(r.config.onReboot).toBeUndefined();
    expect(r.notes).toContain('<on_reboot>preserve</on_reboot>');
  });
});
