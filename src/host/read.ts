/**
 * Reading host files under a root directory (`--root`). Every read tolerates what sysfs does on a
 * real host: a file that is absent (older kernel, no such device) or unreadable for this user
 * (root-only attributes) is `undefined`, not an error; the deciding code treats it as unknown.
 */
import { promises as fs } from 'node:fs';
import path from 'node:path';

/** The path of host path `p` (absolute, as on the host) under `root`. */
export function underRoot(root: string, p: string): string {
  return path.join(root, p);
}

function isMissing(err: unknown): boolean {
  const code = (err as NodeJS.ErrnoException).code;
  return (
    code === 'ENOENT' || code === 'ENOTDIR' || code === 'EACCES' || code === 'EPERM' || code === 'EINVAL'
  );
}

async function orUndefined<T>(op: () => Promise<T>): Promise<T | undefined> {
  try {
    return await op();
  } catch (err) {
    if (isMissing(err)) return undefined;
    throw err;
  }
}

/** The file's text, or undefined when it is absent or unreadable. */
export function readText(root: string, p: string): Promise<string | undefined> {
  return orUndefined(() => fs.readFile(underRoot(root, p), 'utf8'));
}

/** The file's text without the trailing newline and blanks sysfs adds. */
export async function readTrimmed(root: string, p: string): Promise<string | undefined> {
  return (await readText(root, p))?.trim();
}

/** A decimal or `0x` hex number from a sysfs attribute. */
export async function readNumber(root: string, p: string): Promise<number | undefined> {
  const text = await readTrimmed(root, p);
  if (text === undefined || text === '') return undefined;
  const n = Number(text);
  return Number.isFinite(n) ? n : undefined;
}

/** The last path component a symlink points to (sysfs `driver`, `iommu_group`). */
export async function readLinkName(root: string, p: string): Promise<string | undefined> {
  const target = await orUndefined(() => fs.readlink(underRoot(root, p)));
  return target === undefined ? undefined : path.basename(target);
}

/** Directory entries, sorted; empty when the directory is absent. */
export async function listDir(root: string, p: string): Promise<string[]> {
  const names = await orUndefined(() => fs.readdir(underRoot(root, p)));
  return (names ?? []).sort();
}

export async function pathExists(root: string, p: string): Promise<boolean> {
  return (await orUndefined(() => fs.lstat(underRoot(root, p)))) !== undefined;
}

/** lstat-like facts of a path, or undefined. Follows symlinks (a device node may be one). */
export async function statPath(root: string, p: string): Promise<import('node:fs').Stats | undefined> {
  return orUndefined(() => fs.stat(underRoot(root, p)));
}
