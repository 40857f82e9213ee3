/**
 * Writing command output: stdout, or a file written whole by the one safe writer
 * (util/write-output.ts: unpredictable O_EXCL temp beside the target, rename; links handled safely).
 */
import { writeFileSafely } from '../util/write-output.js';

export async function emit(text: string, file: string | undefined): Promise<void> {
  if (!file || file === '-') {
    process.stdout.write(text);
    return;
  }
  await writeFileSafely(file, text);
}

/** One line to stderr: progress and notes, never the command's result. */
export const note = (line: string): boolean => process.stderr.write(`${line}\n`);

/** A warning to stderr. */
export const warn = (line: string): boolean => process.stderr.write(`warning: ${line}\n`);

/** The command's result as JSON on stdout (--json). */
export const printJson = (value: unknown): boolean =>
  process.stdout.write(JSON.stringify(value, null, 2) + '\n');
