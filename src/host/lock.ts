/**
 * The lock all host changes share. It lives in a folder only its owner can write (`/run/virt-gen`,
 * mode 0700, under `--root` when one is given), never in the world-writable `/run/lock`, where any
 * user could plant a lock (blocking root) or a symlink. The folder is checked (a real folder, ours,
 * not writable by others) and the lock file is created with O_EXCL|O_NOFOLLOW; a lock file that is not
 * ours is not trusted and is removed. A live holder is waited for (bounded, with a message), a dead
 * one's lock is taken over; /run is cleared at boot, so a crash leaves no lock for long.
 */
import { constants, promises as fs } from 'node:fs';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { HostError } from './errors.js';
import { processAlive } from './files.js';

export const LOCK_DIR = '/run/virt-gen';
export const LOCK_PATH = `${LOCK_DIR}/host.lock`;

export interface Lock {
  path: string;
  release(): Promise<void>;
}

export interface LockOptions {
  /** How long to wait for a live holder, in ms (default 10 s). */
  waitMs?: number;
  /** Told once when the run starts waiting. */
  onWait?: (message: string) => void;
}

const euid = (): number => process.geteuid?.() ?? 0;

/** Creates the lock folder 0700 if needed and checks it can be trusted. */
export async function ensureLockDir(dir: string): Promise<void> {
  await fs.mkdir(path.dirname(dir), { recursive: true, mode: 0o755 });
  await fs.mkdir(dir, { mode: 0o700 }).catch((err: NodeJS.ErrnoException) => {
    if (err.code !== 'EEXIST') throw err;
  });
  const st = await fs.lstat(dir);
  const problem = !st.isDirectory()
    ? 'is not a folder (a symbolic link or a file)'
    : st.uid !== euid()
      ? `belongs to uid ${st.uid}, not to this user (uid ${euid()})`
      : (st.mode & 0o022) !== 0
        ? `is writable by other users (mode ${(st.mode & 0o777).toString(8)})`
        : undefined;
  if (problem) {
    throw new HostError(
      `lock folder ${dir} ${problem}: remove it and run again (nothing was changed)`,
      'host-lock-dir',
    );
  }
}

async function createLock(lockPath: string): Promise<boolean> {
  const flags = constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | constants.O_NOFOLLOW;
  let handle: fs.FileHandle;
  try {
    handle = await fs.open(lockPath, flags, 0o600);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw err;
  }
  try {
    await handle.writeFile(`${process.pid}\n`);
    await handle.sync();
  } finally {
    await handle.close();
  }
  return true;
}

interface Holder {
  pid?: number;
  /** Not a lock to respect: not ours, not a regular file, or its process is gone. */
  stale: boolean;
  ino: number;
}

async function holderOf(lockPath: string): Promise<Holder | undefined> {
  const st = await fs.lstat(lockPath).catch(() => undefined);
  if (!st) return undefined;
  if (!st.isFile() || st.uid !== euid()) return { stale: true, ino: st.ino };
  const text = await fs.readFile(lockPath, 'utf8').catch(() => '');
  const pid = Number(text.trim().split('\n')[0]);
  if (Number.isInteger(pid) && pid > 0) return { pid, stale: !processAlive(pid), ino: st.ino };
  // Created but not yet written by a live process, or left empty by a crashed one: give it a moment.
  return { stale: Date.now() - st.mtimeMs > 10_000, ino: st.ino };
}

/**
 * Removes a stale lock without removing a fresh one another run took meanwhile: the lock is renamed
 * to a private name first, and only deleted when it is still the file that was judged stale (same
 * inode); otherwise it is put back.
 */
async function breakStaleLock(lockPath: string, ino: number): Promise<void> {
  const aside = `${lockPath}.stale-${process.pid}-${randomBytes(8).toString('hex')}`;
  try {
    await fs.rename(lockPath, aside);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return;
    throw err;
  }
  const moved = await fs.lstat(aside);
  if (moved.ino !== ino) await fs.link(aside, lockPath).catch(() => undefined);
  await fs.rm(aside, { force: true });
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Takes the lock file (holding our pid) in its checked folder. Waits up to `waitMs` for a live holder,
 * then fails naming its pid; a lock left by a dead process or by another user is taken over.
 */
export async function acquireLock(lockPath: string, opts: LockOptions = {}): Promise<Lock> {
  await ensureLockDir(path.dirname(lockPath));
  const deadline = Date.now() + (opts.waitMs ?? 10_000);
  let told = false;
  let attempts = 0;
  for (;;) {
    if (await createLock(lockPath)) {
      return { path: lockPath, release: () => fs.rm(lockPath, { force: true }) };
    }
    const holder = await holderOf(lockPath);
    if (holder?.stale) await breakStaleLock(lockPath, holder.ino);
    if (!holder || holder.stale) {
      // A lock that vanishes or goes stale again and again is someone racing us: do not spin forever.
      if (++attempts > 1000)
        throw new HostError(`cannot take the lock ${lockPath}: it keeps changing`, 'host-locked');
      continue;
    }
    const who = `another virt-gen run (pid ${holder.pid ?? 'unknown'}) is changing host files (lock ${lockPath})`;
    if (Date.now() >= deadline) {
      throw new HostError(
        `${who}; waited ${Math.round((opts.waitMs ?? 10_000) / 1000)} s. Run again when it has finished ` +
          `(nothing was changed)`,
        'host-locked',
      );
    }
    if (!told) opts.onWait?.(`${who}: waiting for it…`);
    told = true;
    await sleep(100);
  }
}

/** Locks this process holds: `withLock` inside `withLock` on the same path does not wait for itself. */
const held = new Set<string>();

/**
 * Runs `fn` holding the lock. Re-entrant within one process, so a command can hold the lock over
 * planning and applying (a concurrent run then plans after this one has written) while the apply
 * takes it too.
 */
export async function withLock<T>(
  lockPath: string,
  fn: () => Promise<T>,
  opts: LockOptions = {},
): Promise<T> {
  if (held.has(lockPath)) return fn();
  const lock = await acquireLock(lockPath, opts);
  held.add(lockPath);
  try {
    return await fn();
  } finally {
    held.delete(lockPath);
    await lock.release();
  }
}
