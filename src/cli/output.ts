/**
 * Writing command output: stdout, or a file written whole by the one safe writer for user files
 * (src/util/write-output.ts: an unpredictable O_EXCL|O_NOFOLLOW temp beside the target, renamed over
 * it; no planted link followed; no half-written file ever seen under the target's name).
 */
import { writeFileSafely } from '../util/write-output.js';

export async function emit(text: string, file: string | undefined): Promise<void> {
  if (!file || file === '-') {
    process.stdout.write(text);
    return;
  }
  await writeFileAtomic(file, text);
}

/** Replaces (or creates) `file` with `text` atomically, with mode 0644 (an existing file keeps its own). */
export async function writeFileAtomic(file: string, text: string): Promise<void> {
  await writeFileSafely(file, text);
}

/** One line to stderr: progress and notes, never the command's result. */
export const note = (line: string): boolean => process.stderr.write(`${line}\n`);

/** A warning to stderr. */
export const warn = (line: string): boolean => process.stderr.write(`warning: ${line}\n`);

/** The command's result as JSON on stdout (--json). */
export const printJson = (value: unknown): boolean =>
  process.stdout.write(JSON.stringify(value, null, 2) + '\n');
