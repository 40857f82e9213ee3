/**
 * The host side of `virt-gen define`: the host plan is applied only once libvirt has been reached
 * and the define has passed every check that can refuse it, and is put back if libvirt refuses the
 * define after all. AppArmor profiles are reloaded only after a successful define, so an undone run
 * has nothing to reload.
 */
import { promises as fs } from 'node:fs';
import type { VmOnHost } from '../../build-domain.js';
import type { ApplyResult, HostPlan } from '../../host/plan.js';

const say = (line: string): boolean => process.stdout.write(line + '\n');
const warn = (line: string): boolean => process.stderr.write(`warning: ${line}\n`);

export interface HostStep {
  plan: HostPlan;
  root: string;
  /** What was written, with each file's bytes from before (undefined: it did not exist). */
  written: { file: string; before: Buffer | undefined }[];
  backups: string[];
}

export async function planHostFor({ vm, facts, needs }: VmOnHost, root: string): Promise<HostPlan> {
  const { planHost } = await import('../../host/plan.js');
  const plan = await planHost(facts, needs, root, { owner: vm.name });
  for (const w of plan.warnings) warn(w);
  return plan;
}

/** As root (and not a dry run), apply the plan; otherwise show it with the command that applies it. */
export async function applyHostFor(
  config: string,
  plan: HostPlan,
  root: string,
  opts: { dryRun?: boolean },
): Promise<HostStep> {
  const step: HostStep = { plan, root, written: [], backups: [] };
  if (plan.changes.length === 0) return step;
  if (opts.dryRun || process.getuid?.() !== 0) {
    say(
      opts.dryRun
        ? 'dry run: the host needs these changes:'
        : 'the host needs these changes (not root: nothing written):',
    );
    for (const c of plan.changes) say(`# ${c.path}: ${c.why}\n${c.diff}`);
    if (!opts.dryRun)
      say(`apply them with: sudo virt-gen host apply ${config}${root === '/' ? '' : ` --root ${root}`}`);
    return step;
  }
  const { applyHostPlan } = await import('../../host/plan.js');
  const { underRoot } = await import('../../host/read.js');
  const before = new Map<string, Buffer | undefined>();
  for (const c of plan.changes) before.set(underRoot(root, c.path), await readBytes(underRoot(root, c.path)));
  const result: ApplyResult = await applyHostPlan(plan, root);
  step.written = result.written.map((file) => ({ file, before: before.get(file) }));
  step.backups = result.backups;
  for (const f of result.written) say(`wrote ${f}`);
  for (const b of result.backups) say(`backup of the original: ${b}`);
  return step;
}

async function readBytes(file: string): Promise<Buffer | undefined> {
  try {
    return await fs.readFile(file);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw err;
  }
}

/**
 * Puts every file this run wrote back as it was (a file it created is removed, a backup it made
 * too) and returns what to tell the user: the files put back, or the ones that could not be.
 */
export async function undoHost(step: HostStep): Promise<string> {
  if (step.written.length === 0) return '';
  const { writeFileAtomic } = await import('../../host/files.js');
  const failed: string[] = [];
  for (const { file, before } of step.written.reverse()) {
    try {
      // writeFileAtomic writes a Buffer byte for byte (its signature says string until the host
      // writer takes bytes): the original comes back exactly, whatever its encoding.
      if (before === undefined) await fs.rm(file, { force: true });
      else await writeFileAtomic(file, before as unknown as string);
    } catch (err) {
      failed.push(`${file} (${(err as Error).message})`);
    }
  }
  if (failed.length === 0) for (const b of step.backups) await fs.rm(b, { force: true });
  const files = step.written.map((w) => w.file).join(', ');
  return failed.length === 0
    ? `the host files this run wrote were put back as they were: ${files}`
    : `the host files this run wrote could NOT all be put back: ${failed.join(', ')}; the originals are in the .virt-gen.bak files next to them`;
}

/** After a successful define: load the changed AppArmor rules. */
export async function reloadAppArmorFor(step: HostStep): Promise<void> {
  const { plan, root } = step;
  if (step.written.length === 0 || plan.apparmor.action !== 'write' || !plan.apparmor.changed) return;
  const { readAppArmorState } = await import('../../host/apparmor.js');
  const { reloadQemuProfiles } = await import('../../host/apparmor-reload.js');
  const reload = await reloadQemuProfiles(root, (await readAppArmorState(root)).enabled);
  for (const r of reload.runs) if (!r.ok) warn(`apparmor_parser ${r.args.join(' ')}: ${r.message}`);
}

export function printNotes(step: HostStep): void {
  if (step.written.length > 0) for (const n of step.plan.notes) say(`note: ${n}`);
}
