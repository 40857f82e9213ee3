/**
 * Resolving a host path under `--root` the way the kernel would inside a chroot: a symlinked qemu.conf
 * or AppArmor file is followed to its target (so the target is what gets written and the link stays a
 * link), an absolute link target starts again at the root, and `..` stops at the root. A link can
 * therefore never lead a read or a write outside the root, whatever the links in it say.
 *
 * The walk is done component by component with lstat/readlink; `fs.realpath` cannot be used, as it
 * would resolve absolute targets against the real `/`.
 */
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { HostError } from './errors.js';

/** Linux's limit on links followed in one lookup (MAXSYMLINKS). */
const MAX_LINKS = 40;

export interface ResolvedPath {
  /** The path as seen inside the root, links resolved: `/etc/libvirt/qemu.conf`. */
  hostPath: string;
  /** The same path on this machine: `ROOT/etc/libvirt/qemu.conf`. */
  real: string;
  /** Whether any symbolic link was followed. */
  viaLink: boolean;
}

const parts = (p: string): string[] => p.split('/').filter((s) => s !== '' && s !== '.');

async function lstatOrMissing(file: string, hostPath: string): Promise<import('node:fs').Stats | undefined> {
  try {
    return await fs.lstat(file);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return undefined;
    const why = code === 'ENOTDIR' ? 'a folder in its path is not a folder' : (code ?? String(err));
    throw new HostError(`cannot resolve ${hostPath}: ${why}`, 'host-path', { cause: err });
  }
}

/**
 * Resolves host path `p` (absolute, as on the host) under `root`. Components that do not exist yet are
 * kept as they are (a file about to be created); `..` after them is applied lexically, still bounded.
 */
export async function resolveInRoot(root: string, p: string): Promise<ResolvedPath> {
  const rootAbs = path.resolve(root);
  let done: string[] = [];
  let todo = parts(p);
  let links = 0;
  let missing = false;
  while (todo.length > 0) {
    const part = todo.shift() as string;
    if (part === '..') {
      done.pop();
      continue;
    }
    const here = path.join(rootAbs, ...done, part);
    const st = missing ? undefined : await lstatOrMissing(here, p);
    if (!st) missing = true;
    if (st?.isSymbolicLink()) {
      if (++links > MAX_LINKS)
        throw new HostError(`cannot resolve ${p}: too many symbolic links`, 'host-path');
      const target = await fs.readlink(here);
      todo = [...parts(target), ...todo];
      if (target.startsWith('/')) done = [];
      continue;
    }
    done.push(part);
  }
  const hostPath = '/' + done.join('/');
  return { hostPath, real: path.join(rootAbs, ...done), viaLink: links > 0 };
}
