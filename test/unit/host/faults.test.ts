/**
 * Fault injection on the built CLI, as users run it: `virt-gen host apply` killed with SIGKILL at each
 * named write step (the VIRT_GEN_TEST_PAUSE_AT hook holds it there), two concurrent applies, a lock
 * file planted by another user, a qemu.conf the user cannot read, a read-only mount; and the bounded
 * reads and the output writer through `virt-gen xml`. After each fault the files on disk are checked:
 * the old bytes or the new, a whole pristine backup, and a re-run that succeeds.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { execFileSync, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import {
  chmod,
  chown,
  cp,
  lstat,
  mkdir,
  readdir,
  readFile,
  readlink,
  symlink,
  writeFile,
} from 'node:fs/promises';
import path from 'node:path';
import { PAUSE_AT_ENV, PAUSE_MARKER_ENV, PAUSE_MS_ENV, PAUSE_STEPS } from '../../../src/host/files.js';
import { LOCAL_FILE } from '../../../src/host/apparmor.js';
import { BIN, EXAMPLES } from '../../support/paths.js';
import { run, virtGen } from '../../support/run.js';
import { apparmorParse, augtool } from './helpers/oracles.js';
import { cleanRoots, hostRoot, qemuConfFixture, readRootFile, tempRoot } from './helpers/roots.js';

afterAll(cleanRoots);

const CONF = '/etc/libvirt/qemu.conf';
const GAMING = path.join(EXAMPLES, 'gaming.ts');
let original: string;
let originalLocal: string;
let reference: { conf: string; local: string };

/** The guide host with the stock qemu.conf and a copy of this machine's AppArmor profiles. */
async function root(): Promise<string> {
  const r = await hostRoot('guide', original);
  await cp('/etc/apparmor.d', path.join(r, 'etc/apparmor.d'), { recursive: true, verbatimSymlinks: true });
  return r;
}

const applyArgs = (r: string): string[] => ['host', 'apply', GAMING, '--root', r, '--apparmor', 'always'];

interface Ended {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/** Starts the CLI; resolves when it ends. */
function start(
  args: string[],
  env: NodeJS.ProcessEnv = {},
): { child: ReturnType<typeof spawn>; ended: Promise<Ended> } {
  const child = spawn(process.execPath, [BIN, ...args], {
    env: { ...process.env, LC_ALL: 'C', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout?.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr?.on('data', (d: Buffer) => (stderr += d.toString()));
  const ended = new Promise<Ended>((resolve) =>
    child.on('exit', (code, signal) => resolve({ code, signal, stdout, stderr })),
  );
  return { child, ended };
}

async function waitFor(file: string, ms = 30_000): Promise<void> {
  const end = Date.now() + ms;
  while (!existsSync(file)) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${file}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

beforeAll(async () => {
  original = await qemuConfFixture('debian12-stock.conf');
  originalLocal = await readFile(LOCAL_FILE, 'utf8');
  const r = await root();
  const full = virtGen(applyArgs(r));
  expect(full.stderr).not.toContain('internal error');
  expect(full.status).toBe(0);
  reference = { conf: await readRootFile(r, CONF), local: await readRootFile(r, LOCAL_FILE) };
  expect(reference.conf).not.toBe(original);
  expect(reference.local).toContain('/dev/vfio/1 rw,');
}, 60_000);

describe('host apply killed with SIGKILL at each write step', () => {
  it.each([...PAUSE_STEPS])(
    'at %s: old or new bytes, a whole pristine backup, and a re-run that succeeds',
    async (step) => {
      const r = await root();
      const marker = path.join(await tempRoot(), 'paused');
      const { child, ended } = start(applyArgs(r), { [PAUSE_AT_ENV]: step, [PAUSE_MARKER_ENV]: marker });
      await waitFor(marker);
      child.kill('SIGKILL');
      expect((await ended).signal).toBe('SIGKILL');

      const conf = await readRootFile(r, CONF);
      expect([original, reference.conf]).toContain(conf);
      expect([originalLocal, reference.local]).toContain(await readRootFile(r, LOCAL_FILE));
      const libvirtDir = await readdir(path.join(r, 'etc/libvirt'));
      const backups = libvirtDir.filter((n) => n.endsWith('.bak'));
      // No empty or partial pristine backup, whatever the moment.
      for (const b of backups) expect(await readRootFile(r, `/etc/libvirt/${b}`)).toBe(original);
      if (conf !== original) expect(backups).toEqual(['qemu.conf.virt-gen.bak']);

      const again = virtGen(applyArgs(r));
      expect(again.stderr).toBe('');
      expect(again.status).toBe(0);
      expect(await readRootFile(r, CONF)).toBe(reference.conf);
      expect(await readRootFile(r, LOCAL_FILE)).toBe(reference.local);
      expect(await readRootFile(r, CONF + '.virt-gen.bak')).toBe(original);
      expect((await readdir(path.join(r, 'etc/libvirt'))).sort()).toEqual([
        'qemu.conf',
        'qemu.conf.virt-gen.bak',
      ]);
      expect((await augtool(r)).errors).toBe('');
      expect((await apparmorParse(r)).ok).toBe(true);
    },
    60_000,
  );
});

describe('concurrency and the lock', () => {
  it('two applies at once: the second waits, then finds nothing to change', async () => {
    const r = await root();
    const marker = path.join(await tempRoot(), 'paused');
    const first = start(applyArgs(r), {
      [PAUSE_AT_ENV]: 'locked',
      [PAUSE_MARKER_ENV]: marker,
      [PAUSE_MS_ENV]: '1500',
    });
    await waitFor(marker);
    const second = start(applyArgs(r));
    const [a, b] = await Promise.all([first.ended, second.ended]);
    expect(a.code).toBe(0);
    expect(b.stderr).toMatch(/another virt-gen run \(pid \d+\) is changing host files .*: waiting for it/);
    expect(b.code).toBe(0);
    expect(b.stdout).toContain('Nothing to change.');
    expect(await readRootFile(r, CONF)).toBe(reference.conf);
    expect(await readRootFile(r, CONF + '.virt-gen.bak')).toBe(original);
  }, 60_000);

  it("another user's lock file, with a live pid, does not block root; nor does one in /run/lock", async () => {
    const r = await root();
    for (const lock of ['run/virt-gen/host.lock', 'run/lock/virt-gen.lock']) {
      await mkdir(path.join(r, path.dirname(lock)), { recursive: true, mode: 0o700 });
      await writeFile(path.join(r, lock), '1\n');
      await chown(path.join(r, lock), 65534, 65534);
    }
    const res = virtGen(applyArgs(r));
    expect(res.stderr).toBe('');
    expect(res.status).toBe(0);
    expect(await readRootFile(r, CONF)).toBe(reference.conf);
  }, 60_000);
});

describe('ordinary failures are exit 1 with a message naming the file, and change nothing', () => {
  it('a qemu.conf the user cannot read is an error, never "absent"', async () => {
    // A root the user owns (an image build), with a root-only qemu.conf in it: the user could replace
    // the file, so reading it as "absent" would lose it.
    const r = await root();
    execFileSync('chown', ['-R', '65534:65534', r]);
    await chown(path.join(r, CONF), 0, 0);
    await chmod(path.join(r, CONF), 0o600);
    const cache = await tempRoot();
    await chown(cache, 65534, 65534);
    const res = run(
      'setpriv',
      ['--reuid=65534', '--regid=65534', '--clear-groups', process.execPath, BIN, ...applyArgs(r)],
      { env: { XDG_CACHE_HOME: cache, HOME: cache } },
    );
    expect(res.stderr).toContain(
      'virt-gen: cannot read host file /etc/libvirt/qemu.conf: permission denied (nothing was changed)',
    );
    expect(res.status).toBe(1);
    expect(await readRootFile(r, CONF)).toBe(original);
    expect(await readdir(path.join(r, 'etc/libvirt'))).toEqual(['qemu.conf']);
  }, 60_000);

  it('doctor, run as a user who cannot read qemu.conf, says so instead of "does not exist"', async () => {
    const r = await root();
    await chmod(r, 0o755);
    await chmod(path.join(r, CONF), 0o600);
    const cache = await tempRoot();
    await chown(cache, 65534, 65534);
    const res = run(
      'setpriv',
      ['--reuid=65534', '--regid=65534', '--clear-groups', process.execPath, BIN, 'doctor', '--root', r],
      { env: { XDG_CACHE_HOME: cache, HOME: cache } },
    );
    expect(res.stdout).toContain('/etc/libvirt/qemu.conf: cannot read (EACCES; run as root)');
    expect(res.stdout).not.toContain('does not exist');
  }, 60_000);

  it('a read-only mount', async () => {
    const r = await root();
    const dir = path.join(r, 'etc/libvirt');
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=1m', 'tmpfs', dir]);
    try {
      await writeFile(path.join(dir, 'qemu.conf'), original);
      execFileSync('mount', ['-o', 'remount,ro', dir]);
      const res = virtGen(applyArgs(r));
      expect(res.stderr).toContain(
        'virt-gen: cannot write /etc/libvirt/qemu.conf: the file system is read-only',
      );
      expect(res.stderr).not.toContain('internal error');
      expect(res.status).toBe(1);
      expect(await readRootFile(r, CONF)).toBe(original);
      expect(await readRootFile(r, LOCAL_FILE)).toBe(originalLocal);
    } finally {
      execFileSync('umount', [dir]);
    }
  }, 60_000);
});

describe('bounded reads and the output writer, through `virt-gen xml`', () => {
  const config = async (dir: string, template: string): Promise<string> => {
    const file = path.join(dir, 'vm.ts');
    await writeFile(
      file,
      `import { defineVm } from 'virt-gen';\nexport default defineVm({ name: 'vm', memory: 1024, cpu: { cores: 2 }, template: ${JSON.stringify(template)} });\n`,
    );
    return file;
  };

  it('a device or a FIFO as template is refused at once, not read or waited on', async () => {
    const dir = await tempRoot();
    const urandom = virtGen(['xml', await config(dir, '/dev/urandom')]);
    expect(urandom.stderr).toContain('template /dev/urandom is a character device, not a regular file');
    expect(urandom.status).toBe(1);
    const fifo = path.join(dir, 'fifo.xml');
    execFileSync('mkfifo', [fifo]);
    const piped = virtGen(['xml', await config(dir, fifo)]);
    expect(piped.stderr).toContain(`template ${fifo} is a FIFO (named pipe), not a regular file`);
    expect(piped.status).toBe(1);
  }, 60_000);

  it('-o through a symlink another user owns is refused as root; through our own link, the target is written', async () => {
    const dir = await tempRoot();
    await chmod(dir, 0o1777);
    const victim = path.join(await tempRoot(), 'victim');
    await writeFile(victim, 'precious\n');
    const planted = path.join(dir, 'out.xml');
    await symlink(victim, planted);
    execFileSync('chown', ['-h', '65534:65534', planted]);
    const res = virtGen(['xml', GAMING, '-o', planted]);
    expect(res.stderr).toContain(`${planted} is a symbolic link owned by uid 65534`);
    expect(res.status).toBe(1);
    expect(await readFile(victim, 'utf8')).toBe('precious\n');

    const ours = path.join(dir, 'ours.xml');
    await symlink(victim, ours);
    expect(virtGen(['xml', GAMING, '-o', ours]).status).toBe(0);
    expect(await readFile(victim, 'utf8')).toContain('<domain');
    expect((await lstat(ours)).isSymbolicLink()).toBe(true);
    expect(await readlink(ours)).toBe(victim);
    expect((await readdir(dir)).sort()).toEqual(['ours.xml', 'out.xml']);
  }, 60_000);
});
