/** `virt-gen host plan|apply CONFIG`: what qemu.conf and AppArmor need for the VM, and applying it. */
import { buildOnHost } from '../../build-domain.js';
import { readAppArmorState } from '../../host/apparmor.js';
import { reloadQemuProfiles } from '../../host/apparmor-reload.js';
import { HostError } from '../../host/errors.js';
import { applyHostPlan, planHost, withHostLock, type HostPlan } from '../../host/plan.js';

export interface HostCommandOptions {
  root?: string;
  json?: boolean;
  /** auto | always | never */
  apparmor?: string;
  dryRun?: boolean;
}

const APPARMOR_MODES = ['auto', 'always', 'never'] as const;

function apparmorMode(value: string | undefined): (typeof APPARMOR_MODES)[number] {
  const mode = value ?? 'auto';
  if (!(APPARMOR_MODES as readonly string[]).includes(mode)) {
    throw new HostError(`--apparmor ${mode}: expected one of ${APPARMOR_MODES.join(', ')}`, 'cli-option');
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

function printWarnings(plan: HostPlan): void {
  for (const w of plan.warnings) process.stderr.write(`warning: ${w}\n`);
}

export async function runHost(action: string, config: string, opts: HostCommandOptions): Promise<void> {
  if (action !== 'plan' && action !== 'apply') {
    throw new HostError(`host ${action}: expected "plan" or "apply"`, 'cli-option');
  }
  const root = opts.root ?? '/';
  const mode = apparmorMode(opts.apparmor);
  const { vm, facts, needs } = await buildOnHost(config, root);
  const planFor = (): Promise<HostPlan> => planHost(facts, needs, root, { owner: vm.name, apparmor: mode });
  if (action === 'plan' || opts.dryRun) {
    const plan = await planFor();
    printWarnings(plan);
    process.stdout.write(opts.json ? JSON.stringify(planJson(plan), null, 2) + '\n' : planText(plan));
    return;
  }
  // Planned under the lock: a concurrent apply waits, then plans from what this one wrote.
  const onWait = (message: string): boolean => process.stderr.write(`virt-gen: ${message}\n`);
  const { plan, result } = await withHostLock(
    root,
    async () => {
      const plan = await planFor();
      printWarnings(plan);
      return { plan, result: await applyHostPlan(plan, root) };
    },
    { onWait },
  );
  const reload =
    plan.apparmor.action === 'write' && plan.apparmor.changed
      ? await reloadQemuProfiles(root, (await readAppArmorState(root)).enabled)
      : undefined;
  if (opts.json) {
    process.stdout.write(
      JSON.stringify(
        {
          ...(planJson(plan) as object),
          applied: { written: result.written, backups: result.backups },
          reload,
        },
        null,
        2,
      ) + '\n',
    );
    return;
  }
  for (const f of result.written) process.stdout.write(`wrote ${f}\n`);
  for (const b of result.backups) process.stdout.write(`backup ${b}\n`);
  if (result.written.length === 0) process.stdout.write('Nothing to change.\n');
  for (const r of reload?.runs ?? [])
    process.stdout.write(`apparmor_parser ${r.args.join(' ')}: ${r.ok ? 'ok' : r.message}\n`);
  if (reload?.skipped) process.stdout.write(`AppArmor reload skipped: ${reload.skipped}\n`);
  for (const n of plan.notes) process.stdout.write(`note: ${n}\n`);
}
