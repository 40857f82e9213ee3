/**
 * Writing command output: stdout, or a file written whole by the one safe writer
 * (util/write-output.ts: unpredictable O_EXCL temp beside the target, rename; links handled safely).
 */
export async function emit(text: string, file: string | undefined): Promise<void> {
  if (!file || file === '-') {
    process.stdout.write(text);
    return;
  }
  // Loaded only for a file: it brings node:crypto, which `virt-gen xml` to stdout never needs.
  const { writeFileSafely } = await import('../util/write-output.js');
  await writeFileSafely(file, text);
}

/** A generation note as one line: `warning: cpu.pin: …` or `note: hugepages: …`. */
export function formatNote(note: { level: 'info' | 'warning'; field: string; message: string }): string {
  return `${note.level === 'warning' ? 'warning' : 'note'}: ${note.field}: ${note.message}`;
}
