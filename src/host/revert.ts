/**
 * Applying a host plan with its regeneration commands, putting the files back when a command fails,
 * and `virt-gen host revert`: every file virt-gen changed back to its bytes from before virt-gen (the
 * pristine backup renamed over it), every file it created removed.
 */
import { promises as fs } from 'node:fs';
import { HostError } from './errors.js';
import { BACKUP_SUFFIX, withLock, writeFileAtomic } from './files.js';
import { LEDGER_PATH, parseLedger, readLedger } from './ledger.js';
import { applyHostPlan, LOCK_PATH, permissionError, type ApplyResult, type HostPlan } from './plan.js';
import { underRoot } from './read.js';
import { describeFailure, runRegeneration, runsRegeneration, type RegenRun } from './regenerate.js';

export interface HostApplyResult extends ApplyResult {
  /** Commands run (live host), or undefined when they are left to the user. */
  runs?: RegenRun[];
}

/** Undoes this run's writes: files back to `before` (or removed), this run's backups and ledger too. */
async function putBack(
  root: string,
  plan: HostPlan,
  result: ApplyResult,
  ledgerBefore?: string,
): Promise<void> {
  for (const c of [...plan.changes].reverse()) {
    const file = underRoot(root, c.path);
    if (!result.written.includes(file)) continue;
    if (c.before === undefined) await fs.rm(file, { force: true });
    else await writeFileAtomic(file, c.before, c.mode);
  }
  for (const b of result.backups) await fs.rm(b, { force: true });
  const ledger = underRoot(root, LEDGER_PATH);
  const madeNow = (await readLedger(root)).dirs ?? [];
  const madeBefore = new Set(parseLedger(ledgerBefore).dirs ?? []);
  if (ledgerBefore === undefined) await fs.rm(ledger, { force: true });
  else await writeFileAtomic(ledger, ledgerBefore, 0o644);
  await removeCreatedDirs(
    root,
    madeNow.filter((d) => !madeBefore.has(d)),
  );
}

function failureMessage(runs: readonly RegenRun[]): string {
  const failed = runs[runs.length - 1] as RegenRun;
  const done = runs.filter((r) => r.ok).map((r) => r.argv.join(' '));
  return (
    `${describeFailure(failed)}; every file virt-gen wrote is back as it was, nothing else changed` +
    (done.length > 0
      ? `, except that ${done.join(', ')} already ran: run it again to rebuild from the restored files`
      : '') +
    '. Fix the cause shown above and apply again.'
  );
}

/**
 * Writes the plan (files.ts: lock, backups, atomic; recorded for revert), then, on the live host,
 * runs the regeneration commands; a failing one puts every file back.
 */
export async function applyHost(
  plan: HostPlan,
  root: string,
  show: (line: string) => void,
): Promise<HostApplyResult> {
  let runs: RegenRun[] | undefined;
  const result = await applyHostPlan(plan, root, async (written, ledgerBefore) => {
    if (plan.regenerate.length === 0 || !runsRegeneration(root)) return;
    runs = await runRegeneration(plan.regenerate, show);
    if (runs.every((r) => r.ok)) return;
    await putBack(root, plan, written, ledgerBefore);
    throw new HostError(failureMessage(runs), 'host-regenerate');
  });
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
  if (created) {
    await fs.rm(file, { force: true });
    out.removed.push(p);
    return;
  }
  try {
    // The backup holds the original bytes and mode: renaming it back is atomic and exact.
    await fs.rename(file + BACKUP_SUFFIX, file);
    out.restored.push(p);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
    out.missingBackup.push(p);
  }
}

/** Directories virt-gen created, deepest first, each only when empty (someone may have used it since). */
async function removeCreatedDirs(root: string, dirs: readonly string[]): Promise<void> {
  for (const d of [...dirs].sort((a, b) => b.length - a.length)) {
    await fs.rmdir(underRoot(root, d)).catch((err: NodeJS.ErrnoException) => {
      if (err.code !== 'ENOENT' && err.code !== 'ENOTEMPTY' && err.code !== 'EEXIST') throw err;
    });
  }
}

/** Every recorded change undone, newest first; the record itself removed. */
export async function revertHost(root: string): Promise<RevertResult> {
  const lockPath = underRoot(root, LOCK_PATH);
  try {
    await fs.mkdir(underRoot(root, '/run/lock'), { recursive: true });
    return await withLock(lockPath, async () => {
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
    });
  } catch (err) {
    throw permissionError(err, 'revert') ?? err;
  }
}
