/**
 * Atomic writes, one backup, the lock; and crash safety for real: a child process applying the plan is
 * killed with SIGKILL, and qemu.conf must then hold the old bytes or the new ones, never a torn file.
 */
import { afterAll, describe, expect, it } from '@jest/globals';
import { spawn, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { readdir, readFile, stat, utimes, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { acquireLock, backupOnce, PAUSE_HOOK_ENV, writeFileAtomic } from '../../../src/host/files.js';
import { readHostFacts } from '../../../src/host/facts.js';
import { applyHostPlan, LOCK_PATH, planHost } from '../../../src/host/plan.js';
import { CHILD_NEEDS } from './helpers/apply-child.js';
import { augtool } from './helpers/oracles.js';
import { cleanRoots, hostRoot, qemuConfFixture, readRootFile, tempRoot } from './helpers/roots.js';

afterAll(cleanRoots);

const CHILD = path.resolve('build/test/unit/host/helpers/apply-child.js');
const CONF = '/etc/libvirt/qemu.conf';

/** The pid of a process that has exited (so it is certainly not running). */
function deadPid(): number {
  const r = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))']);
  return Number(r.stdout.toString());
}

describe('writeFileAtomic', () => {
  it('replaces the content, keeps the mode, leaves no temporary file', async () => {
    const dir = await tempRoot();
    const file = path.join(dir, 'qemu.conf');
    await writeFile(file, 'old\n', { mode: 0o600 });
    await writeFileAtomic(file, 'new\n');
    expect(await readFile(file, 'utf8')).toBe('new\n');
    expect((await stat(file)).mode & 0o777).toBe(0o600);
    expect(await readdir(dir)).toEqual(['qemu.conf']);
  });

  it('creates a missing file with the given mode', async () => {
    const dir = await tempRoot();
    await writeFileAtomic(path.join(dir, 'f'), 'x', 0o640);
    expect((await stat(path.join(dir, 'f'))).mode & 0o777).toBe(0o640);
  });

  it('removes temporary files a dead run left, keeps those of a live one', async () => {
    const dir = await tempRoot();
    const dead = `.f.virt-gen-${deadPid()}-abcd.tmp`;
    const live = `.f.virt-gen-${process.pid}-abcd.tmp`;
    await writeFile(path.join(dir, dead), 'torn');
    await writeFile(path.join(dir, live), 'in progress');
    await writeFileAtomic(path.join(dir, 'f'), 'x');
    expect((await readdir(dir)).sort()).toEqual([live, 'f'].sort());
  });
});

describe('backupOnce', () => {
  it('keeps the state from before the first change, and only that', async () => {
    const dir = await tempRoot();
    const file = path.join(dir, 'qemu.conf');
    await writeFile(file, 'original\n', { mode: 0o600 });
    expect(await backupOnce(file)).toBe(file + '.virt-gen.bak');
    await writeFile(file, 'changed\n');
    expect(await backupOnce(file)).toBeUndefined();
    expect(await readFile(file + '.virt-gen.bak', 'utf8')).toBe('original\n');
    expect((await stat(file + '.virt-gen.bak')).mode & 0o777).toBe(0o600);
  });

  it('has nothing to back up for a new file', async () => {
    expect(await backupOnce(path.join(await tempRoot(), 'absent'))).toBeUndefined();
  });
});

describe('acquireLock', () => {
  it('refuses a second holder, naming the pid, until released', async () => {
    const lockPath = path.join(await tempRoot(), 'lock');
    const lock = await acquireLock(lockPath);
    expect(await readFile(lockPath, 'utf8')).toBe(`${process.pid}\n`);
    await expect(acquireLock(lockPath)).rejects.toThrow(
      `another virt-gen run (pid ${process.pid}) is changing host files`,
    );
    await lock.release();
    await (await acquireLock(lockPath)).release();
    expect(existsSync(lockPath)).toBe(false);
  });

  it('takes over a lock whose process is gone', async () => {
    const lockPath = path.join(await tempRoot(), 'lock');
    await writeFile(lockPath, `${deadPid()}\n`);
    const lock = await acquireLock(lockPath);
    expect(await readFile(lockPath, 'utf8')).toBe(`${process.pid}\n`);
    await lock.release();
  });

  it('an empty lock is someone starting: respected for a while, then taken over', async () => {
    const lockPath = path.join(await tempRoot(), 'lock');
    await writeFile(lockPath, '');
    await expect(acquireLock(lockPath)).rejects.toThrow('pid unknown');
    const old = new Date(Date.now() - 60_000);
    await utimes(lockPath, old, old);
    await (await acquireLock(lockPath)).release();
  });
});

/** Runs the child; `kill` decides when to SIGKILL it. Resolves with how it ended. */
function runChild(root: string, env: NodeJS.ProcessEnv, kill: (child: ReturnType<typeof spawn>) => void) {
  return new Promise<{ code: number | null; signal: NodeJS.Signals | null; stderr: string }>((resolve) => {
    const child = spawn(process.execPath, [CHILD, root], {
      env: { ...process.env, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('exit', (code, signal) => resolve({ code, signal, stderr }));
    kill(child);
  });
}

async function waitFor(file: string, ms = 20_000): Promise<void> {
  const end = Date.now() + ms;
  while (!existsSync(file)) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${file}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

describe('crash safety (a real process, SIGKILL)', () => {
  it('killed between the temporary file and the rename: the old file, then a clean re-run', async () => {
    const original = await qemuConfFixture('debian12-stock.conf');
    const root = await hostRoot('guide', original);
    const marker = path.join(await tempRoot(), 'paused');
    const ended = await runChild(root, { [PAUSE_HOOK_ENV]: marker }, (child) => {
      void waitFor(marker).then(() => child.kill('SIGKILL'));
    });
    expect(ended.signal).toBe('SIGKILL');
    // The old bytes, untouched; the temp file and the lock of the dead run are still there.
    expect(await readRootFile(root, CONF)).toBe(original);
    const dir = await readdir(path.join(root, 'etc/libvirt'));
    expect(dir.filter((n) => n.endsWith('.tmp'))).toHaveLength(1);
    expect(existsSync(path.join(root, LOCK_PATH))).toBe(true);

    // A new run breaks the stale lock, removes the stale temp file and applies.
    const facts = await readHostFacts(root);
    await applyHostPlan(await planHost(facts, CHILD_NEEDS, root), root);
    const after = await readRootFile(root, CONF);
    expect((await augtool(root)).acl).toContain('/dev/vfio/1');
    expect(await readRootFile(root, CONF + '.virt-gen.bak')).toBe(original);
    expect((await readdir(path.join(root, 'etc/libvirt'))).sort()).toEqual([
      'qemu.conf',
      'qemu.conf.virt-gen.bak',
    ]);
    expect(existsSync(path.join(root, LOCK_PATH))).toBe(false);
    // And it is idempotent.
    await applyHostPlan(await planHost(facts, CHILD_NEEDS, root), root);
    expect(await readRootFile(root, CONF)).toBe(after);
  }, 60_000);

  it('killed at moments spread over a whole run: always the old file or the new one, never a torn one', async () => {
    const original = await qemuConfFixture('debian12-stock.conf');
    // One full run: its duration spreads the kill times over startup, planning, writing and renaming.
    const reference = await hostRoot('guide', original);
    const started = Date.now();
    const full = await runChild(reference, {}, () => undefined);
    expect(full.code).toBe(0);
    const duration = Date.now() - started;
    const patched = await readRootFile(reference, CONF);
    const seen = { old: 0, new: 0 };
    const runs = 16;
    for (let i = 0; i < runs; i++) {
      const root = await hostRoot('guide', original);
      await runChild(root, {}, (child) => {
        setTimeout(() => child.kill('SIGKILL'), Math.round((duration * (i + 1)) / runs));
      });
      const now = await readRootFile(root, CONF);
      expect([original, patched]).toContain(now);
      seen[now === original ? 'old' : 'new']++;
    }
    if (process.env.VIRT_GEN_DEBUG)
      process.stderr.write(`crash runs: ${JSON.stringify(seen)} over ${duration} ms\n`);
    expect(seen.old + seen.new).toBe(runs);
  }, 120_000);
});
