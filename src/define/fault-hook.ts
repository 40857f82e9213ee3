/**
 * Test hook for fault injection: with `VIRT_GEN_TEST_PAUSE_AT=STEP:MARKER`, `define` writes its pid
 * to MARKER when it reaches STEP and then waits, so that a test can kill -9 it at that exact point
 * and check that the next run converges. Steps: `host-written` (host files written, libvirt not yet
 * touched), `first-define` (defined, stamp without libvirt's hash), `stamp-define` (finished, the
 * report not printed). Unset, it costs one environment lookup.
 */
import { writeFile } from 'node:fs/promises';

export const PAUSE_AT_ENV = 'VIRT_GEN_TEST_PAUSE_AT';

export type FaultStep = 'host-written' | 'first-define' | 'stamp-define';

export async function pauseForTest(step: FaultStep): Promise<void> {
  const spec = process.env[PAUSE_AT_ENV];
  if (!spec) return;
  const at = spec.indexOf(':');
  if (spec.slice(0, at) !== step) return;
  await writeFile(spec.slice(at + 1), `${process.pid}\n`);
  await new Promise((resolve) => setTimeout(resolve, 60_000));
}
