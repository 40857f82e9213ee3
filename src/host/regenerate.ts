/**
 * Running the commands that turn boot-time files into what the next boot reads (update-initramfs,
 * update-grub, mkinitcpio -P, dracut, kernelstub): only on the running host as root, through execa
 * with argument arrays (no shell), output shown, stopping at the first failure. Under another root
 * they are printed instead: the host's own tools would act on the host's /boot, not the root's.
 */
import { execa } from 'execa';
import path from 'node:path';
import type { RegenCommand } from './layer.js';

/**
 * Test hook: when set to 1, the commands run under any --root (tests give a PATH of stub commands),
 * so the run-and-put-back path is tested without touching the real /boot.
 */
export const REGENERATE_ANY_ROOT_ENV = 'VIRT_GEN_TEST_REGENERATE_ANY_ROOT';

export interface RegenRun {
  argv: string[];
  ok: boolean;
  exitCode?: number;
  output: string;
}

/** Whether apply runs the commands itself (live host, as root) or leaves them to the user. */
export function runsRegeneration(root: string): boolean {
  if (process.env[REGENERATE_ANY_ROOT_ENV] === '1') return true;
  return path.resolve(root) === '/' && process.getuid?.() === 0;
}

/** Runs the commands in order until one fails; `show` gets each command's output as it ends. */
export async function runRegeneration(
  cmds: readonly RegenCommand[],
  show: (line: string) => void,
): Promise<RegenRun[]> {
  const runs: RegenRun[] = [];
  for (const c of cmds) {
    const [file = '', ...args] = c.argv;
    show(`running: ${c.argv.join(' ')}`);
    // initramfs builds take minutes on slow disks; a hung one must not hold the lock forever.
    const r = await execa(file, args, { reject: false, all: true, timeout: 30 * 60_000, stdin: 'ignore' });
    const output = String(r.all ?? '').trimEnd();
    if (output !== '') show(output);
    const run: RegenRun = { argv: c.argv, ok: r.exitCode === 0, output };
    if (r.exitCode !== undefined) run.exitCode = r.exitCode;
    runs.push(run);
    if (!run.ok) break;
  }
  return runs;
}

/** One line for a failed run: the command, how it ended. */
export function describeFailure(run: RegenRun): string {
  if (run.exitCode === undefined) return `${run.argv.join(' ')} could not run (not installed, or timed out)`;
  return `${run.argv.join(' ')} exited with status ${run.exitCode}`;
}
