/**
 * Atomic writes, one backup, the lock; and crash safety for real: a child process applying the plan is
 * killed with SIGKILL, and qemu.conf must then hold the old bytes or the new ones, never a torn file.
 */
import { afterAll, describe, expect, it } from '@jest/globals';
import { spawn, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { chmod, chown, mkdir, readdir, readFile, stat, symlink, utimes, writeFile } from 'node:fs/promises';
import path from 'node:path';
import {
  backupBeforeChange,
  PAUSE_AT_ENV,
  PAUSE_MARKER_ENV,
  restoreFiles,
  writeFileAtomic,
} from '../../../src/host/files.js';
import { acquireLock } from '../../../src/host/lock.js';
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

describe('backupBeforeChange', () => {
  it('keeps the state from before the first change as the pristine backup, never overwritten', async () => {
    const dir = await tempRoot();
    const file = path.join(dir, 'qemu.conf');
    await writeFile(file, 'original\n', { mode: 0o600 });
    expect(await backupBeforeChange(file, Buffer.from('original\n'))).toBe(file + '.virt-gen.bak');
    expect((await stat(file + '.virt-gen.bak')).mode & 0o777).toBe(0o600);
    // The same bytes again: nothing new to keep.
    expect(await backupBeforeChange(file, Buffer.from('original\n'))).toBeUndefined();
    // A later state is kept under a timestamped name; the pristine one stays.
    const later = await backupBeforeChange(file, Buffer.from('changed\n'));
    expect(later).toMatch(/qemu\.conf\.virt-gen\.\d{8}T\d{6}Z\.bak$/);
    expect(await readFile(later as string, 'utf8')).toBe('changed\n');
    expect(await readFile(file + '.virt-gen.bak', 'utf8')).toBe('original\n');
    // Two later states within one second get distinct names.
    const again = await backupBeforeChange(file, Buffer.from('changed again\n'));
    expect(again).not.toBe(later);
    expect(await readFile(again as string, 'utf8')).toBe('changed again\n');
    expect((await readdir(dir)).filter((n) => n.endsWith('.tmp'))).toEqual([]);
  });
});

describe('restoreFiles', () => {
  it('puts bytes back and removes files that were created', async () => {
    const dir = await tempRoot();
    const kept = path.join(dir, 'kept');
    const created = path.join(dir, 'created');
    await writeFile(kept, 'new');
    await writeFile(created, 'new');
    await restoreFiles([{ file: kept, bytes: Buffer.from([0x23, 0xe9, 0x0a]) }, { file: created }]);
    expect(await readFile(kept)).toEqual(Buffer.from([0x23, 0xe9, 0x0a]));
    expect(existsSync(created)).toBe(false);
  });
});

describe('acquireLock', () => {
  const lockIn = async (): Promise<string> => path.join(await tempRoot(), 'run/virt-gen/host.lock');

  it('makes a 0700 folder, waits for a live holder (bounded), naming its pid, until released', async () => {
    const lockPath = await lockIn();
    const lock = await acquireLock(lockPath);
    expect(await readFile(lockPath, 'utf8')).toBe(`${process.pid}\n`);
    expect((await stat(path.dirname(lockPath))).mode & 0o777).toBe(0o700);
    const waits: string[] = [];
    const started = Date.now();
    await expect(acquireLock(lockPath, { waitMs: 300, onWait: (m) => waits.push(m) })).rejects.toThrow(
      `another virt-gen run (pid ${process.pid}) is changing host files`,
    );
    expect(Date.now() - started).toBeGreaterThanOrEqual(300);
    expect(waits).toHaveLength(1);
    // Released while a second one waits: the second gets it.
    const second = acquireLock(lockPath, { waitMs: 5000 });
    setTimeout(() => void lock.release(), 200);
    await (await second).release();
    expect(existsSync(lockPath)).toBe(false);
  });

  it('takes over a lock whose process is gone', async () => {
    const lockPath = await lockIn();
    await mkdir(path.dirname(lockPath), { recursive: true, mode: 0o700 });
    await writeFile(lockPath, `${deadPid()}\n`);
    const lock = await acquireLock(lockPath, { waitMs: 0 });
    expect(await readFile(lockPath, 'utf8')).toBe(`${process.pid}\n`);
    await lock.release();
  });

  it('an empty lock is someone starting: respected for a while, then taken over', async () => {
    const lockPath = await lockIn();
    await mkdir(path.dirname(lockPath), { recursive: true, mode: 0o700 });
    await writeFile(lockPath, '');
    await expect(acquireLock(lockPath, { waitMs: 200 })).rejects.toThrow('pid unknown');
    const old = new Date(Date.now() - 60_000);
    await utimes(lockPath, old, old);
    await (await acquireLock(lockPath, { waitMs: 0 })).release();
  });

  const asRoot = process.getuid?.() === 0 ? it : it.skip;

  asRoot('a lock file another user owns is not trusted, even with a live pid', async () => {
    const lockPath = await lockIn();
    await mkdir(path.dirname(lockPath), { recursive: true, mode: 0o700 });
    await writeFile(lockPath, '1\n'); // pid 1 is always alive
    await chown(lockPath, 65534, 65534);
    const lock = await acquireLock(lockPath, { waitMs: 0 });
    expect((await stat(lockPath)).uid).toBe(0);
    await lock.release();
  });

  asRoot('a lock folder that is a symlink, not ours, or open to others is refused', async () => {
    const root = await tempRoot();
    const elsewhere = await tempRoot();
    await mkdir(path.join(root, 'run'));
    await symlink(elsewhere, path.join(root, 'run/virt-gen'));
    await expect(acquireLock(path.join(root, 'run/virt-gen/host.lock'))).rejects.toThrow(
      'is not a folder (a symbolic link or a file)',
    );
    expect(await readdir(elsewhere)).toEqual([]);
    const other = path.join(await tempRoot(), 'run/virt-gen');
    await mkdir(other, { recursive: true, mode: 0o700 });
    await chown(other, 65534, 65534);
    await expect(acquireLock(path.join(other, 'host.lock'))).rejects.toThrow('belongs to uid 65534');
    const open = path.join(await tempRoot(), 'run/virt-gen');
    await mkdir(open, { recursive: true });
    await chmod(open, 0o777);
    await expect(acquireLock(path.join(open, 'host.lock'))).rejects.toThrow('is writable by other users');
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
    const ended = await runChild(
      root,
      { [PAUSE_AT_ENV]: 'temp-written', [PAUSE_MARKER_ENV]: marker },
      (child) => {
        void waitFor(marker).then(() => child.kill('SIGKILL'));
      },
    );
    expect(ended.signal).toBe('SIGKILL');
    // The old bytes, untouched; the temp file and the lock of the dead run are still there.
    expect(await readRootFile(root, CONF)).toBe(original);
    const dir = await readdir(path.join(root, 'etc/libvirt'));
    expect(dir.filter((n) => n.endsWith('.tmp'))).toHaveLength(1);
    expect(await readRootFile(root, CONF + '.virt-gen.bak')).toBe(original);
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
