/**
 * The VM's identity as generated: `genid` and the SMBIOS tables, alone and over a template that
 * already has a `<sysinfo>` of another type (libvirt keeps one per type: smbios, fwcfg).
 */
import { describe, expect, it } from '@jest/globals';
import { resolveConfig } from '../../../src/config/validate.js';
import { parseDomainXml } from '../../../src/domain/read.js';
import { writeDomainXml } from '../../../src/domain/write.js';
import { generateDomain } from '../../../src/generate/index.js';

const base = { name: 'vm', memory: 1024, cpu: { cores: 2 } };
const xmlOf = (config: object, template?: string): string =>
  writeDomainXml(
    generateDomain(
      resolveConfig({ ...base, ...config }, '/configs', 'vm.ts'),
      {},
      template ? parseDomainXml(template) : undefined,
    ),
  );

describe('identity', () => {
  it('asks libvirt for a generation ID, or writes the given one', () => {
    expect(xmlOf({ genid: true })).toContain('<genid/>');
    expect(xmlOf({ genid: '8C1F2E3D-4B5A-6978-8A9B-0C1D2E3F4A5B' })).toContain(
      '<genid>8C1F2E3D-4B5A-6978-8A9B-0C1D2E3F4A5B</genid>',
    );
    expect(xmlOf({})).not.toContain('genid');
  });

  it("writes the SMBIOS tables and points <os> at them, or at the host's", () => {
    const xml = xmlOf({ smbios: { chassis: { asset: 'A1' }, system: { manufacturer: 'Dell' } } });
    expect(xml).toMatch(
      /<sysinfo type="smbios">\s*<system>\s*<entry name="manufacturer">Dell<\/entry>\s*<\/system>\s*<chassis>\s*<entry name="asset">A1<\/entry>/,
    );
    expect(xml).toContain('<smbios mode="sysinfo"/>');
    const host = xmlOf({ smbios: 'host' });
    expect(host).toContain('<smbios mode="host"/>');
    expect(host).not.toContain('<sysinfo');
  });

  it("keeps a template's fwcfg <sysinfo> beside the config's SMBIOS tables, and replaces its smbios one", () => {
    const template =
      "<domain type='kvm'><name>t</name>" +
      "<sysinfo type='smbios'><system><entry name='manufacturer'>Old</entry></system></sysinfo>" +
      "<sysinfo type='fwcfg'><entry name='opt/com.example/blob'>hello</entry></sysinfo></domain>";
    const xml = xmlOf({ smbios: { system: { manufacturer: 'Dell' } } }, template);
    expect(xml).toContain('<entry name="opt/com.example/blob">hello</entry>');
    expect(xml).toContain('<entry name="manufacturer">Dell</entry>');
    expect(xml).not.toContain('Old');
  });
});
