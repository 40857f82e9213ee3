/** Writing command output: stdout, or a file written whole (never a half-written file). */
import { rename, writeFile } from 'node:fs/promises';

export async function emit(text: string, file: string | undefined): Promise<void> {
  if (!file || file === '-') {
    process.stdout.write(text);
    return;
  }
  const tmp = `${file}.${process.pid}.tmp`;
  await writeFile(tmp, text);
  await rename(tmp, file);
}

/** A generation note as one line: `warning: cpu.pin: …` or `note: hugepages: …`. */
export function formatNote(note: { level: 'info' | 'warning'; field: string; message: string }): string {
  return `${note.level === 'warning' ? 'warning' : 'note'}: ${note.field}: ${note.message}`;
}
