/**
 * Writing command output: stdout, or a file written whole. The temp file sits beside the target
 * (same file system, so the rename is atomic), has an unpredictable name and is created with
 * O_EXCL (`wx`): a link planted in a shared folder is never followed, and no half-written file is
 * ever seen under the target's name.
 */
import { randomBytes } from 'node:crypto';
import { open, rename, rm } from 'node:fs/promises';
import path from 'node:path';
import { VirtGenError } from '../util/errors.js';
import { errnoText } from './errors.js';

export async function emit(text: string, file: string | undefined): Promise<void> {
  if (!file || file === '-') {
    process.stdout.write(text);
    return;
  }
  await writeFileAtomic(file, text);
}

/** Replaces (or creates) `file` with `text` atomically, with mode 0644 less the umask. */
export async function writeFileAtomic(file: string, text: string): Promise<void> {
  try {
    await replace(file, text);
  } catch (err) {
    throw new VirtGenError(`cannot write ${file}: ${errnoText(err)}`, { cause: err });
  }
}

async function replace(file: string, text: string): Promise<void> {
  const tmp = path.join(path.dirname(file), `.${path.basename(file)}.${randomBytes(8).toString('hex')}.tmp`);
  const handle = await open(tmp, 'wx', 0o644);
  try {
    await handle.writeFile(text);
    await handle.sync();
    await handle.close();
    await rename(tmp, file);
  } catch (err) {
    await handle.close().catch(() => undefined);
    await rm(tmp, { force: true });
    throw err;
  }
}

/** One line to stderr: progress and notes, never the command's result. */
export const note = (line: string): boolean => process.stderr.write(`${line}\n`);

/** A warning to stderr. */
export const warn = (line: string): boolean => process.stderr.write(`warning: ${line}\n`);

/** The command's result as JSON on stdout (--json). */
export const printJson = (value: unknown): boolean =>
  process.stdout.write(JSON.stringify(value, null, 2) + '\n');
