/** Unified diffs of planned file changes, as `git diff` would show them. */
import { createTwoFilesPatch } from 'diff';

/** `before` undefined means the file is new (`--- /dev/null`). */
export function unifiedDiff(hostPath: string, before: string | undefined, after: string): string {
  const rel = hostPath.replace(/^\/+/, '');
  const patch = createTwoFilesPatch(
    before === undefined ? '/dev/null' : `a/${rel}`,
    `b/${rel}`,
    before ?? '',
    after,
    undefined,
    undefined,
    { context: 3 },
  );
  // The package writes an `Index:`-less header starting with `===`; keep only the ---/+++ form.
  return patch.replace(/^={10,}\n/m, '');
}
