/**
 * Where `define` keeps what a user may need later: backups of replaced definitions, and the base of
 * the three-way merge: what libvirt held right after virt-gen's last define, and the XML virt-gen
 * defined then (the config's side). Files are 0600 in 0700 directories: a secure dump can hold
 * graphics passwords.
 */
import { randomBytes } from 'node:crypto';
import { mkdir, open, readFile, rename, rm } from 'node:fs/promises';
import { homedir } from 'node:os';
import { join } from 'node:path';

/** Overrides the state directory for anyone (tests, image builds): an absolute path. */
export const STATE_DIR_ENV = 'VIRT_GEN_STATE_DIR';

/**
 * `$VIRT_GEN_STATE_DIR` when set; else `/var/lib/virt-gen` for root, else `$XDG_STATE_HOME/virt-gen`
 * (default `~/.local/state/virt-gen`).
 */
export function defaultStateDir(env: NodeJS.ProcessEnv = process.env, uid = process.getuid?.() ?? 0): string {
  const explicit = env[STATE_DIR_ENV];
  if (explicit !== undefined && explicit.startsWith('/')) return explicit;
  if (uid === 0) return '/var/lib/virt-gen';
  const xdg = env.XDG_STATE_HOME;
  const base =
    xdg !== undefined && xdg.startsWith('/') ? xdg : join(env.HOME ?? homedir(), '.local', 'state');
  return join(base, 'virt-gen');
}

/** Domain names may contain almost anything libvirt allows except '/': keep file names plain. */
function fileSafe(name: string): string {
  return name.replace(/[^A-Za-z0-9._-]/g, '_');
}

/** 2026-01-02T03:04:05.678Z -> 20260102T030405.678Z: sortable, no ':' (awkward in file names). */
function stampOf(now: Date): string {
  return now.toISOString().replace(/[-:]/g, '');
}

/**
 * Writes `xml` to `<dir>/<name>-<timestamp>.xml` without ever overwriting an existing file, and
 * returns the path.
 */
export async function writeBackup(dir: string, name: string, xml: string, now = new Date()): Promise<string> {
  await mkdir(dir, { recursive: true, mode: 0o700 });
  const base = join(dir, `${fileSafe(name)}-${stampOf(now)}`);
  for (let n = 0; ; n++) {
    const path = n === 0 ? `${base}.xml` : `${base}-${n}.xml`;
    try {
      const file = await open(path, 'wx', 0o600);
      try {
        await file.writeFile(xml);
        await file.sync();
      } finally {
        await file.close();
      }
      return path;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST' || n >= 100) throw err;
    }
  }
}

export function definedRecordPath(stateDir: string, uuid: string): string {
  return join(stateDir, 'defined', `${fileSafe(uuid)}.xml`);
}

/** The XML virt-gen defined (stamp, UUID and MACs included): the config's side of the base. */
export function generatedRecordPath(stateDir: string, uuid: string): string {
  return join(stateDir, 'defined', `${fileSafe(uuid)}.generated.xml`);
}

/** The base of the next three-way merge: libvirt's copy and virt-gen's XML after a define. */
export interface Base {
  libvirt: string;
  generated: string;
}

/** Replaces the records of a define (each with a private temp file + rename). */
export async function writeBase(stateDir: string, uuid: string, base: Base): Promise<void> {
  await mkdir(join(stateDir, 'defined'), { recursive: true, mode: 0o700 });
  await replaceFile(generatedRecordPath(stateDir, uuid), base.generated);
  await replaceFile(definedRecordPath(stateDir, uuid), base.libvirt);
}

/** Replaces the record of what libvirt held after virt-gen's define. */
export async function writeDefinedRecord(stateDir: string, uuid: string, xml: string): Promise<string> {
  const path = definedRecordPath(stateDir, uuid);
  await mkdir(join(stateDir, 'defined'), { recursive: true, mode: 0o700 });
  await replaceFile(path, xml);
  return path;
}

/** Both records, or undefined when either is missing. */
export async function readBase(stateDir: string, uuid: string): Promise<Base | undefined> {
  try {
    const [libvirt, generated] = await Promise.all([
      readFile(definedRecordPath(stateDir, uuid), 'utf8'),
      readFile(generatedRecordPath(stateDir, uuid), 'utf8'),
    ]);
    return { libvirt, generated };
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw err;
  }
}

/** An unpredictable temp name, opened O_EXCL (never through a planted link), synced, renamed. */
async function replaceFile(path: string, text: string): Promise<void> {
  const temp = `${path}.${randomBytes(8).toString('hex')}.tmp`;
  const file = await open(temp, 'wx', 0o600);
  try {
    await file.writeFile(text);
    await file.sync();
  } catch (err) {
    await file.close();
    await rm(temp, { force: true });
    throw err;
  }
  await file.close();
  await rename(temp, path);
}
