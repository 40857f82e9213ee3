/** The template overlay: objects merge key by key, device lists item by item by identity. */
import { describe, expect, it } from '@jest/globals';
import { parseDomainXml } from '../../../src/domain/read.js';
import { writeDomainXml } from '../../../src/domain/write.js';
import { overlayDomain } from '../../../src/generate/template.js';

const overlaid = (template: string, generated: string): string =>
  writeDomainXml(overlayDomain(parseDomainXml(template), parseDomainXml(generated)));

describe('overlayDomain', () => {
  it("keeps a template NIC the config does not generate, next to the config's", () => {
    const out = overlaid(
      "<domain><devices><interface type='user'><model type='e1000'/></interface></devices></domain>",
      "<domain><name>g</name><devices><interface type='bridge'><mac address='52:54:00:00:00:01'/><source bridge='br0'/></interface></devices></domain>",
    );
    expect(out).toContain('<interface type="user">');
    expect(out).toContain('<source bridge="br0"/>');
    expect(out.indexOf('type="bridge"')).toBeLessThan(out.indexOf('type="user"'));
  });

  it('overlays the generated device on the template device of the same identity (the config wins)', () => {
    const out = overlaid(
      "<domain><devices><interface type='bridge'><mac address='52:54:00:00:00:01'/><source bridge='old'/><rom bar='off'/></interface></devices></domain>",
      "<domain><devices><interface type='bridge'><mac address='52:54:00:00:00:01'/><source bridge='br0'/></interface></devices></domain>",
    );
    expect(out.match(/<interface /g)).toHaveLength(1);
    expect(out).toContain('<source bridge="br0"/>');
    expect(out).toContain('<rom bar="off"/>');
  });

  it("gives a config NIC without a MAC the template's NIC of its kind (its MAC kept), as define does", () => {
    const out = overlaid(
      "<domain><devices><interface type='bridge'><mac address='52:54:00:00:00:07'/><source bridge='old'/></interface><interface type='user'/></devices></domain>",
      "<domain><devices><interface type='bridge'><source bridge='br0'/></interface></devices></domain>",
    );
    expect(out.match(/<interface /g)).toHaveLength(2);
    expect(out).toContain('<mac address="52:54:00:00:00:07"/>');
    expect(out).toContain('<source bridge="br0"/>');
    expect(out).not.toContain('old');
  });

  it('merges timers by name and unknown devices by identity; the boot order is replaced whole', () => {
    const out = overlaid(
      `<domain><os><boot dev='cdrom'/><boot dev='hd'/></os><clock offset='utc'><timer name='hpet' present='no'/><timer name='rtc' tickpolicy='delay'/></clock>
       <devices><serial type='pty'><target port='0'/></serial><serial type='pty'><target port='1'/></serial></devices></domain>`,
      `<domain><os><boot dev='hd'/></os><clock offset='utc'><timer name='rtc' tickpolicy='catchup'/></clock>
       <devices><serial type='pty'><target port='1'/><log file='/x'/></serial></devices></domain>`,
    );
    expect(out).toContain('<timer name="rtc" tickpolicy="catchup"/>');
    expect(out).toContain('<timer name="hpet" present="no"/>');
    expect(out.match(/<boot /g)).toHaveLength(1);
    expect(out.match(/<serial /g)).toHaveLength(2);
    expect(out).toContain('<log file="/x"/>');
  });

  it("replaces QEMU's arguments whole: their order is their meaning", () => {
    const ns = "xmlns:qemu='http://libvirt.org/schemas/domain/qemu/1.0'";
    const out = overlaid(
      `<domain ${ns}><qemu:commandline><qemu:arg value='-a'/><qemu:arg value='-b'/></qemu:commandline></domain>`,
      `<domain ${ns}><qemu:commandline><qemu:arg value='-c'/></qemu:commandline></domain>`,
    );
    expect(out).not.toContain('"-a"');
    expect(out).toContain('"-c"');
  });
});
