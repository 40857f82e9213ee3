/**
 * virt-gen's libvirt hook, run the way libvirtd runs it: the file `host apply` installed, with
 * argv `NAME OPERATION SUB-OPERATION -` and the domain XML on stdin, against a fixture root (the
 * dual-socket host with its GPU on node 1). systemctl is a stub on PATH that records its arguments:
 * there is no running systemd here, so isolation is checked by the commands the hook runs.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { chmodSync, readFileSync, statSync, writeFileSync, existsSync, rmSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { stampElement, withStamp } from '../../../src/define/stamp.js';
import { parseXml } from '../../../src/domain/xml-read.js';
import { writeXml } from '../../../src/domain/xml-write.js';
import { parseCpuList, formatCpuList } from '../../../src/host/cpulist.js';
import { setSysWriteForTest, sysWrite } from '../../../src/hook/hugepages.js';
import { runHook } from '../../../src/hook/run.js';
import { run, virtGen } from '../../support/run.js';
import { cleanRoots, hostRoot, tempRoot } from '../host/helpers/roots.js';

const NODE1_2M = '/sys/devices/system/node/node1/hugepages/hugepages-2048kB/nr_hugepages';
const NODE0_2M = '/sys/devices/system/node/node0/hugepages/hugepages-2048kB/nr_hugepages';
const HOOK = '/etc/libvirt/hooks/qemu.d/virt-gen';

let root: string;
let dir: string;
let xml: string;
let hostCpus: string;
let guestCpus: number[];
const read = (p: string): string => readFileSync(path.join(root, p), 'utf8').trim();
const stubLog = (): string[][] =>
  existsSync(path.join(dir, 'systemctl.log'))
    ? readFileSync(path.join(dir, 'systemctl.log'), 'utf8')
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l) as string[])
    : [];

function hook(op: string, subop: string, input = xml, name = 'vg-runtime-hook') {
  return run(path.join(root, HOOK), [name, op, subop, '-'], {
    input,
    env: { PATH: `${dir}/stub:${process.env.PATH ?? ''}`, STUB_LOG: path.join(dir, 'systemctl.log') },
  });
}

const CONFIG = `import { defineVm } from 'virt-gen';
export default defineVm({
  name: 'vg-runtime-hook',
  memory: '16 GiB',
  hugepages: '2M',
  cpu: { cores: 6, threads: 2, pin: 'auto' },
  gpu: { host: '81:00.0' },
  runtime: { isolateCpus: true, allocateHugepages: true, governor: 'performance' },
});
`;

async function prepareRoot(): Promise<void> {
  root = await hostRoot('numa-gpu1');
  dir = await tempRoot('vg-runtime-hook-');
  for (const [p, text] of [
    ['/proc/sys/vm/drop_caches', ''],
    ['/proc/sys/vm/compact_memory', ''],
    ['/sys/fs/cgroup/cgroup.controllers', 'cpuset cpu io memory pids\n'],
    ...Array.from({ length: 32 }, (_, c) => [
      `/sys/devices/system/cpu/cpu${c}/cpufreq/scaling_governor`,
      'powersave\n',
    ]),
  ] as Array<[string, string]>) {
    await mkdir(path.dirname(path.join(root, p)), { recursive: true });
    await writeFile(path.join(root, p), text);
  }
  await mkdir(path.join(dir, 'stub'));
  // A stand-in for systemctl: records its arguments, answers --version like Debian 12's systemd.
  writeFileSync(
    path.join(dir, 'stub', 'systemctl'),
    `#!${process.execPath}\nrequire('fs').appendFileSync(process.env.STUB_LOG, JSON.stringify(process.argv.slice(2)) + '\\n');\n` +
      `if (process.argv[2] === '--version') console.log('systemd 252 (252.22-1~deb12u1)');\n`,
  );
  chmodSync(path.join(dir, 'stub', 'systemctl'), 0o755);
  writeFileSync(path.join(dir, 'vm.ts'), CONFIG);
}

beforeAll(async () => {
  await prepareRoot();
  const apply = virtGen(['host', 'apply', path.join(dir, 'vm.ts'), '--root', root]);
  expect(apply.status).toBe(0);
  expect(apply.stdout).toContain('reload libvirtd after apply (systemctl reload libvirtd, or virtqemud)');
  const out = virtGen(['xml', path.join(dir, 'vm.ts'), '--root', root]);
  expect(out.status).toBe(0);
  // As define leaves it: virt-gen's stamp next to the runtime plan.
  const stamp = { config: path.join(dir, 'vm.ts'), version: '0.1.0', generated: '0'.repeat(64) };
  xml = writeXml(withStamp(parseXml(out.stdout), stamp));
  guestCpus = [...out.stdout.matchAll(/<vcpupin vcpu="\d+" cpuset="(\d+)"\/>/g)].map((m) => Number(m[1]));
  hostCpus = formatCpuList(Array.from({ length: 32 }, (_, c) => c).filter((c) => !guestCpus.includes(c)));
});
afterAll(cleanRoots);

describe('the installed hook', () => {
  it('is an executable file (mode 755) that host apply wrote', () => {
    expect(statSync(path.join(root, HOOK)).mode & 0o777).toBe(0o755);
    expect(stampElement).toBeDefined();
  });

  it('prepare begin: grows node 1 2M pool by what is missing (after drop_caches and compact), nothing on stdout', () => {
    expect(read(NODE1_2M)).toBe('4096');
    const r = hook('prepare', 'begin');
    expect(r.stdout).toBe('');
    expect(r.status).toBe(0);
    // 16 GiB = 8192 pages, 4096 of them free already: the pool grows to 8192.
    expect(read(NODE1_2M)).toBe('8192');
    expect(read(NODE0_2M)).toBe('4096');
    expect(read('/proc/sys/vm/drop_caches')).toBe('3');
    expect(read('/proc/sys/vm/compact_memory')).toBe('1');
  });

  it("started begin: the host's slices get the CPUs the vCPUs do not use; the vCPUs' governor is performance", () => {
    const r = hook('started', 'begin');
    expect(r.stdout).toBe('');
    expect(r.status).toBe(0);
    expect(stubLog()).toEqual([
      ['--version'],
      ...['user.slice', 'system.slice', 'init.scope'].map((u) => [
        'set-property',
        '--runtime',
        '--',
        u,
        `AllowedCPUs=${hostCpus}`,
      ]),
    ]);
    for (const c of guestCpus)
      expect(read(`/sys/devices/system/cpu/cpu${c}/cpufreq/scaling_governor`)).toBe('performance');
    for (const c of parseCpuList(hostCpus))
      expect(read(`/sys/devices/system/cpu/cpu${c}/cpufreq/scaling_governor`)).toBe('powersave');
  });

  it('release end: every change undone, the pool back where it was, no state left', () => {
    const r = hook('release', 'end');
    expect(r.stdout).toBe('');
    expect(r.status).toBe(0);
    expect(stubLog().slice(4)).toEqual(
      ['user.slice', 'system.slice', 'init.scope'].map((u) => [
        'set-property',
        '--runtime',
        '--',
        u,
        'AllowedCPUs=',
      ]),
    );
    for (const c of guestCpus)
      expect(read(`/sys/devices/system/cpu/cpu${c}/cpufreq/scaling_governor`)).toBe('powersave');
    expect(read(NODE1_2M)).toBe('4096');
    expect(existsSync(path.join(root, '/run/virt-gen/hook/vg-runtime-hook.json'))).toBe(false);
  });

  it('a domain without virt-gen stamp: exit 0, nothing touched, nothing said', () => {
    const foreign = xml.replace(/<vg:virt-gen[\s\S]*<\/vg:virt-gen>/, '');
    const r = hook('prepare', 'begin', foreign, 'someone-else');
    expect([r.status, r.stdout, r.stderr]).toEqual([0, '', '']);
    expect(read(NODE1_2M)).toBe('4096');
  });

  it('operations it has no business with exit 0 at once (stdin not even read)', () => {
    const r = hook('migrate', 'begin', '');
    expect([r.status, r.stdout, r.stderr]).toEqual([0, '', '']);
  });

  it('without cgroup v2: a warning, and systemctl is not called', () => {
    rmSync(path.join(root, '/sys/fs/cgroup/cgroup.controllers'));
    const before = stubLog().length;
    const r = hook('started', 'begin');
    expect(r.status).toBe(0);
    expect(r.stderr).toContain('cgroup v2');
    expect(stubLog().length).toBe(before);
    expect(hook('release', 'end').status).toBe(0);
  });
});

describe('prepare begin when the kernel grants fewer pages than asked', () => {
  afterAll(() => setSysWriteForTest(sysWrite));

  it('stops the start (exit 1) with a clear message, and puts every pool back', async () => {
    // A guest spread over both nodes needs pages on each: node 0 succeeds, node 1 gets only 10.
    const spread = xml.replace(
      /<vgr:pages node="1" count="8192"\/>/,
      '<vgr:pages node="0" count="6000"/><vgr:pages node="1" count="8192"/>',
    );
    setSysWriteForTest(async (r, file, value) => {
      const capped = file === NODE1_2M ? String(Math.min(Number(value), 4096 + 10)) : value;
      await sysWrite(r, file, capped);
    });
    const lines: string[] = [];
    const code = await runHook({
      argv: ['vg-runtime-hook', 'prepare', 'begin', '-'],
      stdin: spread,
      root,
      log: (l) => lines.push(l),
    });
    expect(code).toBe(1);
    expect(lines.join('\n')).toContain(
      'could allocate only 10 of the 4096 2M hugepages still missing on node 1',
    );
    expect(lines.join('\n')).toContain('the pool is back at 4096');
    expect(read(NODE1_2M)).toBe('4096');
    // Node 0 had grown first: it is back too.
    expect(read(NODE0_2M)).toBe('4096');
    expect(existsSync(path.join(root, '/run/virt-gen/hook/vg-runtime-hook.json'))).toBe(false);
  });
});
