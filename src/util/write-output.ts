/**
 * The one writer for files a user asks for (`xml -o`, `import -o`, `import --config`,
 * `discover --config`) and for virt-gen's own cache. The folder may be shared (a /tmp, a project
 * folder another user can write), so nothing there is trusted: the temporary file has an
 * unpredictable name and is created with O_EXCL|O_NOFOLLOW (a planted file or symlink is never
 * followed or reused), then renamed over the target, so a reader never sees half a file and a crash
 * leaves the old one. A target that is a symbolic link is written at the link's target, the link kept;
 * as root, only a link root owns is followed (a user's link must not steer root's write).
 */
import { VirtGenError } from './errors.js';
import { constants, promises as fs, type Stats } from 'node:fs';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { errnoWords, kindOf } from './read-bounded.js';

/** An output file that cannot be written; the message names it. */
export class OutputError extends VirtGenError {
  override readonly name = 'OutputError';
  constructor(
    message: string,
    readonly file: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

const euid = (): number => process.geteuid?.() ?? 0;

async function lstatOrUndefined(file: string): Promise<Stats | undefined> {
  try {
    return await fs.lstat(file);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw err;
  }
}

/** The file to replace: `file` itself, or the target of the symbolic link `file` is. */
async function target(file: string): Promise<{ real: string; st?: Stats }> {
  const st = await lstatOrUndefined(file);
  if (!st?.isSymbolicLink()) return st ? { real: file, st } : { real: file };
  if (euid() === 0 && st.uid !== 0) {
    throw new OutputError(
      `${file} is a symbolic link owned by uid ${st.uid}: as root, virt-gen does not write through ` +
        `another user's link. Remove it or choose another file`,
      file,
    );
  }
  const real = await fs.realpath(file).catch(() => undefined);
  if (real === undefined)
    throw new OutputError(`${file} is a symbolic link to nothing: remove it or fix it`, file);
  return { real, st: await fs.stat(real) };
}

async function writeTemp(tmp: string, data: Buffer, mode: number, owner?: Stats): Promise<void> {
  const flags = constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | constants.O_NOFOLLOW;
  const handle = await fs.open(tmp, flags, 0o600);
  try {
    await handle.writeFile(data);
    await handle.chmod(mode);
    if (owner && euid() === 0 && owner.uid !== 0) await handle.chown(owner.uid, owner.gid);
    await handle.sync();
  } finally {
    await handle.close();
  }
}

/**
 * Writes `data` to `file` as a whole (see the module comment). An existing target keeps its mode (and,
 * written by root, its owner); a new one gets `mode` (default 0644).
 */
export async function writeFileSafely(file: string, data: string | Buffer, mode = 0o644): Promise<void> {
  try {
    const { real, st } = await target(file);
    if (st && !st.isFile()) {
      throw new OutputError(`${file} is ${kindOf(st)}, not a regular file: choose another output file`, file);
    }
    const dir = path.dirname(real);
    const tmp = path.join(
      dir,
      `.${path.basename(real)}.virt-gen-${process.pid}-${randomBytes(8).toString('hex')}.tmp`,
    );
    const bytes = typeof data === 'string' ? Buffer.from(data, 'utf8') : data;
    try {
      await writeTemp(tmp, bytes, st ? st.mode & 0o7777 : mode, st);
      await fs.rename(tmp, real);
    } catch (err) {
      await fs.rm(tmp, { force: true });
      throw err;
    }
  } catch (err) {
    if (err instanceof OutputError) throw err;
    throw new OutputError(`cannot write ${file}: ${errnoWords(err)}`, file, { cause: err });
  }
}
