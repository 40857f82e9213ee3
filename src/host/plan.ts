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
import { backupBeforeChange, pauseAt, restoreFiles, writeFileAtomic, type FileSnapshot } from './files.js';
import { encodeText, readHostFile, readHostText, writeError, type TextEncoding } from './host-file.js';
import { LOCK_DIR, LOCK_PATH, withLock } from './lock.js';
import { resolveInRoot } from './resolve.js';
import { checkGroups, groupsOf, viabilityMessage } from './iommu.js';
import { uniqueCommands, type RegenCommand } from './layer.js';
import { recordInLedger, undoRecord } from './ledger.js';
import { planModules, type ModulesPlan } from './modules/index.js';
import type { HostNeeds } from './needs.js';
import { planQemuConf, QEMU_CONF, type QemuConfPlan } from './qemu-conf.js';
import { HOOK_PATH, hookScript, libvirtSeesNewHook } from './runtime-hook.js';

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
  /** How `before`/`after` map to bytes: `latin1` for a file that is not valid UTF-8 (default utf8). */
  encoding?: TextEncoding;
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

function qemuConfChange(
  plan: QemuConfPlan,
  file: { text?: string; encoding: TextEncoding },
): FileChange | undefined {
  if (!plan.changed) return undefined;
  const why = `cgroup_device_acl: allow ${plan.added.join(', ')}`;
  const c = change(QEMU_CONF, file.text !== undefined ? plan.before : undefined, plan.after, true, why);
  return { ...c, mode: 0o600, ...(file.encoding === 'latin1' ? { encoding: 'latin1' as const } : {}) };
}

function appArmorChange(plan: AppArmorPlan): FileChange | undefined {
  if (plan.action !== 'write' || !plan.changed) return undefined;
  // The drop-in is virt-gen's own file; and a backup inside libvirt-qemu.d/ would be included too.
  const backup = plan.target !== 'dropin';
  const why = `AppArmor (${plan.target}): ${plan.rules.length} rule(s) for QEMU`;
  const c = change(plan.path, plan.before, plan.after, backup, why);
  return plan.encoding === 'latin1' ? { ...c, encoding: 'latin1' } : c;
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
  const confFile = await readHostText(root, QEMU_CONF);
  const conf = planQemuConf(confFile.text ?? '', wanted, QEMU_CONF);
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
  const hook = needs.runtimeHook ? await runtimeHookChange(root) : undefined;
  const changes = [qemuConfChange(conf, confFile), appArmorChange(apparmor), hook?.change].filter(
    (c): c is FileChange => c !== undefined,
  );
  const notes = [...appArmorNotes(apparmor), ...(hook?.notes ?? [])];
  if (conf.changed)
    notes.push('qemu.conf: restart libvirtd (or virtqemud) after apply for the ACL to take effect');
  else if (wanted.length > 0) notes.push(`qemu.conf: cgroup_device_acl already allows ${wanted.join(', ')}`);
  // Not this plan's business to refuse (define and doctor do), but worth saying next to it.
  const viability = checkGroups(facts, needs.pciDevices)
    .filter((v) => !v.viable)
    .map(viabilityMessage);
  return {
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

/** The runtime layer: virt-gen's libvirt hook (runtime-hook.ts), and whether libvirtd must reload. */
async function runtimeHookChange(root: string): Promise<{ change?: FileChange; notes: string[] }> {
  const before = (await readHostText(root, HOOK_PATH)).text;
  const after = hookScript(root);
  if (before === after) return { notes: [`runtime hook: ${HOOK_PATH} is installed`] };
  const seen = await libvirtSeesNewHook(root);
  const why = 'runtime hook: hugepages, CPU isolation and governor at VM start and stop';
  return {
    change: { ...change(HOOK_PATH, before, after, false, why), mode: 0o755 },
    notes: [
      seen
        ? 'runtime hook: libvirt already runs QEMU hooks, so it calls this one from the next VM start'
        : 'runtime hook: reload libvirtd after apply (systemctl reload libvirtd, or virtqemud): libvirt looks for QEMU hooks when it starts or reloads',
    ],
  };
}

export interface ApplyResult {
  written: string[];
  backups: string[];
  /** Each written file as it was before: `restoreFiles(result.snapshots)` undoes the apply. */
  snapshots: FileSnapshot[];
}

export { LOCK_PATH };

export interface ApplyOptions {
  /** How long to wait for a concurrent run holding the lock (ms, default 10 s). */
  lockWaitMs?: number;
  /** Told when the run waits for the lock. */
  onWait?: (message: string) => void;
  /**
   * Runs under the same lock once every file is written (the regeneration commands): when it throws,
   * the apply is undone like a failed write, and the backups this run made are removed too.
   */
  afterWrite?: (result: ApplyResult) => Promise<void>;
}

/** The planned bytes for a change, after checking the file still holds what the plan was made from. */
async function currentState(root: string, c: FileChange): Promise<{ real: string; bytes?: Buffer }> {
  const file = await readHostFile(root, c.path);
  const before = c.before === undefined ? undefined : encodeText(c.before, c.encoding, c.path);
  const same =
    file.bytes === undefined ? before === undefined : before !== undefined && file.bytes.equals(before);
  if (!same) {
    throw new HostError(
      `${c.path} changed since the plan was made: run \`virt-gen host plan\` again`,
      'host-plan-stale',
    );
  }
  return file;
}

async function applyChange(root: string, c: FileChange, result: ApplyResult): Promise<void> {
  const { real, bytes } = await currentState(root, c);
  const after = encodeText(c.after, c.encoding, c.path);
  try {
    const mode = bytes === undefined ? c.mode : (await fs.lstat(real)).mode & 0o7777;
    if (c.backup && bytes !== undefined) {
      const backup = await backupBeforeChange(real, bytes);
      if (backup) result.backups.push(backup);
    }
    await fs.mkdir(path.dirname(real), { recursive: true, mode: 0o755 });
    const snapshot = { file: real, ...(bytes !== undefined ? { bytes } : {}), mode };
    try {
      await writeFileAtomic(real, after, c.mode);
    } catch (err) {
      // Failed before the rename: the file is as it was, nothing to undo. After it: undo it too.
      const now = await fs.readFile(real).catch(() => undefined);
      if (now?.equals(after)) result.snapshots.push(snapshot);
      throw err;
    }
    result.snapshots.push(snapshot);
    result.written.push(real);
    await pauseAt('file-done');
  } catch (err) {
    throw writeError(err, c.path);
  }
}

/** Puts back what a failed apply changed, and says so in the error. */
async function rollBack(err: unknown, result: ApplyResult): Promise<never> {
  if (result.snapshots.length === 0) throw err;
  const message = err instanceof Error ? err.message : String(err);
  try {
    await restoreFiles(result.snapshots);
  } catch (restoreErr) {
    throw new HostError(
      `${message}; restoring ${result.snapshots.map((s) => s.file).join(', ')} failed too: ` +
        `${(writeError(restoreErr, 'them') as Error).message}. The backups (*.virt-gen*.bak) hold the old bytes`,
      'host-rollback-failed',
      { cause: err },
    );
  }
  const code = err instanceof HostError ? err.code : 'host-apply';
  throw new HostError(
    `${message.replace(/ \(nothing was changed\)$/, '')} (the files written before were restored)`,
    code,
    {
      cause: err,
    },
  );
}

/**
 * Runs `fn` holding the host lock of `root`: `host apply` plans and applies inside it, so that a
 * concurrent run waits, then plans from what this one wrote.
 */
export async function withHostLock<T>(
  root: string,
  fn: () => Promise<T>,
  opts: ApplyOptions = {},
): Promise<T> {
  const lockOpts = {
    ...(opts.lockWaitMs !== undefined ? { waitMs: opts.lockWaitMs } : {}),
    ...(opts.onWait ? { onWait: opts.onWait } : {}),
  };
  // Resolved inside the root: a linked ROOT/run must not put the lock (or its folder) outside it.
  const lockPath = path.join((await resolveInRoot(root, LOCK_DIR)).real, path.basename(LOCK_PATH));
  let entered = false;
  const body = (): Promise<T> => {
    entered = true;
    return fn();
  };
  return withLock(lockPath, body, lockOpts).catch((err: unknown) => {
    throw entered ? err : writeError(err, lockPath, 'take the lock');
  });
}

/**
 * Writes the planned changes under the lock. Each file is read again (links resolved inside the root)
 * and must be unchanged since planning; it is backed up, then replaced atomically. If any step fails,
 * the files already written are put back. A second apply of a fresh plan writes nothing.
 */
export async function applyHostPlan(
  plan: HostPlan,
  root: string = plan.root,
  opts: ApplyOptions = {},
): Promise<ApplyResult> {
  const result: ApplyResult = { written: [], backups: [], snapshots: [] };
  if (plan.changes.length === 0) return result;
  await withHostLock(
    root,
    async () => {
      await pauseAt('locked');
      // Recorded before the first write, so `host revert` knows every file even after a crash.
      const ledgerBefore = await recordInLedger(root, plan);
      let afterWriteFailed = false;
      try {
        for (const c of plan.changes) await applyChange(root, c, result);
        await opts.afterWrite?.(result).catch((err: unknown) => {
          afterWriteFailed = true;
          throw err;
        });
      } catch (err) {
        await rollBack(err, result).catch(async (e: unknown) => {
          if (!(e instanceof HostError && e.code === 'host-rollback-failed'))
            await undoRecord(root, ledgerBefore, afterWriteFailed ? result.backups : []);
          throw e;
        });
      }
    },
    opts,
  );
  return result;
}
