/**
 * Reading a file virt-gen did not write, without trusting it. A plain `readFile` follows a FIFO into a
 * read that never returns, reads `/dev/urandom` until memory runs out, and reports "no such file" and
 * "permission denied" the same way to a caller that only checks for failure. Here the file is checked
 * before it is opened (a device or FIFO is refused without being opened), opened non-blocking, checked
 * again on the open descriptor (the same inode, a regular file), and read up to a limit.
 */
import { VirtGenError } from './errors.js';
import { constants, promises as fs, type Stats } from 'node:fs';

export const MiB = 1024 * 1024;

/** A file that cannot be read as asked. `code` is stable for tests and `--json`. */
export class FileReadError extends VirtGenError {
  override readonly name = 'FileReadError';
  constructor(
    message: string,
    readonly code: 'not-regular' | 'too-large' | 'unreadable' | 'symlink',
    readonly file: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

export interface ReadBoundedOptions {
  /** Largest size accepted, in bytes. */
  limit: number;
  /** What the file is, for messages: `template`, `qemu.conf`. */
  what: string;
  /** Refuse a symbolic link as the last component (callers that resolved links themselves). */
  noFollow?: boolean;
}

/** What a non-regular file is, in words. */
export function kindOf(st: Stats): string {
  if (st.isDirectory()) return 'a directory';
  if (st.isFIFO()) return 'a FIFO (named pipe)';
  if (st.isCharacterDevice()) return 'a character device';
  if (st.isBlockDevice()) return 'a block device';
  if (st.isSocket()) return 'a socket';
  if (st.isSymbolicLink()) return 'a symbolic link';
  return 'not a regular file';
}

const ERRNO_WORDS: Record<string, string> = {
  EACCES: 'permission denied',
  EPERM: 'operation not permitted',
  ENOTDIR: 'a folder in its path is not a folder',
  ELOOP: 'too many levels of symbolic links',
  EISDIR: 'it is a directory',
  ENXIO: 'it is a socket or a device without a reader',
  EIO: 'input/output error',
  ENAMETOOLONG: 'the name is too long',
  EROFS: 'the file system is read-only',
  ENOSPC: 'no space left on the device',
  EDQUOT: 'the disk quota is exhausted',
  ENOENT: 'no such file or directory',
  EEXIST: 'it already exists',
};

/** `permission denied`, `input/output error`, … for an errno error; its code otherwise. */
export function errnoWords(err: unknown): string {
  const code = (err as NodeJS.ErrnoException).code ?? '';
  return ERRNO_WORDS[code] ?? (code || (err instanceof Error ? err.message : String(err)));
}

function unreadable(file: string, what: string, err: unknown): FileReadError {
  const code = (err as NodeJS.ErrnoException).code;
  if (code === 'ELOOP') {
    return new FileReadError(`${what} ${file} is a symbolic link here`, 'symlink', file, { cause: err });
  }
  return new FileReadError(`cannot read ${what} ${file}: ${errnoWords(err)}`, 'unreadable', file, {
    cause: err,
  });
}

function checkKind(file: string, what: string, st: Stats, limit: number): void {
  if (!st.isFile()) {
    throw new FileReadError(`${what} ${file} is ${kindOf(st)}, not a regular file`, 'not-regular', file);
  }
  if (st.size > limit) {
    throw new FileReadError(
      `${what} ${file} is ${st.size} bytes, more than the ${limit} bytes accepted`,
      'too-large',
      file,
    );
  }
}

async function readUpTo(handle: fs.FileHandle, file: string, what: string, limit: number): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let total = 0;
  for (;;) {
    const chunk = Buffer.alloc(64 * 1024);
    const { bytesRead } = await handle.read(chunk, 0, chunk.length, null);
    if (bytesRead === 0) return Buffer.concat(chunks, total);
    total += bytesRead;
    // The file grew after fstat: still refuse past the limit.
    if (total > limit) {
      throw new FileReadError(`${what} ${file} is more than the ${limit} bytes accepted`, 'too-large', file);
    }
    chunks.push(chunk.subarray(0, bytesRead));
  }
}

/**
 * The file's bytes, or undefined when it does not exist. Every other failure is an error naming the
 * file: unreadable, not a regular file, larger than `limit`.
 */
export async function readBounded(file: string, opts: ReadBoundedOptions): Promise<Buffer | undefined> {
  let before: Stats;
  try {
    before = opts.noFollow ? await fs.lstat(file) : await fs.stat(file);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw unreadable(file, opts.what, err);
  }
  if (opts.noFollow && before.isSymbolicLink()) throw unreadable(file, opts.what, { code: 'ELOOP' });
  checkKind(file, opts.what, before, opts.limit);
  const flags = constants.O_RDONLY | constants.O_NONBLOCK | (opts.noFollow ? constants.O_NOFOLLOW : 0);
  let handle: fs.FileHandle;
  try {
    handle = await fs.open(file, flags);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw unreadable(file, opts.what, err);
  }
  try {
    const st = await handle.stat();
    checkKind(file, opts.what, st, opts.limit);
    if (st.ino !== before.ino || st.dev !== before.dev) {
      throw new FileReadError(`${opts.what} ${file} was replaced while being read`, 'unreadable', file);
    }
    return await readUpTo(handle, file, opts.what, opts.limit);
  } catch (err) {
    if (err instanceof FileReadError) throw err;
    throw unreadable(file, opts.what, err);
  } finally {
    await handle.close();
  }
}
