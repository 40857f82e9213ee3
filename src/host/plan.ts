/**
 * `virt-gen host plan|apply`: the file changes a VM needs on the host (qemu.conf's cgroup_device_acl,
 * AppArmor rules), shown as unified diffs, and applying them safely (lock, one backup, atomic writes).
 */
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { planAppArmor, readAppArmorState, type AppArmorPlan } from './apparmor.js';
import { planBoot, type BootPlan } from './boot/index.js';
import { unifiedDiff } from './diff.js';
import { HostError } from './errors.js';
import type { HostFacts } from './facts.js';
import { backupOnce, withLock, writeFileAtomic } from './files.js';
import { checkGroups, groupsOf, viabilityMessage } from './iommu.js';
import { uniqueCommands, type RegenCommand } from './layer.js';
import { recordInLedger } from './ledger.js';
import { planModules, type ModulesPlan } from './modules/index.js';
import type { HostNeeds } from './needs.js';
import { planQemuConf, QEMU_CONF, type QemuConfPlan } from './qemu-conf.js';
import { readText, underRoot } from './read.js';

export interface FileChange {
  /** The path on the host, e.g. `/etc/libvirt/qemu.conf`. */
  path: string;
  /** Contents now; undefined when the file does not exist yet. */
  before?: string;
  after: string;
  /** Unified diff from before to after. */
  diff: string;
  /** Back up the original once before the first change (not for files virt-gen owns whole). */
  backup: boolean;
  /** Mode for a new file. */
  mode: number;
  /** One line: why this change. */
  why: string;
}

export interface HostPlan {
  root: string;
  changes: FileChange[];
  warnings: string[];
  /** Facts about the plan worth showing (what is skipped and why, what to restart). */
  notes: string[];
  /** Device nodes the ACL must allow. */
  aclWanted: string[];
  qemuConf?: Pick<QemuConfPlan, 'added' | 'acl' | 'defaults' | 'settings'>;
  apparmor: AppArmorPlan;
  /** Boot-time layers (planHostWithBoot): the kernel command line and vfio-pci at boot. */
  boot?: BootPlan;
  modules?: ModulesPlan;
  /** Commands that make the boot-time changes take effect (initramfs first), in order. */
  regenerate: RegenCommand[];
}

export interface PlanOptions {
  /** Names this VM's AppArmor block (the VM name), so several VMs keep their own rules. */
  owner?: string;
  /** `always`: plan AppArmor rules even when it looks disabled (chroots, images). Default `auto`. */
  apparmor?: 'auto' | 'always' | 'never';
}

/** `/dev/vfio/vfio` and the group nodes of the passed-through devices, then extra device nodes. */
export function aclWanted(groups: number[], needs: HostNeeds): string[] {
  const vfio = groups.length > 0 ? ['/dev/vfio/vfio', ...groups.map((g) => `/dev/vfio/${g}`)] : [];
  return [...new Set([...vfio, ...needs.deviceNodes])];
}

function change(
  p: string,
  before: string | undefined,
  after: string,
  backup: boolean,
  why: string,
): FileChange {
  return {
    path: p,
    ...(before !== undefined ? { before } : {}),
    after,
    diff: unifiedDiff(p, before, after),
    backup,
    mode: 0o644,
    why,
  };
}

function qemuConfChange(plan: QemuConfPlan, existed: boolean): FileChange | undefined {
  if (!plan.changed) return undefined;
  const why = `cgroup_device_acl: allow ${plan.added.join(', ')}`;
  return { ...change(QEMU_CONF, existed ? plan.before : undefined, plan.after, true, why), mode: 0o600 };
}

function appArmorChange(plan: AppArmorPlan): FileChange | undefined {
  if (plan.action !== 'write' || !plan.changed) return undefined;
  // The drop-in is virt-gen's own file; and a backup inside libvirt-qemu.d/ would be included too.
  const backup = plan.target !== 'dropin';
  return change(
    plan.path,
    plan.before,
    plan.after,
    backup,
    `AppArmor (${plan.target}): ${plan.rules.length} rule(s) for QEMU`,
  );
}

function appArmorNotes(plan: AppArmorPlan): string[] {
  if (plan.action === 'none') return [`AppArmor: ${plan.reason}`];
  if (!plan.changed) return [`AppArmor: ${plan.path} already has the rules`];
  return [
    'AppArmor: after apply, loaded libvirt VM profiles are reloaded; running VMs need a restart to use new rules',
  ];
}

export async function planHost(
  facts: HostFacts,
  needs: HostNeeds,
  root: string = facts.root,
  opts: PlanOptions = {},
): Promise<HostPlan> {
  const groups = groupsOf(facts, needs.pciDevices);
  const wanted = aclWanted(groups, needs);
  const confText = await readText(root, QEMU_CONF);
  const conf = planQemuConf(confText ?? '', wanted, QEMU_CONF);
  const aaState = await readAppArmorState(root);
  const apparmor = planAppArmor(aaState, {
    groups,
    deviceNodes: needs.deviceNodes,
    readFiles: needs.readFiles,
    ...(needs.vfioWildcard ? { vfioWildcard: true } : {}),
    ...(conf.settings.securityDrivers ? { securityDrivers: conf.settings.securityDrivers } : {}),
    ...(opts.owner ? { owner: opts.owner } : {}),
    mode: opts.apparmor ?? 'auto',
  });
  const changes = [qemuConfChange(conf, confText !== undefined), appArmorChange(apparmor)].filter(
    (c): c is FileChange => c !== undefined,
  );
  const notes = [...appArmorNotes(apparmor)];
  if (conf.changed)
    notes.push('qemu.conf: restart libvirtd (or virtqemud) after apply for the ACL to take effect');
  else if (wanted.length > 0) notes.push(`qemu.conf: cgroup_device_acl already allows ${wanted.join(', ')}`);
  // Not this plan's business to refuse (define and doctor do), but worth saying next to it.
  const viability = checkGroups(facts, needs.pciDevices)
    .filter((v) => !v.viable)
    .map(viabilityMessage);
  const plan: HostPlan = {
    root,
    changes,
    warnings: [...conf.warnings, ...viability],
    notes,
    aclWanted: wanted,
    qemuConf: {
      added: conf.added,
      ...(conf.acl ? { acl: conf.acl } : {}),
      defaults: conf.defaults,
      settings: conf.settings,
    },
    apparmor,
    regenerate: [],
  };
  return plan;
}

/** While the IOMMU is off there are no groups to allow: the libvirt layer waits for the reboot. */
function libvirtLayerAfterReboot(root: string): HostPlan {
  const reason = 'planned after the reboot that turns the IOMMU on (the device nodes are per IOMMU group)';
  return {
    root,
    changes: [],
    warnings: [],
    notes: [`qemu.conf and AppArmor: ${reason}: run \`virt-gen host apply\` again then`],
    aclWanted: [],
    apparmor: { action: 'none', reason, rules: [] },
    regenerate: [],
  };
}

/**
 * Every layer, boot-time ones first: the order a user prepares a host in (research/host-boot.md §0).
 * A host whose IOMMU is off gets the boot layers that turn it on, and the libvirt layer after reboot.
 */
export async function planHostWithBoot(
  facts: HostFacts,
  needs: HostNeeds,
  root: string = facts.root,
  opts: PlanOptions = {},
): Promise<HostPlan> {
  let plan: HostPlan;
  try {
    plan = await planHost(facts, needs, root, opts);
  } catch (err) {
    if (!(err instanceof HostError && err.code === 'iommu-off')) throw err;
    plan = libvirtLayerAfterReboot(root);
  }
  const [boot, modules] = await Promise.all([planBoot(facts, needs, root), planModules(facts, needs, root)]);
  return {
    ...plan,
    changes: [...boot.changes, ...modules.changes, ...plan.changes],
    warnings: [...boot.warnings, ...modules.warnings, ...plan.warnings],
    notes: [...boot.notes, ...modules.notes, ...plan.notes],
    boot,
    modules,
    regenerate: uniqueCommands([...modules.regenerate, ...boot.regenerate]),
  };
}

export interface ApplyResult {
  written: string[];
  backups: string[];
}

/** The lock all host changes share; /run is cleared at boot, so a crash leaves no lock for long. */
export const LOCK_PATH = '/run/lock/virt-gen.lock';

async function applyChange(root: string, c: FileChange, result: ApplyResult): Promise<void> {
  const file = underRoot(root, c.path);
  const current = await readText(root, c.path);
  if (current !== c.before) {
    throw new HostError(
      `${c.path} changed since the plan was made: run \`virt-gen host plan\` again`,
      'host-plan-stale',
    );
  }
  if (c.backup && c.before !== undefined) {
    const backup = await backupOnce(file);
    if (backup) result.backups.push(backup);
  }
  await fs.mkdir(path.dirname(file), { recursive: true, mode: 0o755 });
  await writeFileAtomic(file, c.after, c.mode);
  result.written.push(file);
}

/**
 * Writes the planned changes under the lock. Each file is checked to be unchanged since planning, backed
 * up once, then replaced atomically. A second apply of a fresh plan writes nothing.
 */
export async function applyHostPlan(
  plan: HostPlan,
  root: string = plan.root,
  /** Runs under the same lock once every file is written (regenerate, or put back). */
  afterWrite?: (result: ApplyResult, ledgerBefore: string | undefined) => Promise<void>,
): Promise<ApplyResult> {
  const result: ApplyResult = { written: [], backups: [] };
  if (plan.changes.length === 0) return result;
  const lockPath = underRoot(root, LOCK_PATH);
  try {
    await fs.mkdir(path.dirname(lockPath), { recursive: true });
    await withLock(lockPath, async () => {
      // Recorded before the first write, so `host revert` knows every file even after a crash.
      const ledgerBefore = await recordInLedger(root, plan);
      for (const c of plan.changes) await applyChange(root, c, result);
      if (afterWrite) await afterWrite(result, ledgerBefore);
    });
  } catch (err) {
    throw permissionError(err) ?? err;
  }
  return result;
}

/** EACCES/EPERM as a message that says what to do, instead of a bare errno. */
export function permissionError(err: unknown, action = 'apply'): HostError | undefined {
  const e = err as NodeJS.ErrnoException;
  if (e.code !== 'EACCES' && e.code !== 'EPERM') return undefined;
  return new HostError(
    `permission denied: ${e.path ?? 'a host file'}: run \`virt-gen host ${action}\` as root (sudo)`,
    'host-permission',
  );
}
