/**
 * `virt-gen host plan|apply CONFIG`: what the host needs for the VM, layer by layer (kernel command
 * line, vfio-pci at boot, qemu.conf and AppArmor), and applying it; `virt-gen host revert` undoes it.
 */
import { buildOnHost } from '../../build-domain.js';
import { readAppArmorState } from '../../host/apparmor.js';
import { reloadQemuProfiles } from '../../host/apparmor-reload.js';
import { HostError } from '../../host/errors.js';
import { planHostWithBoot, type HostPlan } from '../../host/plan.js';
import { applyHost, revertHost } from '../../host/revert.js';

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

function printWarnings(plan: HostPlan): void {
  for (const w of plan.warnings) process.stderr.write(`warning: ${w}\n`);
}

const say = (line: string): void => void process.stdout.write(line + '\n');

async function runRevert(root: string, json: boolean | undefined): Promise<void> {
  const result = await revertHost(root);
  if (json) {
    process.stdout.write(JSON.stringify(result, null, 2) + '\n');
    return;
  }
  for (const p of result.restored) say(`restored ${p} from its backup`);
  for (const p of result.removed) say(`removed ${p}`);
  for (const p of result.missingBackup) say(`left ${p} as it is: its backup ${p}.virt-gen.bak is gone`);
  if (result.restored.length + result.removed.length + result.missingBackup.length === 0)
    say('Nothing to revert: virt-gen recorded no host changes.');
  for (const r of result.regenerate) say(`now run: ${r.join(' ')}`);
  if (result.regenerate.length > 0) say('then reboot for the boot-time changes to be undone');
}

function printApplied(plan: HostPlan, written: string[], backups: string[], ran: boolean): void {
  for (const f of written) say(`wrote ${f}`);
  for (const b of backups) say(`backup ${b}`);
  if (written.length === 0) say('Nothing to change.');
  if (written.length > 0 && plan.regenerate.length > 0) {
    if (!ran) for (const r of plan.regenerate) say(`now run (in the root ${plan.root}): ${r.argv.join(' ')}`);
    say('reboot for the kernel command line and vfio-pci binding to take effect');
  }
}

export async function runHost(
  action: string,
  config: string | undefined,
  opts: HostCommandOptions,
): Promise<void> {
  if (action !== 'plan' && action !== 'apply' && action !== 'revert') {
    throw new HostError(`host ${action}: expected "plan", "apply" or "revert"`, 'cli-option');
  }
  const root = opts.root ?? '/';
  if (action === 'revert') return runRevert(root, opts.json);
  if (config === undefined) throw new HostError(`host ${action}: a config file is required`, 'cli-option');
  const mode = apparmorMode(opts.apparmor);
  const { vm, facts, needs } = await buildOnHost(config, root);
  const plan = await planHostWithBoot(facts, needs, root, { owner: vm.name, apparmor: mode });
  printWarnings(plan);
  if (action === 'plan' || opts.dryRun) {
    process.stdout.write(opts.json ? JSON.stringify(planJson(plan), null, 2) + '\n' : planText(plan));
    return;
  }
  const result = await applyHost(plan, root, opts.json ? () => undefined : say);
  const reload =
    plan.apparmor.action === 'write' && plan.apparmor.changed
      ? await reloadQemuProfiles(root, (await readAppArmorState(root)).enabled)
      : undefined;
  if (opts.json) {
    process.stdout.write(
      JSON.stringify({ ...(planJson(plan) as object), applied: result, reload }, null, 2) + '\n',
    );
    return;
  }
  printApplied(plan, result.written, result.backups, result.runs !== undefined);
  for (const r of reload?.runs ?? []) say(`apparmor_parser ${r.args.join(' ')}: ${r.ok ? 'ok' : r.message}`);
  if (reload?.skipped) say(`AppArmor reload skipped: ${reload.skipped}`);
  for (const n of plan.notes) say(`note: ${n}`);
}
