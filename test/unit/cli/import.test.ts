/** `virt-gen import` as a user runs it: the guide's files, stdin, --config, and bad input. */
import { describe, expect, it } from '@jest/globals';
import { existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseDomainXml } from '../../../src/domain/read.js';
import { REPO, SHARED } from '../../support/paths.js';
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

  /** Case 16 on QEMU's default machine (i440fx), which the config sets otherwise (q35). */
  /** Case 16 on ISA-only PC, a machine the config has not (q35 and i440fx are its two). */
  function numaOnIsapc(sub: string): string {
    const file = path.join(sub, 'numa-isapc.args');
    const line = readFileSync(path.join(REPO, 'test/fixtures/import-real/16-numa-fwcfg.args'), 'utf8');
    writeFileSync(file, line.replace(' -machine q35', ' -machine isapc'));
    return file;
  }

  it('writes what the config cannot say to NAME.template.xml, names each part, and xml gives it back', () => {
    const sub = mkdtempSync(path.join(dir, 'rest-'));
    const args = numaOnIsapc(sub);
    const config = path.join(sub, 'numa.ts');
    const r = virtGen(['import', args, '-o', path.join(sub, 'numa.xml'), '--config', config]);
    expect(r.status).toBe(0);
    const template = path.join(sub, 'numa.template.xml');
    expect(r.stderr).toContain(`wrote ${template}`);
    const source = readFileSync(config, 'utf8');
    // -o is the output, not the template: the template holds only what the config cannot say.
    expect(source).toContain("template: './numa.template.xml',");
    expect(source).toContain(' * Kept in ./numa.template.xml');
    expect(source).toContain('  - sysinfo[type=fwcfg]\n');
    const rest = parseDomainXml(readFileSync(template, 'utf8'));
    expect(rest.name).toBeUndefined();
    expect(rest.devices).toBeUndefined();
    expect(rest.sysinfo?.map((s) => s.type)).toEqual(['fwcfg']);
    const back = virtGen(['xml', config]);
    expect(back.status).toBe(0);
    const dom = parseDomainXml(back.stdout);
    expect(dom.sysinfo?.map((s) => s.type)).toContain('fwcfg');
    expect(dom.cpu?.numa?.cell?.map((c) => c.cpus)).toEqual(['0-3', '4-7']);
    // What the config sets otherwise (q35 for an isapc command line) is said, twice.
    expect(r.stderr).toContain('1 fact of the imported domain is not given back');
    expect(source).toContain('  - os/type/@machine=isapc\n');
  });

  it('refuses to replace an existing template without --force, writing nothing; --force replaces both', () => {
    const sub = mkdtempSync(path.join(dir, 'kept-template-'));
    const args = path.join(REPO, 'test/fixtures/import-real/16-numa-fwcfg.args');
    const template = path.join(sub, 'vm.template.xml');
    writeFileSync(template, '<domain/>\n');
    const r = virtGen(['import', args, '-o', path.join(sub, 'vm.xml'), '--config', path.join(sub, 'vm.ts')]);
    expect(r.status).toBe(1);
    expect(r.stderr).toBe(`virt-gen: ${template} exists: nothing written (--force replaces it)\n`);
    expect(readdirSync(sub)).toEqual(['vm.template.xml']);
    expect(readFileSync(template, 'utf8')).toBe('<domain/>\n');
    const forced = virtGen(['import', args, '--config', path.join(sub, 'vm.ts'), '--force']);
    expect(forced.status).toBe(0);
    expect(readFileSync(template, 'utf8')).toContain('<sysinfo type="fwcfg">');
    expect(readdirSync(sub).sort()).toEqual(['vm.template.xml', 'vm.ts']);
  });

  it('--json names the template, what it keeps and what is not given back', () => {
    const sub = mkdtempSync(path.join(dir, 'json-'));
    const args = numaOnIsapc(sub);
    const r = virtGen([
      'import',
      args,
      '-o',
      path.join(sub, 'vm.xml'),
      '--config',
      path.join(sub, 'vm.ts'),
      '--json',
    ]);
    expect(r.status).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({
      output: path.join(sub, 'vm.xml'),
      config: path.join(sub, 'vm.ts'),
      template: path.join(sub, 'vm.template.xml'),
      kept: ['sysinfo[type=fwcfg]'],
      notKept: ['os/type/@machine=isapc'],
    });
  });

  it('refuses --config - when the config needs a template, printing nothing', () => {
    const args = path.join(REPO, 'test/fixtures/import-real/16-numa-fwcfg.args');
    const r = virtGen(['import', args, '--config', '-'], { cwd: mkdtempSync(path.join(dir, 'stdout-')) });
    expect(r.status).toBe(1);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(
      /^virt-gen: --config -: this config needs a template beside it .*nothing written/m,
    );
  });

  it('writes no template when the config says everything', () => {
    const sub = mkdtempSync(path.join(dir, 'whole-'));
    const input =
      'qemu-system-x86_64 -enable-kvm -machine q35 -cpu host -m 4G -smp 4 -nodefaults -display none -vga none\n';
    const r = virtGen(['import', '-', '--name', 'plain', '--config', path.join(sub, 'vm.ts')], { input });
    expect(r.status).toBe(0);
    expect(readdirSync(sub)).toEqual(['vm.ts']);
    expect(readFileSync(path.join(sub, 'vm.ts'), 'utf8')).not.toContain('template:');
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
