/** `virt-gen host plan|apply CONFIG`: what qemu.conf and AppArmor need for the VM, and applying it. */
import { buildOnHost } from '../../build-domain.js';
import { readAppArmorState } from '../../host/apparmor.js';
import { reloadQemuProfiles } from '../../host/apparmor-reload.js';
import { applyHostPlan, planHost, withHostLock, type HostPlan } from '../../host/plan.js';
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
  return parts.join('\n');
}

export async function runHost(action: string, config: string, opts: HostCommandOptions): Promise<void> {
  if (action !== 'plan' && action !== 'apply') {
    throw new UsageError(`host ${action}: expected "plan" or "apply"`);
  }
  const root = opts.root ?? '/';
  const mode = apparmorMode(opts.apparmor);
  const out = new Reporter(opts.json === true);
  const { vm, facts, needs } = await buildOnHost(config, root);
  const planFor = (): Promise<HostPlan> => planHost(facts, needs, root, { owner: vm.name, apparmor: mode });
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
  const onWait = (message: string): void => out.note(`virt-gen: ${message}`);
  const { plan, result } = await withHostLock(
    root,
    async () => {
      const plan = await planFor();
      for (const w of plan.warnings) out.warn(w);
      return { plan, result: await applyHostPlan(plan, root) };
    },
    { onWait },
  );
  const reload =
    plan.apparmor.action === 'write' && plan.apparmor.changed
      ? await reloadQemuProfiles(root, (await readAppArmorState(root)).enabled)
      : undefined;
  out.merge(planJson(plan) as object);
  // Not the snapshots: they hold the old bytes, for rollback, not for the report.
  out.set('applied', { written: result.written, backups: result.backups });
  out.set('reload', reload);
  for (const f of result.written) out.say(`wrote ${f}`);
  for (const b of result.backups) out.say(`backup ${b}`);
  if (result.written.length === 0) out.say('Nothing to change.');
  for (const r of reload?.runs ?? [])
    out.say(`apparmor_parser ${r.args.join(' ')}: ${r.ok ? 'ok' : r.message}`);
  if (reload?.skipped) out.say(`AppArmor reload skipped: ${reload.skipped}`);
  for (const n of plan.notes) out.say(`note: ${n}`);
  out.finish();
}
