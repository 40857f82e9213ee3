/**
 * Where `define` keeps what a user may need later: backups of replaced definitions, and a copy of
 * what libvirt held right after virt-gen's last define (to show exactly what a hand edit changed).
 * Files are 0600 in 0700 directories: a secure dump can hold graphics passwords.
 */
import { mkdir, open } from 'node:fs/promises';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { writeFileSafely } from '../util/write-output.js';

/** `/var/lib/virt-gen` for root, else `$XDG_STATE_HOME/virt-gen` (default `~/.local/state/virt-gen`). */
export function defaultStateDir(env: NodeJS.ProcessEnv = process.env, uid = process.getuid?.() ?? 0): string {
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

/** Replaces the record of what libvirt held after virt-gen's define (temp file + rename). */
export async function writeDefinedRecord(stateDir: string, uuid: string, xml: string): Promise<string> {
  const path = definedRecordPath(stateDir, uuid);
  await mkdir(join(stateDir, 'defined'), { recursive: true, mode: 0o700 });
  await writeFileSafely(path, xml, 0o600);
  return path;
}
