/**
 * What virt-gen changed on a host, so `virt-gen host revert` can undo exactly that: the files it
 * created (removed on revert) and the files it changed (restored from their pristine
 * `FILE.virt-gen.bak`, which files.ts writes once and never overwrites), plus the commands that
 * rebuild what the next boot reads. Written under the host lock, atomically, as JSON.
 */
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { HostError } from './errors.js';
import { randomBytes } from 'node:crypto';
import type { HostPlan } from './plan.js';
import { pathExists, readText, underRoot } from './read.js';

export const LEDGER_PATH = '/var/lib/virt-gen/host-files.json';

export interface LedgerEntry {
  /** Host path, e.g. `/etc/modprobe.d/virt-gen-vfio.conf`. */
  path: string;
  /** virt-gen created it (revert removes it); otherwise it is restored from its backup. */
  created: boolean;
}

export interface Ledger {
  version: 1;
  files: LedgerEntry[];
  /** Commands to run after the files are reverted, as argument arrays. */
  regenerate: string[][];
  /** Directories virt-gen created for its files (removed on revert when empty). */
  dirs?: string[];
}

const empty = (): Ledger => ({ version: 1, files: [], regenerate: [] });

export function parseLedger(text: string | undefined): Ledger {
  if (text === undefined) return empty();
  try {
    const data = JSON.parse(text) as Partial<Ledger>;
    if (data.version === 1 && Array.isArray(data.files) && Array.isArray(data.regenerate))
      return data as Ledger;
  } catch {
    // reported below
  }
  throw new HostError(
    `${LEDGER_PATH} is not a virt-gen record of host changes: fix or remove it (nothing was changed)`,
    'host-ledger',
  );
}

export async function readLedger(root: string): Promise<Ledger> {
  return parseLedger(await readText(root, LEDGER_PATH));
}

/** The ledger with this plan's files and commands added; a file keeps how virt-gen first met it. */
export function withPlan(ledger: Ledger, plan: Pick<HostPlan, 'changes' | 'regenerate'>): Ledger {
  const files = [...ledger.files];
  for (const c of plan.changes) {
    if (files.some((f) => f.path === c.path)) continue;
    // A file virt-gen owns whole (no backup) is removed on revert, like one it created.
    files.push({ path: c.path, created: c.before === undefined || !c.backup });
  }
  const regenerate = [...ledger.regenerate];
  for (const r of plan.regenerate)
    if (!regenerate.some((x) => x.join('\0') === r.argv.join('\0'))) regenerate.push(r.argv);
  return { version: 1, files, regenerate, ...(ledger.dirs ? { dirs: ledger.dirs } : {}) };
}

/** The directories above host path `p` that do not exist yet, deepest first. */
async function missingDirs(root: string, p: string): Promise<string[]> {
  const out: string[] = [];
  for (
    let dir = path.posix.dirname(p);
    dir !== '/' && !(await pathExists(root, dir));
    dir = path.posix.dirname(dir)
  )
    out.push(dir);
  return out;
}

/** Adds the plan to the ledger; returns the ledger's text before, to put back if the apply is undone. */
export async function recordInLedger(
  root: string,
  plan: Pick<HostPlan, 'changes' | 'regenerate'>,
): Promise<string | undefined> {
  const before = await readText(root, LEDGER_PATH);
  const ledger = withPlan(parseLedger(before), plan);
  const dirs = new Set(ledger.dirs ?? []);
  for (const p of [LEDGER_PATH, ...plan.changes.filter((c) => c.before === undefined).map((c) => c.path)])
    for (const d of await missingDirs(root, p)) dirs.add(d);
  if (dirs.size > 0) ledger.dirs = [...dirs];
  await writeLedger(root, ledger);
  return before;
}

/**
 * The ledger replaced atomically (exclusive temp file, fsync, rename). Not through files.ts: the
 * ledger is virt-gen's own state, and the crash tests pause files.ts at its steps for host files only.
 */
async function replaceLedger(file: string, text: string): Promise<void> {
  const tmp = `${file}.${process.pid}-${randomBytes(4).toString('hex')}.tmp`;
  const handle = await fs.open(tmp, 'wx', 0o644);
  try {
    await handle.writeFile(text, 'utf8');
    await handle.sync();
  } finally {
    await handle.close();
  }
  await fs.rename(tmp, file).catch(async (err: unknown) => {
    await fs.rm(tmp, { force: true });
    throw err;
  });
}

export async function writeLedger(root: string, ledger: Ledger): Promise<void> {
  const file = underRoot(root, LEDGER_PATH);
  await fs.mkdir(underRoot(root, '/var/lib/virt-gen'), { recursive: true, mode: 0o755 });
  await replaceLedger(file, JSON.stringify(ledger, null, 2) + '\n');
}

/** Directories virt-gen created, deepest first, each only when empty (someone may have used it since). */
export async function removeCreatedDirs(root: string, dirs: readonly string[]): Promise<void> {
  for (const d of [...dirs].sort((a, b) => b.length - a.length)) {
    await fs.rmdir(underRoot(root, d)).catch((err: NodeJS.ErrnoException) => {
      if (err.code !== 'ENOENT' && err.code !== 'ENOTEMPTY' && err.code !== 'EEXIST') throw err;
    });
  }
}

/**
 * Undoes `recordInLedger` after an apply was rolled back: the ledger as it was, the directories made
 * for this apply removed, and `backups` (made by this apply) removed, so the tree is as it was.
 */
export async function undoRecord(
  root: string,
  ledgerBefore: string | undefined,
  backups: readonly string[],
): Promise<void> {
  for (const b of backups) await fs.rm(b, { force: true });
  const madeNow = (await readLedger(root)).dirs ?? [];
  const madeBefore = new Set(parseLedger(ledgerBefore).dirs ?? []);
  const ledger = underRoot(root, LEDGER_PATH);
  if (ledgerBefore === undefined) await fs.rm(ledger, { force: true });
  else await replaceLedger(ledger, ledgerBefore);
  await removeCreatedDirs(
    root,
    madeNow.filter((d) => !madeBefore.has(d)),
  );
}
