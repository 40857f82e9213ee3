/**
 * The host side of `virt-gen define`: the host plan is applied only once libvirt has been reached
 * and the define has passed every check that can refuse it, and is put back if libvirt refuses the
 * define after all. AppArmor profiles are reloaded only after a successful define, so an undone run
 * has nothing to reload.
 */
import { promises as fs } from 'node:fs';
import type { VmOnHost } from '../../build-domain.js';
import type { FileSnapshot } from '../../host/files.js';
import type { ApplyResult, HostPlan } from '../../host/plan.js';
import { virtGenHint } from '../hints.js';
import type { GlobalOptions } from '../options.js';
import type { Reporter } from '../reporter.js';

export interface HostStep {
  plan: HostPlan;
  root: string;
  /** What was written, each file as it was before (the host writer's snapshots). */
  snapshots: FileSnapshot[];
  backups: string[];
}

export async function planHostFor(
  { vm, facts, needs }: VmOnHost,
  root: string,
  out: Reporter,
): Promise<HostPlan> {
  const { planHost } = await import('../../host/plan.js');
  const plan = await planHost(facts, needs, root, { owner: vm.name });
  for (const w of plan.warnings) out.warn(w);
  return plan;
}

/** As root (and not a dry run), apply the plan; otherwise show it with the command that applies it. */
export async function applyHostFor(
  config: string,
  plan: HostPlan,
  root: string,
  opts: GlobalOptions & { dryRun?: boolean },
  out: Reporter,
): Promise<HostStep> {
  const step: HostStep = { plan, root, snapshots: [], backups: [] };
  if (plan.changes.length === 0) return step;
  if (opts.dryRun || process.getuid?.() !== 0) {
    out.set(
      'hostChanges',
      plan.changes.map((c) => ({ path: c.path, why: c.why, diff: c.diff })),
    );
    out.say(
      opts.dryRun
        ? 'dry run: the host needs these changes:'
        : 'the host needs these changes (not root: nothing written):',
    );
    for (const c of plan.changes) out.say(`# ${c.path}: ${c.why}\n${c.diff}`);
    if (!opts.dryRun) out.say(`apply them with: ${virtGenHint(['host', 'apply', config], opts, true)}`);
    return step;
  }
  const { applyHostPlan } = await import('../../host/plan.js');
  const result: ApplyResult = await applyHostPlan(plan, root);
  step.snapshots = result.snapshots;
  step.backups = result.backups;
  out.set('hostWritten', result.written);
  out.set('hostBackups', result.backups);
  for (const f of result.written) out.say(`wrote ${f}`);
  for (const b of result.backups) out.say(`backup of the original: ${b}`);
  return step;
}

/**
 * Puts every file this run wrote back as it was (a file it created is removed, a backup it made
 * too) and returns what to tell the user: the files put back, or the ones that could not be.
 */
export async function undoHost(step: HostStep): Promise<string> {
  if (step.snapshots.length === 0) return '';
  const { restoreFiles } = await import('../../host/files.js');
  const files = step.snapshots.map((s) => s.file).join(', ');
  try {
    await restoreFiles(step.snapshots);
  } catch (err) {
    return `the host files this run wrote (${files}) could NOT all be put back (${(err as Error).message}); the originals are in the .virt-gen.bak files next to them`;
  }
  for (const b of step.backups) await fs.rm(b, { force: true });
  return `the host files this run wrote were put back as they were: ${files}`;
}

/** After a successful define: load the changed AppArmor rules. */
export async function reloadAppArmorFor(step: HostStep, out: Reporter): Promise<void> {
  const { plan, root } = step;
  if (step.snapshots.length === 0 || plan.apparmor.action !== 'write' || !plan.apparmor.changed) return;
  const { readAppArmorState } = await import('../../host/apparmor.js');
  const { reloadQemuProfiles } = await import('../../host/apparmor-reload.js');
  const reload = await reloadQemuProfiles(root, (await readAppArmorState(root)).enabled);
  for (const r of reload.runs) if (!r.ok) out.warn(`apparmor_parser ${r.args.join(' ')}: ${r.message}`);
}

export function printNotes(step: HostStep, out: Reporter): void {
  if (step.snapshots.length > 0) for (const n of step.plan.notes) out.say(`note: ${n}`);
}
