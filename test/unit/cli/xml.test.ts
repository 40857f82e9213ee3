/**
 * `virt-gen xml` end to end, as a user runs it: golden XML per example, each valid by libvirt's schema.
 * REGENERATE=1 rewrites the golden files (then review the diff like code).
 */
import { describe, expect, it } from '@jest/globals';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { EXAMPLES, GOLDEN } from '../../support/paths.js';
import { validateDomainXml, virtGen } from '../../support/run.js';

// modern.ts pins vCPUs with pin: 'auto', so it is generated for a recorded host (a two-CCD AMD).
const EXAMPLES_AND_HOSTS: Array<[string, string[]]> = [
  ['gaming', []],
  ['minimal', []],
  ['modern', ['--root', path.join('test', 'fixtures', 'hosts', 'amd-2ccd')]],
];

describe.each(EXAMPLES_AND_HOSTS)('virt-gen xml examples/%s.ts %j', (name, extra) => {
  const golden = path.join(GOLDEN, `${name}.xml`);
  const result = virtGen(['xml', path.join(EXAMPLES, `${name}.ts`), ...extra]);

  it('succeeds with nothing on stderr', () => {
    expect(result.stderr).toBe('');
    expect(result.status).toBe(0);
  });

  it('matches the reviewed golden file', () => {
    if (process.env.REGENERATE || !existsSync(golden)) writeFileSync(golden, result.stdout);
    expect(result.stdout).toBe(readFileSync(golden, 'utf8'));
  });

  it("validates against libvirt's schema", () => {
    const v = validateDomainXml(golden);
    expect(v.stdout + v.stderr).toBe(`${golden} validates\n`);
    expect(v.status).toBe(0);
  });
});

describe('virt-gen xml -o FILE', () => {
  it('writes the same document to the file and nothing to stdout', () => {
    const out = path.join(process.env.TMPDIR ?? '/tmp', `vg-xml-${process.pid}.xml`);
    const r = virtGen(['xml', path.join(EXAMPLES, 'minimal.ts'), '-o', out]);
    expect(r.status).toBe(0);
    expect(r.stdout).toBe('');
    expect(readFileSync(out, 'utf8')).toBe(readFileSync(path.join(GOLDEN, 'minimal.xml'), 'utf8'));
  });
});

describe('virt-gen xml reads the host only when asked', () => {
  it("refuses pin: 'auto' that the host cannot satisfy, naming the file, the field and the fix", () => {
    const r = virtGen([
      'xml',
      path.join(EXAMPLES, 'modern.ts'),
      '--root',
      path.join('test', 'fixtures', 'hosts', 'guide'),
    ]);
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/^virt-gen: \S*examples\/modern\.ts: cpu\.pin 'auto': .*\n$/);
  });

  it('takes every function of the GPU from the host with --root', () => {
    // The guide host's card has functions 0 and 1; gaming.ts lists them, so generate one that does not.
    const r = virtGen([
      'xml',
      path.join(EXAMPLES, 'modern.ts'),
      '--root',
      path.join('test', 'fixtures', 'hosts', 'amd-2ccd'),
    ]);
    expect(r.stdout.match(/<hostdev mode="subsystem" type="pci"/g)).toHaveLength(2);
  });
});

describe("cpu.hostCores with pin: 'auto'", () => {
  it('0 gives the guest every core of the guide host, siblings paired, as taskset -c 0-7 did', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'vg-hostcores-'));
    const file = path.join(dir, 'all.ts');
    writeFileSync(
      file,
      "import { defineVm } from 'virt-gen';\nexport default defineVm({ name: 'all', memory: 1024, cpu: { cores: 4, threads: 2, pin: 'auto', hostCores: 0 } });\n",
    );
    const r = virtGen(['xml', file, '--root', path.join('test', 'fixtures', 'hosts', 'guide')]);
    // The pinning's warning reaches the user (it used to be computed and dropped).
    expect(r.stderr).toBe(
      "warning: cpu.pin: no host core is kept: QEMU's emulator threads share the guest's CPUs\n",
    );
    const pins = [...r.stdout.matchAll(/<vcpupin vcpu="(\d+)" cpuset="(\d+)"\/>/g)].map((m) => Number(m[2]));
    expect(pins).toEqual([0, 4, 1, 5, 2, 6, 3, 7]);
  });
});

describe('a template with elements virt-gen does not model', () => {
  // <blkiotune>, <resource>, <perf>, <hub> and <seclabel> are libvirt's, not the model's: kept raw.
  const TEMPLATE = `<domain type='kvm'>
  <name>template</name>
  <memory unit='MiB'>1024</memory>
  <currentMemory unit='MiB'>1024</currentMemory>
  <blkiotune><weight>500</weight></blkiotune>
  <vcpu>1</vcpu>
  <resource><partition>/machine</partition></resource>
  <os><type arch='x86_64' machine='q35'>hvm</type></os>
  <on_crash>destroy</on_crash>
  <perf><event name='cmt' enabled='no'/></perf>
  <devices>
    <hub type='usb'/>
    <memballoon model='virtio'/>
  </devices>
  <seclabel type='none'/>
</domain>
`;

  it('writes them where the template had them, after the same known element, and libvirt validates it', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'vg-template-order-'));
    writeFileSync(path.join(dir, 'base.xml'), TEMPLATE);
    const file = path.join(dir, 'vm.ts');
    writeFileSync(
      file,
      "import { defineVm } from 'virt-gen';\nexport default defineVm({ name: 'vg-model-tpl', memory: 2048, cpu: { cores: 2 }, template: './base.xml' });\n",
    );
    const out = path.join(dir, 'out.xml');
    const r = virtGen(['xml', file, '-o', out]);
    expect(r.stderr).toBe('');
    const top = [...readFileSync(out, 'utf8').matchAll(/^ {2}<([\w:]+)/gm)].map((m) => m[1]);
    const after = (name: string): string | undefined => top[top.indexOf(name) - 1];
    expect(after('blkiotune')).toBe('currentMemory');
    expect(after('resource')).toBe('vcpu');
    expect(after('perf')).toBe('on_crash');
    expect(after('seclabel')).toBe('devices');
    const devices = readFileSync(out, 'utf8').split('<devices>')[1] ?? '';
    expect(devices.indexOf('<hub type="usb"/>')).toBeLessThan(devices.indexOf('<memballoon'));
    const v = validateDomainXml(out);
    expect(v.stdout + v.stderr).toBe(`${out} validates\n`);
  });
});

describe('a template with metadata of its own', () => {
  it("keeps the template's <metadata> children beside the runtime metadata virt-gen adds", () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'vg-template-meta-'));
    const osinfo = `<libosinfo:libosinfo xmlns:libosinfo="http://libosinfo.org/xmlns/libvirt/domain/1.0">
      <libosinfo:os id="http://microsoft.com/win/11"/>
    </libosinfo:libosinfo>`;
    writeFileSync(
      path.join(dir, 'base.xml'),
      `<domain type='kvm'><name>t</name><metadata>${osinfo}</metadata><memory>1048576</memory><os><type>hvm</type></os></domain>`,
    );
    const file = path.join(dir, 'vm.ts');
    writeFileSync(
      file,
      "import { defineVm } from 'virt-gen';\nexport default defineVm({ name: 'vg-model-meta', memory: 2048, cpu: { cores: 2 }, hugepages: true, runtime: { allocateHugepages: true }, template: './base.xml' });\n",
    );
    const r = virtGen(['xml', file]);
    expect(r.status).toBe(0);
    const metadata = /<metadata>([\s\S]*?)<\/metadata>/.exec(r.stdout)?.[1] ?? '';
    expect(metadata).toContain('<libosinfo:os id="http://microsoft.com/win/11"/>');
    expect(metadata).toContain('<vgr:runtime');
  });
});
