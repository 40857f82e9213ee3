/**
 * Applying a host plan with its regeneration commands (a failing one undoes the apply: files, backups,
 * record), and `virt-gen host revert`: every file virt-gen changed back to its bytes from before
 * virt-gen (the pristine backup renamed over it), every file and directory it created removed.
 */
import { promises as fs } from 'node:fs';
import { HostError } from './errors.js';
import { BACKUP_SUFFIX } from './files.js';
import { writeError } from './host-file.js';
import { LEDGER_PATH, readLedger, removeCreatedDirs } from './ledger.js';
import { applyHostPlan, withHostLock, type ApplyOptions, type ApplyResult, type HostPlan } from './plan.js';
import { underRoot } from './read.js';
import { describeFailure, runRegeneration, runsRegeneration, type RegenRun } from './regenerate.js';

export interface HostApplyResult extends ApplyResult {
  /** Commands run (live host), or undefined when they are left to the user. */
  runs?: RegenRun[];
}

function failureMessage(runs: readonly RegenRun[]): string {
  const failed = runs[runs.length - 1] as RegenRun;
  const done = runs.filter((r) => r.ok).map((r) => r.argv.join(' '));
  // applyHostPlan's rollback adds that the files were restored.
  return (
    describeFailure(failed) +
    (done.length > 0
      ? `; ${done.join(', ')} had already run on the new files: run it again after fixing this`
      : '')
  );
}

/**
 * Writes the plan (plan.ts: lock, backups, atomic, recorded for revert), then, on the live host, runs
 * the regeneration commands under the same lock; a failing one undoes the apply.
 */
export async function applyHost(
  plan: HostPlan,
  root: string,
  show: (line: string) => void,
  opts: ApplyOptions = {},
): Promise<HostApplyResult> {
  let runs: RegenRun[] | undefined;
  const afterWrite = async (): Promise<void> => {
    if (plan.regenerate.length === 0 || !runsRegeneration(root)) return;
    runs = await runRegeneration(plan.regenerate, show);
    if (!runs.every((r) => r.ok)) throw new HostError(failureMessage(runs), 'host-regenerate');
  };
  const result = await applyHostPlan(plan, root, { ...opts, afterWrite });
  return runs ? { ...result, runs } : result;
}

export interface RevertResult {
  removed: string[];
  restored: string[];
  /** Changed files whose backup is gone: left as they are. */
  missingBackup: string[];
  regenerate: string[][];
}

async function revertFile(root: string, p: string, created: boolean, out: RevertResult): Promise<void> {
  const file = underRoot(root, p);
  try {
    if (created) {
      await fs.rm(file, { force: true });
      out.removed.push(p);
      return;
    }
    // The backup holds the original bytes and mode: renaming it back is atomic and exact.
    await fs.rename(file + BACKUP_SUFFIX, file);
    out.restored.push(p);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw writeError(err, p, 'restore');
    out.missingBackup.push(p);
  }
}

/** Every recorded change undone, newest first; the record itself and the directories made removed. */
export async function revertHost(root: string, opts: ApplyOptions = {}): Promise<RevertResult> {
  return withHostLock(
    root,
    async () => {
      const ledger = await readLedger(root);
      const out: RevertResult = {
        removed: [],
        restored: [],
        missingBackup: [],
        regenerate: ledger.regenerate,
      };
      for (const f of [...ledger.files].reverse()) await revertFile(root, f.path, f.created, out);
      await fs.rm(underRoot(root, LEDGER_PATH), { force: true });
      await removeCreatedDirs(root, ledger.dirs ?? []);
      return out;
    },
    opts,
  );
}
