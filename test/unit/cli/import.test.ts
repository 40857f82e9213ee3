/** `virt-gen import` as a user runs it: the guide's files, stdin, --config, and bad input. */
import { describe, expect, it } from '@jest/globals';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseDomainXml } from '../../../src/domain/read.js';
import { SHARED } from '../../support/paths.js';
import { validateDomainXml, virtGen } from '../../support/run.js';

const dir = mkdtempSync(path.join(os.tmpdir(), 'vg-import-cli-'));
const guide = (f: string): string => path.join(SHARED, 'guide', f);

describe('virt-gen import', () => {
  it("imports the guide's vm.args, named after the file, with its warnings on stderr", () => {
    const r = virtGen(['import', guide('vm.args')]);
    expect(r.status).toBe(0);
    const dom = parseDomainXml(r.stdout);
    expect(dom.name?.value).toBe('vm');
    expect(dom.features?.hyperv?.vendor_id?.value).toBe('Nvidia43FIX');
    expect(r.stderr).toContain(
      "warning: -netdev net0: tap with script './qemu-ifup' imported as a bridge interface on 'br0'",
    );
  });

  it("imports the guide's start script, $(pwd) read as the script's folder", () => {
    const r = virtGen(['import', guide('qemu-start.sh')]);
    expect(r.status).toBe(0);
    const dom = parseDomainXml(r.stdout);
    expect(dom.name?.value).toBe('qemu-start');
    expect(dom.os?.nvram?.template).toBe(path.join(SHARED, 'guide', 'OVMF_VARS-pure-efi.fd'));
    expect(r.stderr).toContain(`$(pwd) in the script read as ${path.join(SHARED, 'guide')}`);
  });

  it('reads stdin with -, and --name wins', () => {
    const r = virtGen(['import', '-', '--name', 'piped'], { input: readFileSync(guide('vm.args'), 'utf8') });
    expect(r.status).toBe(0);
    expect(parseDomainXml(r.stdout).name?.value).toBe('piped');
  });

  it('writes XML and a config; the config generates the imported devices again', () => {
    const xml = path.join(dir, 'vm.xml');
    const config = path.join(dir, 'vm.ts');
    const r = virtGen(['import', guide('vm-env.args'), '-o', xml, '--config', config]);
    expect(r.status).toBe(0);
    expect(r.stdout).toBe('');
    const v = validateDomainXml(xml);
    expect(v.status).toBe(0);
    const again = virtGen(['xml', config]);
    expect(again.stderr).toBe('');
    const imported = parseDomainXml(readFileSync(xml, 'utf8'));
    const generated = parseDomainXml(again.stdout);
    const sources = (d: typeof imported) => d.devices?.hostdev?.map((h) => [h.type, h.source]);
    expect(sources(generated)).toEqual(sources(imported));
    expect(generated.devices?.disk?.map((d) => d.source)).toEqual(
      imported.devices?.disk?.map((d) => d.source),
    );
    expect(generated.features?.hyperv).toEqual(imported.features?.hyperv);
    expect(generated.cpu?.topology).toEqual(imported.cpu?.topology);
  });

  it('refuses to replace an existing config without --force, writing nothing', () => {
    const xml = path.join(dir, 'kept.xml');
    const config = path.join(dir, 'kept.ts');
    writeFileSync(config, '// hand-edited\n');
    const r = virtGen(['import', guide('vm.args'), '-o', xml, '--config', config]);
    expect(r.status).toBe(1);
    expect(r.stderr).toBe(`virt-gen: ${config} exists: nothing written (--force replaces it)\n`);
    expect(readFileSync(config, 'utf8')).toBe('// hand-edited\n');
    expect(existsSync(xml)).toBe(false);
    const forced = virtGen(['import', guide('vm.args'), '-o', xml, '--config', config, '--force']);
    expect(forced.status).toBe(0);
    expect(readFileSync(config, 'utf8')).toContain('defineVm(');
  });

  it('refuses a second command on its own line, naming it, exit 1', () => {
    const r = virtGen(['import', '-'], { input: 'qemu-system-x86_64 -m 1G -hda /vm/a.img\ntouch /tmp/x\n' });
    expect(r.status).toBe(1);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(/^virt-gen: 'touch' at line 2, column 1 starts a second command/);
  });

  it('a bad value names the argument and its position, exit 1, nothing on stdout', () => {
    const r = virtGen(['import', '-'], { input: 'qemu-system-x86_64 -enable-kvm \\\n  -m lots\n' });
    expect(r.status).toBe(1);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(/^virt-gen: -m lots \(argument 2, line 2, column 3\): /);
  });

  it('an unterminated quote is refused with its position', () => {
    const r = virtGen(['import', '-'], { input: "qemu-system-x86_64 -name 'unterminated\n" });
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/unterminated/i);
    expect(r.stderr).toMatch(/line 1, column \d+/);
  });

  it('a missing file says so', () => {
    const r = virtGen(['import', path.join(dir, 'nope.args')]);
    expect(r.status).toBe(1);
    expect(r.stderr).toBe(`virt-gen: cannot read ${path.join(dir, 'nope.args')}: no such file\n`);
  });
});
