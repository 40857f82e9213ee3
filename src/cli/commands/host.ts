/**
 * `virt-gen host plan|apply CONFIG`: what the host needs for the VM, layer by layer (kernel command
 * line, vfio-pci at boot, qemu.conf and AppArmor), and applying it; `virt-gen host revert` undoes it.
 */
import { buildOnHost } from '../../build-domain.js';
import { readAppArmorState } from '../../host/apparmor.js';
import { reloadQemuProfiles } from '../../host/apparmor-reload.js';
import { planHostWithBoot, withHostLock, type HostPlan } from '../../host/plan.js';
import { applyHost, revertHost } from '../../host/revert.js';
import { UsageError } from '../../util/errors.js';
import { virtGenHint } from '../hints.js';
import type { GlobalOptions } from '../options.js';
import { Reporter } from '../reporter.js';

export interface HostCommandOptions extends GlobalOptions {
  /** auto | always | never */
  apparmor?: string;
  dryRun?: boolean;
}

const APPARMOR_MODES = ['auto', 'always', 'never'] as const;

function apparmorMode(value: string | undefined): (typeof APPARMOR_MODES)[number] {
  const mode = value ?? 'auto';
  if (!(APPARMOR_MODES as readonly string[]).includes(mode)) {
    throw new UsageError(`--apparmor ${mode}: expected one of ${APPARMOR_MODES.join(', ')}`);
  }
  return mode as (typeof APPARMOR_MODES)[number];
}

function planJson(plan: HostPlan): unknown {
  return {
    root: plan.root,
    changes: plan.changes.map((c) => ({ path: c.path, why: c.why, backup: c.backup, diff: c.diff })),
    warnings: plan.warnings,
    notes: plan.notes,
    aclWanted: plan.aclWanted,
    boot: plan.boot ? { stack: plan.boot.stack.kind, wanted: plan.boot.wanted } : undefined,
    vfioAtBoot: plan.modules
      ? {
          needed: plan.modules.needed,
          ids: plan.modules.binding.ids,
          softdeps: plan.modules.binding.softdeps,
        }
      : undefined,
    regenerate: plan.regenerate.map((r) => r.argv),
    qemuConf: plan.qemuConf,
    apparmor:
      plan.apparmor.action === 'write'
        ? {
            action: 'write',
            target: plan.apparmor.target,
            path: plan.apparmor.path,
            rules: plan.apparmor.rules,
            changed: plan.apparmor.changed,
          }
        : plan.apparmor,
  };
}

function planText(plan: HostPlan): string {
  const parts: string[] = [];
  for (const c of plan.changes) parts.push(`# ${c.path}: ${c.why}\n${c.diff}`);
  if (plan.changes.length === 0)
    parts.push('Nothing to change: the host already allows what this VM needs.\n');
  parts.push(plan.notes.map((n) => `note: ${n}\n`).join(''));
  if (plan.changes.length > 0 && plan.regenerate.length > 0)
    parts.push(`after apply: ${plan.regenerate.map((r) => r.argv.join(' ')).join(', then ')}, then reboot\n`);
  return parts.join('\n');
}

async function runRevert(root: string, out: Reporter, onWait: (m: string) => void): Promise<void> {
  const result = await revertHost(root, { onWait });
  out.merge(result);
  for (const p of result.restored) out.say(`restored ${p} from its backup`);
  for (const p of result.removed) out.say(`removed ${p}`);
  for (const p of result.missingBackup) out.say(`left ${p} as it is: its backup ${p}.virt-gen.bak is gone`);
  if (result.restored.length + result.removed.length + result.missingBackup.length === 0)
    out.say('Nothing to revert: virt-gen recorded no host changes.');
  for (const r of result.regenerate) out.say(`now run: ${r.join(' ')}`);
  if (result.regenerate.length > 0) out.say('then reboot for the boot-time changes to be undone');
  out.finish();
}

function printApplied(out: Reporter, plan: HostPlan, written: string[], ran: boolean): void {
  if (written.length === 0 || plan.regenerate.length === 0) return;
  if (!ran)
    for (const r of plan.regenerate) out.say(`now run (in the root ${plan.root}): ${r.argv.join(' ')}`);
  out.say('reboot for the kernel command line and vfio-pci binding to take effect');
}

export async function runHost(
  action: string,
  config: string | undefined,
  opts: HostCommandOptions,
): Promise<void> {
  if (action !== 'plan' && action !== 'apply' && action !== 'revert') {
    throw new UsageError(`host ${action}: expected "plan", "apply" or "revert"`);
  }
  const root = opts.root ?? '/';
  const out = new Reporter(opts.json === true);
  const onWait = (message: string): void => out.note(`virt-gen: ${message}`);
  if (action === 'revert') return runRevert(root, out, onWait);
  if (config === undefined) throw new UsageError(`host ${action}: a config file is required`);
  const mode = apparmorMode(opts.apparmor);
  const { vm, facts, needs } = await buildOnHost(config, root);
  const planFor = (): Promise<HostPlan> =>
    planHostWithBoot(facts, needs, root, { owner: vm.name, apparmor: mode });
  if (action === 'plan' || opts.dryRun) {
    const plan = await planFor();
    for (const w of plan.warnings) out.warn(w);
    out.merge(planJson(plan) as object);
    out.say(planText(plan));
    if (plan.changes.length && process.getuid?.() !== 0)
      out.say(`apply them with: ${virtGenHint(['host', 'apply', config], opts, true)}`);
    out.finish();
    return;
  }
  // Planned under the lock: a concurrent apply waits, then plans from what this one wrote.
  const { plan, result } = await withHostLock(
    root,
    async () => {
      const plan = await planFor();
      for (const w of plan.warnings) out.warn(w);
      return { plan, result: await applyHost(plan, root, (line) => out.say(line)) };
    },
    { onWait },
  );
  const reload =
    plan.apparmor.action === 'write' && plan.apparmor.changed
      ? await reloadQemuProfiles(root, (await readAppArmorState(root)).enabled)
      : undefined;
  out.merge(planJson(plan) as object);
  // Not the snapshots: they hold the old bytes, for rollback, not for the report.
  out.set('applied', { written: result.written, backups: result.backups, regenerated: result.runs });
  out.set('reload', reload);
  for (const f of result.written) out.say(`wrote ${f}`);
  for (const b of result.backups) out.say(`backup ${b}`);
  if (result.written.length === 0) out.say('Nothing to change.');
  printApplied(out, plan, result.written, result.runs !== undefined);
  for (const r of reload?.runs ?? [])
    out.say(`apparmor_parser ${r.args.join(' ')}: ${r.ok ? 'ok' : r.message}`);
  if (reload?.skipped) out.say(`AppArmor reload skipped: ${reload.skipped}`);
  for (const n of plan.notes) out.say(`note: ${n}`);
  out.finish();
}
