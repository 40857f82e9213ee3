/**
 * Writing host files without ever leaving a torn one: a temporary file in the same directory, fsync,
 * rename over the original (atomic on POSIX file systems), fsync of the directory so the rename itself
 * survives a crash. Plus one backup of the original, and a lock against a concurrent run.
 */
import { constants, promises as fs } from 'node:fs';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { HostError } from './errors.js';

/**
 * Test hook: when set, `writeFileAtomic` creates this file after the temporary file is written and
 * synced, then waits before the rename, so a test can kill the process at that exact point.
 */
export const PAUSE_HOOK_ENV = 'VIRT_GEN_TEST_PAUSE_BEFORE_RENAME';

async function pauseForTest(): Promise<void> {
  const marker = process.env[PAUSE_HOOK_ENV];
  if (!marker) return;
  await fs.writeFile(marker, `${process.pid}\n`);
  await new Promise((resolve) => setTimeout(resolve, 60_000));
}

async function fsyncDir(dir: string): Promise<void> {
  const handle = await fs.open(dir, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

/** Mode and owner for the new file: the original's when it exists, so a 0600 qemu.conf stays 0600. */
async function targetAttributes(
  file: string,
  mode: number,
): Promise<{ mode: number; uid?: number; gid?: number }> {
  try {
    const st = await fs.stat(file);
    return { mode: st.mode & 0o7777, uid: st.uid, gid: st.gid };
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return { mode };
    throw err;
  }
}

async function writeTemp(
  tmp: string,
  data: string,
  attrs: { mode: number; uid?: number; gid?: number },
): Promise<void> {
  const handle = await fs.open(tmp, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL, attrs.mode);
  try {
    await handle.writeFile(data, 'utf8');
    // The umask may have narrowed the mode given to open().
    await handle.chmod(attrs.mode);
    if (attrs.uid !== undefined && attrs.gid !== undefined && process.getuid?.() === 0) {
      await handle.chown(attrs.uid, attrs.gid);
    }
    await handle.sync();
  } finally {
    await handle.close();
  }
}

const escapeRe = (s: string): string => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/**
 * Removes temporary files of runs that died between writing and renaming (`.NAME.virt-gen-PID-HEX.tmp`
 * of a PID that no longer runs). They start with a dot, so AppArmor's directory includes skip them.
 */
async function removeStaleTemps(file: string): Promise<void> {
  const dir = path.dirname(file);
  const re = new RegExp(`^\\.${escapeRe(path.basename(file))}\\.virt-gen-(\\d+)-[0-9a-f]+\\.tmp$`);
  for (const name of await fs.readdir(dir).catch(() => [] as string[])) {
    const m = re.exec(name);
    if (m && !processAlive(Number(m[1]))) await fs.rm(path.join(dir, name), { force: true });
  }
}

/** Replaces `file` with `data` atomically: a reader sees the old bytes or the new ones, never a mix. */
export async function writeFileAtomic(file: string, data: string, mode = 0o644): Promise<void> {
  const dir = path.dirname(file);
  await removeStaleTemps(file);
  const tmp = path.join(
    dir,
    `.${path.basename(file)}.virt-gen-${process.pid}-${randomBytes(4).toString('hex')}.tmp`,
  );
  const attrs = await targetAttributes(file, mode);
  try {
    await writeTemp(tmp, data, attrs);
    await pauseForTest();
    await fs.rename(tmp, file);
  } catch (err) {
    await fs.rm(tmp, { force: true });
    throw err;
  }
  await fsyncDir(dir);
}

export const BACKUP_SUFFIX = '.virt-gen.bak';

/**
 * Copies `file` to `file.virt-gen.bak` the first time only: the backup keeps the state from before
 * virt-gen ever touched the file. Returns the backup path when one was written now.
 */
export async function backupOnce(file: string): Promise<string | undefined> {
  const backup = file + BACKUP_SUFFIX;
  let data: Buffer;
  try {
    data = await fs.readFile(file);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw err;
  }
  const attrs = await targetAttributes(file, 0o600);
  let handle: fs.FileHandle;
  try {
    handle = await fs.open(backup, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL, attrs.mode);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'EEXIST') return undefined;
    throw err;
  }
  try {
    await handle.writeFile(data);
    await handle.chmod(attrs.mode);
    await handle.sync();
  } finally {
    await handle.close();
  }
  await fsyncDir(path.dirname(backup));
  return backup;
}

export interface Lock {
  path: string;
  release(): Promise<void>;
}

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    // EPERM: it exists but belongs to someone else.
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** A lock whose holder is gone: its pid is not running, or it holds no pid after a grace period. */
function isStale(text: string, mtimeMs: number): boolean {
  const pid = Number(text.trim().split('\n')[0]);
  if (Number.isInteger(pid) && pid > 0) return !processAlive(pid);
  // Created but not yet written by a live process, or left empty by a crashed one: give it a moment.
  return Date.now() - mtimeMs > 10_000;
}

/**
 * Removes a stale lock without removing a fresh one another run took meanwhile: the lock is renamed
 * to a private name first, and only deleted when it is still the file that was judged stale (same
 * inode); otherwise it is put back.
 */
async function breakStaleLock(lockPath: string): Promise<boolean> {
  const st = await fs.stat(lockPath).catch(() => undefined);
  if (!st) return true;
  const text = await fs.readFile(lockPath, 'utf8').catch(() => '');
  if (!isStale(text, st.mtimeMs)) return false;
  const aside = `${lockPath}.stale-${process.pid}-${randomBytes(4).toString('hex')}`;
  try {
    await fs.rename(lockPath, aside);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return true;
    throw err;
  }
  const moved = await fs.stat(aside);
  if (moved.ino !== st.ino) await fs.link(aside, lockPath).catch(() => undefined);
  await fs.rm(aside, { force: true });
  return moved.ino === st.ino;
}

async function createLock(lockPath: string): Promise<boolean> {
  try {
    const handle = await fs.open(lockPath, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL, 0o644);
    try {
      await handle.writeFile(`${process.pid}\n`);
      await handle.sync();
    } finally {
      await handle.close();
    }
    return true;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw err;
  }
}

/**
 * Takes the lock file (O_EXCL, holding our pid). A lock left by a dead process is removed and taken;
 * a live holder is an error naming its pid.
 */
export async function acquireLock(lockPath: string): Promise<Lock> {
  for (let attempt = 0; attempt < 3; attempt++) {
    if (await createLock(lockPath)) {
      return { path: lockPath, release: () => fs.rm(lockPath, { force: true }) };
    }
    if (!(await breakStaleLock(lockPath))) break;
  }
  const holder = (await fs.readFile(lockPath, 'utf8').catch(() => '')).trim();
  throw new HostError(
    `another virt-gen run (pid ${holder || 'unknown'}) is changing host files (lock ${lockPath}). ` +
      `Wait for it to finish; if no such process runs, remove the lock file.`,
    'host-locked',
  );
}

export async function withLock<T>(lockPath: string, fn: () => Promise<T>): Promise<T> {
  const lock = await acquireLock(lockPath);
  try {
    return await fn();
  } finally {
    await lock.release();
  }
}
