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

/** A generation note as one line: `warning: cpu.pin: …` or `note: hugepages: …`. */
export function formatNote(note: { level: 'info' | 'warning'; field: string; message: string }): string {
  return `${note.level === 'warning' ? 'warning' : 'note'}: ${note.field}: ${note.message}`;
}
