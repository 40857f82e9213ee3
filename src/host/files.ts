/**
 * Writing host files without ever leaving a torn one or losing the original.
 *
 * - Atomic replace: a temporary file in the target's own folder (an unpredictable name, created with
 *   O_EXCL|O_NOFOLLOW so nothing planted there is followed or reused), fsync, rename over the target,
 *   fsync of the folder. A reader, or a crash, sees the old bytes or the new ones.
 * - Backups are made the same way and published with link(2), which never replaces an existing
 *   name: the pristine backup `FILE.virt-gen.bak` appears whole or not at all and is never
 *   overwritten; later states get `FILE.virt-gen.<UTC time>.bak`.
 * - `restoreFiles` puts files back to given bytes (or removes files that were created): the rollback
 *   of a run that failed half-way, used by `applyHostPlan` and by `define`.
 *
 * Callers pass real paths already resolved inside the root (resolve.ts); the lock is in lock.ts.
 */
import { constants, promises as fs } from 'node:fs';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { readBounded } from '../util/read-bounded.js';
import { HOST_FILE_LIMIT } from './host-file.js';

/**
 * Test hook for fault injection: when `VIRT_GEN_TEST_PAUSE_AT` names a step (see `PauseStep`), the
 * run creates the file named by `VIRT_GEN_TEST_PAUSE_MARKER` the first time it reaches that step and
 * then waits, so a test can SIGKILL it at exactly that point.
 */
export const PAUSE_AT_ENV = 'VIRT_GEN_TEST_PAUSE_AT';
export const PAUSE_MARKER_ENV = 'VIRT_GEN_TEST_PAUSE_MARKER';
/** How long the pause lasts (ms, default 60 s): a test of a concurrent run lets it end by itself. */
export const PAUSE_MS_ENV = 'VIRT_GEN_TEST_PAUSE_MS';

/** The write steps of a host apply, in order, for each file. */
export const PAUSE_STEPS = [
  'locked',
  'backup-temp-written',
  'backup-published',
  'temp-written',
  'renamed',
  'file-done',
] as const;
export type PauseStep = (typeof PAUSE_STEPS)[number];

const paused = new Set<string>();

export async function pauseAt(step: PauseStep): Promise<void> {
  const marker = process.env[PAUSE_MARKER_ENV];
  if (process.env[PAUSE_AT_ENV] !== step || !marker || paused.has(step)) return;
  paused.add(step);
  const handle = await fs.open(
    marker,
    constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | constants.O_NOFOLLOW,
    0o600,
  );
  await handle.writeFile(`${process.pid}\n`);
  await handle.close();
  await new Promise((resolve) => setTimeout(resolve, Number(process.env[PAUSE_MS_ENV] ?? 60_000)));
}

export async function fsyncDir(dir: string): Promise<void> {
  const handle = await fs.open(dir, constants.O_RDONLY | constants.O_DIRECTORY);
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

interface Attributes {
  mode: number;
  uid?: number;
  gid?: number;
}

/** Mode and owner for the new file: the original's when it exists, so a 0600 qemu.conf stays 0600. */
async function targetAttributes(file: string, mode: number): Promise<Attributes> {
  try {
    const st = await fs.lstat(file);
    return { mode: st.mode & 0o7777, uid: st.uid, gid: st.gid };
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return { mode };
    throw err;
  }
}

/** `.NAME.virt-gen-PID-HEX.tmp`: hidden (AppArmor's folder includes skip dot files), unpredictable. */
function tempName(file: string): string {
  const name = `.${path.basename(file)}.virt-gen-${process.pid}-${randomBytes(8).toString('hex')}.tmp`;
  return path.join(path.dirname(file), name);
}

/** Creates a fresh temporary file next to `file` holding `data`, synced. */
async function writeTemp(file: string, data: Buffer, attrs: Attributes): Promise<string> {
  const tmp = tempName(file);
  const flags = constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | constants.O_NOFOLLOW;
  const handle = await fs.open(tmp, flags, attrs.mode);
  try {
    await handle.writeFile(data);
    // The umask may have narrowed the mode given to open().
    await handle.chmod(attrs.mode);
    if (attrs.uid !== undefined && attrs.gid !== undefined && process.getuid?.() === 0) {
      await handle.chown(attrs.uid, attrs.gid);
    }
    await handle.sync();
  } catch (err) {
    await fs.rm(tmp, { force: true });
    throw err;
  } finally {
    await handle.close();
  }
  return tmp;
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

const escapeRe = (s: string): string => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** Removes temporary files of runs that died before renaming them (their PID no longer runs). */
async function removeStaleTemps(file: string): Promise<void> {
  const dir = path.dirname(file);
  const re = new RegExp(`^\\.${escapeRe(path.basename(file))}\\.virt-gen-(\\d+)-[0-9a-f]+\\.tmp$`);
  for (const name of await fs.readdir(dir).catch(() => [] as string[])) {
    const m = re.exec(name);
    if (m && !processAlive(Number(m[1]))) await fs.rm(path.join(dir, name), { force: true });
  }
}

const toBuffer = (data: string | Buffer): Buffer =>
  typeof data === 'string' ? Buffer.from(data, 'utf8') : data;

/** Replaces `file` with `data` atomically: a reader sees the old bytes or the new ones, never a mix. */
export async function writeFileAtomic(file: string, data: string | Buffer, mode = 0o644): Promise<void> {
  const dir = path.dirname(file);
  await removeStaleTemps(file);
  const tmp = await writeTemp(file, toBuffer(data), await targetAttributes(file, mode));
  try {
    await pauseAt('temp-written');
    await fs.rename(tmp, file);
  } catch (err) {
    await fs.rm(tmp, { force: true });
    throw err;
  }
  await pauseAt('renamed');
  await fsyncDir(dir);
}

export const BACKUP_SUFFIX = '.virt-gen.bak';

/** `FILE.virt-gen.20261201T213000Z.bak`: a later state, named by when it was replaced. */
function timedBackupName(file: string, attempt: number): string {
  const stamp = new Date()
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.\d+Z$/, 'Z');
  return `${file}.virt-gen.${stamp}${attempt > 0 ? `-${attempt}` : ''}.bak`;
}

/** Publishes `tmp` under `name` unless that name exists; true when it was published. */
async function linkNew(tmp: string, name: string): Promise<boolean> {
  try {
    await fs.link(tmp, name);
    return true;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw err;
  }
}

/**
 * Keeps `bytes` (the file's content before a change) as a backup: as the pristine backup when there is
 * none yet, else under a timestamped name unless the pristine backup already holds these bytes.
 * Returns the backup written, if any.
 */
export async function backupBeforeChange(file: string, bytes: Buffer): Promise<string | undefined> {
  const pristine = file + BACKUP_SUFFIX;
  const existing = await readBounded(pristine, { limit: HOST_FILE_LIMIT, what: 'backup', noFollow: true });
  if (existing?.equals(bytes)) return undefined;
  const tmp = await writeTemp(file, bytes, await targetAttributes(file, 0o600));
  try {
    await pauseAt('backup-temp-written');
    let published: string | undefined;
    if (existing === undefined && (await linkNew(tmp, pristine))) published = pristine;
    for (let attempt = 0; !published && attempt < 100; attempt++) {
      const name = timedBackupName(file, attempt);
      if (await linkNew(tmp, name)) published = name;
    }
    await fsyncDir(path.dirname(file));
    await pauseAt('backup-published');
    return published;
  } finally {
    await fs.rm(tmp, { force: true });
  }
}

/** A file as it was before a run changed it: its bytes, or undefined when it did not exist. */
export interface FileSnapshot {
  /** The real path (under the root, links resolved). */
  file: string;
  bytes?: Buffer;
  /** Mode of the file, to restore with its bytes. */
  mode?: number;
}

/**
 * Puts each file back as it was: rewritten atomically with its old bytes, or removed when it did not
 * exist. Goes on after a failure and throws the first error at the end, so as much as possible is
 * restored. In reverse order, so a later change to the same file is undone first.
 */
export async function restoreFiles(snapshots: readonly FileSnapshot[]): Promise<void> {
  let first: unknown;
  for (const s of [...snapshots].reverse()) {
    try {
      if (s.bytes === undefined) await fs.rm(s.file, { force: true });
      else await writeFileAtomic(s.file, s.bytes, s.mode);
    } catch (err) {
      first ??= err;
    }
  }
  if (first !== undefined) throw first;
}

export { processAlive };
