/**
 * Fault injection in `define`, with the host writer's convention (host/files.ts): when
 * `VIRT_GEN_TEST_PAUSE_AT` names one of these steps, the run creates the file named by
 * `VIRT_GEN_TEST_PAUSE_MARKER` (with its pid) when it gets there and waits, so that a test can
 * kill -9 it at that exact point and check that the next run converges. Steps: `host-written`
 * (host files written, libvirt not yet touched), `first-define` (defined, stamp without libvirt's
 * hash), `stamp-define` (finished, the report not printed).
 */
import { writeFile } from 'node:fs/promises';
import { PAUSE_AT_ENV, PAUSE_MARKER_ENV } from '../host/files.js';

export type FaultStep = 'host-written' | 'first-define' | 'stamp-define';

export async function pauseForTest(step: FaultStep): Promise<void> {
  const marker = process.env[PAUSE_MARKER_ENV];
  if (process.env[PAUSE_AT_ENV] !== step || !marker) return;
  await writeFile(marker, `${process.pid}\n`, { flag: 'wx', mode: 0o600 });
  await new Promise((resolve) => setTimeout(resolve, 60_000));
}
