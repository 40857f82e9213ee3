/**
 * `virt-gen import --config` (the built CLI) of command lines with the tuning facts: the written
 * config says them as typed fields, `virt-gen xml` of it gives them back, and the config's header
 * lists none of them as not given back.
 */
import { afterAll, describe, expect, it } from '@jest/globals';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { virtGen } from '../../support/run.js';

const dir = mkdtempSync(path.join(os.tmpdir(), 'vg-import-tuning-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Imports `args` with --config, then `virt-gen xml` of the config: the config's text and its XML. */
function importThenXml(name: string, args: string): { config: string; xml: string } {
  const file = path.join(dir, `${name}.args`);
  const config = path.join(dir, `${name}.ts`);
  writeFileSync(file, args);
  const r = virtGen(['import', file, '-o', path.join(dir, `${name}.xml`), '--config', config]);
  expect(r.status).toBe(0);
  const xml = virtGen(['xml', config]);
  expect(xml.status).toBe(0);
  return { config: readFileSync(config, 'utf8'), xml: xml.stdout };
}

describe('virt-gen import --config: the tuning facts', () => {
  it('a Proxmox-style line: migratable, hv-passthrough, PIT discard, HPET, S3, -no-reboot', () => {
    const { config, xml } = importThenXml(
      'pve',
      '/usr/bin/kvm -name pve -machine q35,hpet=on -m 2048 -smp 2 ' +
        '-cpu host,migratable=on,hv-passthrough=on -global kvm-pit.lost_tick_policy=discard ' +
        '-global ICH9-LPC.disable_s3=0 -no-reboot -nodefaults -vga none -nographic\n',
    );
    expect(config).toMatch(/migratable: true/);
    expect(config).toMatch(/hyperv: 'passthrough'/);
    expect(config).toMatch(/clock: \{\s*offset: 'utc',\s*pit: 'discard',\s*hpet: true,?\s*\}/);
    expect(config).toMatch(/suspend: \{\s*s3: true,?\s*\}/);
    expect(config).toMatch(/onReboot: 'destroy'/);
    expect(config).not.toMatch(/Not given back/);
    expect(xml).toContain('<cpu mode="host-passthrough" check="none" migratable="on">');
    expect(xml).toContain('<hyperv mode="passthrough"/>');
    expect(xml).toContain('<timer name="pit" tickpolicy="discard"/>');
    expect(xml).toContain('<timer name="hpet" present="yes"/>');
    expect(xml).toContain('<suspend-to-mem enabled="yes"/>');
    expect(xml).toContain('<on_reboot>destroy</on_reboot>');
  });

  it('a 32-bit guest: the config names qemu-system-i386, and its domain is i686', () => {
    const { config, xml } = importThenXml(
      'i386',
      'qemu-system-i386 -name old -machine q35 -m 512 -nodefaults -vga none -nographic\n',
    );
    expect(config).toMatch(/emulator: '\/usr\/bin\/qemu-system-i386'/);
    expect(config).not.toMatch(/Not given back/);
    expect(xml).toContain('<type arch="i686" machine="q35">hvm</type>');
    expect(xml).toContain('<emulator>/usr/bin/qemu-system-i386</emulator>');
  });
});
