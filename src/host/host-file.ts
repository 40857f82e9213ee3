/**
 * Reading the host files virt-gen patches (qemu.conf, AppArmor files), strictly: unlike the sysfs
 * reads in read.ts, where "unreadable" means "unknown", here an unreadable file is an error. Treating
 * it as absent would replace a qemu.conf that a non-root run cannot read with a fresh one, without a
 * backup. Links are resolved inside the root (resolve.ts); special files and files over libvirt's own
 * size limit are refused.
 *
 * Patches work on text, but the file's bytes are what must survive: a file that is not valid UTF-8 is
 * decoded as Latin-1 (one character per byte), so that encoding it back gives the same bytes outside
 * the patch.
 */
import { errnoWords, FileReadError, MiB, readBounded } from '../util/read-bounded.js';
import { HostError } from './errors.js';
import { resolveInRoot, type ResolvedPath } from './resolve.js';

/**
 * libvirt refuses a config file over 10 MiB (`MAX_CONFIG_FILE_SIZE` in src/util/virconf.c, read with
 * `virFileReadAll`); the same limit serves for AppArmor files, which are smaller still.
 */
export const HOST_FILE_LIMIT = 10 * MiB;

export type TextEncoding = 'utf8' | 'latin1';

export interface HostFile extends ResolvedPath {
  /** The bytes; undefined when the file does not exist. */
  bytes?: Buffer;
}

export interface HostText {
  text: string;
  encoding: TextEncoding;
}

/** Text that encodes back to exactly `bytes`: UTF-8 when the bytes are valid UTF-8, else Latin-1. */
export function decodeExact(bytes: Buffer): HostText {
  const text = bytes.toString('utf8');
  if (Buffer.from(text, 'utf8').equals(bytes)) return { text, encoding: 'utf8' };
  return { text: bytes.toString('latin1'), encoding: 'latin1' };
}

/** The bytes of `text` in `encoding`; refuses what Latin-1 cannot carry instead of mangling it. */
export function encodeText(text: string, encoding: TextEncoding | undefined, file: string): Buffer {
  if (encoding !== 'latin1') return Buffer.from(text, 'utf8');
  if ([...text].some((c) => (c.codePointAt(0) as number) > 0xff)) {
    throw new HostError(
      `${file} is not UTF-8 (Latin-1 bytes), and the change adds characters Latin-1 cannot hold: ` +
        `convert the file to UTF-8 first (nothing was changed)`,
      'host-encoding',
    );
  }
  return Buffer.from(text, 'latin1');
}

/** Reads host file `p` under `root`, links resolved inside the root. Errors name the file. */
export async function readHostFile(root: string, p: string): Promise<HostFile> {
  const resolved = await resolveInRoot(root, p);
  const shown = resolved.viaLink ? `${p} (-> ${resolved.hostPath})` : p;
  try {
    const bytes = await readBounded(resolved.real, {
      limit: HOST_FILE_LIMIT,
      what: 'host file',
      noFollow: true,
    });
    return bytes === undefined ? resolved : { ...resolved, bytes };
  } catch (err) {
    if (!(err instanceof FileReadError)) throw err;
    const message = err.message.replace(resolved.real, shown);
    throw new HostError(`${message} (nothing was changed)`, `host-file-${err.code}`, { cause: err });
  }
}

/** Reads host file `p` as text (see decodeExact); undefined text when it does not exist. */
export async function readHostText(
  root: string,
  p: string,
): Promise<ResolvedPath & { text?: string; encoding: TextEncoding }> {
  const file = await readHostFile(root, p);
  const { bytes, ...resolved } = file;
  if (bytes === undefined) return { ...resolved, encoding: 'utf8' };
  return { ...resolved, ...decodeExact(bytes) };
}

/** Where a write says more than errnoWords (a hint, the writer's view); the rest falls back to it. */
const WRITE_WORDS: Record<string, string> = {
  EACCES: 'permission denied (run it as root, e.g. with sudo)',
  EPERM: 'operation not permitted (run it as root, e.g. with sudo; an immutable file?)',
  EISDIR: 'a directory is in the way',
  EEXIST: 'a file is in the way',
  EXDEV: 'the temporary file landed on another file system',
};

/** An errno error while changing `file`, as a HostError that says what happened. */
export function writeError(err: unknown, file: string, action = 'write'): unknown {
  if (err instanceof HostError) return err;
  const code = (err as NodeJS.ErrnoException).code;
  if (code === undefined) return err;
  const words = WRITE_WORDS[code] ?? errnoWords(err);
  return new HostError(`cannot ${action} ${file}: ${words}`, `host-${code.toLowerCase()}`, { cause: err });
}
