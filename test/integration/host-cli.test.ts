/**
 * The `host`, `doctor` and `discover` command modules on fixture roots (`--root`), in-process: what a
 * user sees on stdout, the files written and the exit code.
 */
import { afterAll, afterEach, beforeEach, describe, expect, it, jest } from '@jest/globals';
import { existsSync } from 'node:fs';
import { cp, mkdtemp, readFile, rm, writeFile, mkdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { runDiscover } from '../../src/cli/commands/discover.js';
import { runDoctorCommand } from '../../src/cli/commands/doctor.js';
import { runHost } from '../../src/cli/commands/host.js';

const GAMING = path.resolve('examples/gaming.ts');
const dirs: string[] = [];
afterAll(async () => Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true }))));

async function root(host: string, conf = 'debian12-stock.conf'): Promise<string> {
  const dir = await mkdtemp(path.join(tmpdir(), 'virt-gen-cli-'));
  dirs.push(dir);
  await cp(path.resolve('test/fixtures/hosts', host), dir, { recursive: true, verbatimSymlinks: true });
  await mkdir(path.join(dir, 'etc/libvirt'), { recursive: true });
  await writeFile(
    path.join(dir, 'etc/libvirt/qemu.conf'),
    await readFile(path.resolve('test/fixtures/qemu-conf', conf)),
  );
  return dir;
}

let out = '';
let err = '';
beforeEach(() => {
  out = '';
  err = '';
  process.exitCode = undefined;
  jest
    .spyOn(process.stdout, 'write')
    .mockImplementation((s: string | Uint8Array) => ((out += String(s)), true));
  jest
    .spyOn(process.stderr, 'write')
    .mockImplementation((s: string | Uint8Array) => ((err += String(s)), true));
});
afterEach(() => {
  jest.restoreAllMocks();
  process.exitCode = undefined;
});

describe('virt-gen host plan|apply', () => {
  it('plan prints the diff and changes nothing', async () => {
    const r = await root('guide');
    await runHost('plan', GAMING, { root: r });
    expect(out).toContain(
      '# /etc/libvirt/qemu.conf: cgroup_device_acl: allow /dev/vfio/vfio, /dev/vfio/1\n--- a/etc/libvirt/qemu.conf',
    );
    expect(await readFile(path.join(r, 'etc/libvirt/qemu.conf'), 'utf8')).toBe(
      await readFile('test/fixtures/qemu-conf/debian12-stock.conf', 'utf8'),
    );
  });

  it('apply writes and backs up; a second apply has nothing to change', async () => {
    const r = await root('guide');
    await runHost('apply', GAMING, { root: r });
    expect(out).toContain(`wrote ${path.join(r, 'etc/libvirt/qemu.conf')}\n`);
    expect(out).toContain(`backup ${path.join(r, 'etc/libvirt/qemu.conf.virt-gen.bak')}\n`);
    out = '';
    await runHost('apply', GAMING, { root: r });
    expect(out).toContain('Nothing to change.\n');
  });

  it('--json plan is data', async () => {
    const r = await root('guide');
    await runHost('plan', GAMING, { root: r, json: true });
    const plan = JSON.parse(out) as { changes: Array<{ path: string }>; aclWanted: string[] };
    expect(plan.changes.map((c) => c.path)).toEqual(['/etc/libvirt/qemu.conf']);
    expect(plan.aclWanted).toEqual(['/dev/vfio/vfio', '/dev/vfio/1']);
  });

  it('--json apply reports the files written and the backups, not the old bytes kept for rollback', async () => {
    const r = await root('guide');
    await runHost('apply', GAMING, { root: r, json: true });
    const report = JSON.parse(out) as { applied: Record<string, unknown> };
    expect(report.applied).toEqual({
      written: [path.join(r, 'etc/libvirt/qemu.conf')],
      backups: [path.join(r, 'etc/libvirt/qemu.conf.virt-gen.bak')],
    });
  });

  it('refuses a broken qemu.conf with the line, and an unknown action', async () => {
    await expect(runHost('plan', GAMING, { root: await root('guide', 'broken.conf') })).rejects.toThrow(
      'line 5, column 5',
    );
    await expect(runHost('aply', GAMING, { root: await root('guide') })).rejects.toThrow(
      'host aply: expected "plan", "apply" or "revert"',
    );
  });

  it('warns on stderr about QEMU as root', async () => {
    await runHost('plan', GAMING, { root: await root('guide', 'one-line-acl.conf') });
    expect(err).toContain('warning: /etc/libvirt/qemu.conf sets user = "root"');
  });
});

describe('virt-gen doctor', () => {
  it('guide host with the guide config: ready, exit 0', async () => {
    await runDoctorCommand(GAMING, { root: await root('guide') });
    expect(out).toMatch(/\nready \(\d+ warnings?\)\n$/);
    expect(process.exitCode).toBe(0);
  });

  it('NIC host: not ready, exit 1, --json', async () => {
    await runDoctorCommand(undefined, { root: await root('nic-shared-group'), json: true });
    const report = JSON.parse(out) as { ready: boolean; findings: Array<{ id: string; status: string }> };
    expect(report.ready).toBe(false);
    expect(report.findings.find((f) => f.id === 'kvm')?.status).toBe('fail');
    expect(process.exitCode).toBe(1);
  });
});

describe('virt-gen discover', () => {
  it('prints GPUs and writes a starter config, refusing to overwrite it', async () => {
    const r = await root('amd-2ccd');
    const file = path.join(r, 'vm.ts');
    await runDiscover({ root: r, config: file, name: 'gaming' });
    expect(out).toContain('0000:0b:00.0  VGA compatible controller [1002:73bf]  (boot GPU)');
    expect(await readFile(file, 'utf8')).toContain("name: 'gaming'");
    expect(err).toContain(`wrote ${file}`);
    await expect(runDiscover({ root: r, config: file })).rejects.toThrow(
      'exists: choose another file, or --force',
    );
    await runDiscover({ root: r, config: file, force: true });
    expect(existsSync(file)).toBe(true);
  });

  it('--json', async () => {
    await runDiscover({ root: await root('guide'), json: true });
    expect((JSON.parse(out) as { gpus: unknown[] }).gpus).toHaveLength(2);
  });
});
