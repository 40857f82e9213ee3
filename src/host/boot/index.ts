/**
 * The kernel command line layer of `virt-gen host plan|apply`: the arguments this host needs
 * (args.ts), written where its boot stack reads them (detect.ts), with the command that regenerates
 * the boot configuration. An unknown boot stack gets the exact arguments to add by hand.
 */
import type { HostFacts } from '../facts.js';
import {
  emptyLayer,
  fileChange,
  readPlanned,
  realChanges,
  type LayerPlan,
  type RegenCommand,
} from '../layer.js';
import type { HostNeeds } from '../needs.js';
import type { FileChange } from '../plan.js';
import { argText, cmdlineWarnings, wantedArgs, type WantedArg } from './args.js';
import { missingArgs } from './cmdline.js';
import { detectBootStack, stackName, type BootStack } from './detect.js';
import {
  editEntryOptions,
  editKernelCmdline,
  editKernelstub,
  editRefind,
  usesKernelopts,
} from './entries.js';
import { dropinArgs, editGrubVariable, GRUB_DROPIN, planGrubDropin } from './grub.js';

export interface BootPlan extends LayerPlan {
  stack: BootStack;
  /** Every argument the VM needs on the command line, whether already configured or not. */
  wanted: string[];
  args: WantedArg[];
}

const KERNEL_CMDLINE = '/etc/kernel/cmdline';

type Read = (p: string) => Promise<string | undefined>;

async function edit(
  read: Read,
  p: string,
  wanted: readonly WantedArg[],
  fn: (t: string) => string,
): Promise<FileChange | undefined> {
  const before = await read(p);
  if (before === undefined) return undefined;
  const why = `kernel command line: ${wanted.map(argText).join(' ')}`;
  return fileChange(p, before, fn(before), why);
}

async function entryChanges(
  read: Read,
  entries: readonly string[],
  wanted: readonly WantedArg[],
  warnings: string[],
): Promise<Array<FileChange | undefined>> {
  const out: Array<FileChange | undefined> = [];
  for (const e of entries) {
    const text = await read(e);
    if (text !== undefined && usesKernelopts(text)) {
      warnings.push(
        `${e}: options come from $kernelopts in grubenv; add ${wanted.map(argText).join(' ')} with grubby`,
      );
      continue;
    }
    out.push(await edit(read, e, wanted, (t) => editEntryOptions(t, wanted)));
  }
  return out;
}

const cmd = (argv: string[], why: string): RegenCommand => ({ argv, why });

async function changesFor(
  stack: BootStack,
  read: Read,
  wanted: WantedArg[],
  plan: LayerPlan,
): Promise<Array<FileChange | undefined>> {
  switch (stack.kind) {
    case 'grub-dropin': {
      plan.regenerate.push(cmd(['update-grub'], 'GRUB reads the drop-in when grub.cfg is regenerated'));
      return [planGrubDropin((await read('/etc/default/grub')) ?? '', await read(GRUB_DROPIN), wanted)];
    }
    case 'grub':
      plan.regenerate.push(cmd(stack.mkconfig, 'GRUB reads /etc/default/grub when grub.cfg is regenerated'));
      return [
        await edit(read, '/etc/default/grub', wanted, (t) =>
          editGrubVariable(t, 'GRUB_CMDLINE_LINUX_DEFAULT', wanted),
        ),
      ];
    case 'grub-bls':
      // What `grubby --update-kernel=ALL --args=…` does: the defaults for new kernels, every entry.
      return [
        await edit(read, '/etc/default/grub', wanted, (t) =>
          editGrubVariable(t, 'GRUB_CMDLINE_LINUX', wanted),
        ),
        await edit(read, KERNEL_CMDLINE, wanted, (t) => editKernelCmdline(t, wanted)),
        ...(await entryChanges(read, stack.entries, wanted, plan.warnings)),
      ];
    case 'systemd-boot':
      return [
        await edit(read, KERNEL_CMDLINE, wanted, (t) => editKernelCmdline(t, wanted)),
        ...(await entryChanges(read, stack.entries, wanted, plan.warnings)),
      ];
    case 'kernelstub':
      plan.regenerate.push(cmd(['kernelstub'], 'kernelstub writes the loader entry from its configuration'));
      return [await edit(read, stack.config, wanted, (t) => editKernelstub(t, wanted, stack.config))];
    case 'refind':
      return [await edit(read, stack.config, wanted, (t) => editRefind(t, wanted, stack.config))];
    case 'unknown':
      return [];
  }
}

/** Nothing virt-gen can write: the exact arguments the running kernel lacks, to add by hand. */
function unknownStack(facts: HostFacts, wanted: readonly WantedArg[], plan: BootPlan): void {
  const missing = missingArgs(facts.cmdline ?? [], wanted);
  const required = missing.filter((a) => !a.optional).map(argText);
  const optional = missing.filter((a) => a.optional).map(argText);
  const known = 'GRUB, BootLoaderSpec entries, systemd-boot, kernelstub, rEFInd';
  if (required.length > 0)
    plan.warnings.push(
      `no known boot loader configuration was found (${known}): add these arguments to the kernel ` +
        `command line by hand: ${[...required, ...optional].join(' ')}`,
    );
  else if (optional.length > 0)
    plan.notes.push(
      `kernel command line: the boot loader is not one virt-gen knows; ${optional.join(' ')} would help (add it by hand)`,
    );
}

/** The errno code at the bottom of an error's cause chain (HostError -> FileReadError -> errno). */
function errnoOf(err: unknown): string | undefined {
  for (let e = err as (Error & { code?: unknown }) | undefined; e; e = e.cause as typeof e) {
    if (typeof e.code === 'string' && /^E[A-Z]+$/.test(e.code)) return e.code;
  }
  return undefined;
}

export async function planBoot(facts: HostFacts, needs: HostNeeds, root: string): Promise<BootPlan> {
  const unreadable: string[] = [];
  // A file that exists but cannot be read (BLS entries are 0600 on Fedora) must not vanish from the plan.
  const read: Read = async (p) => {
    try {
      return await readPlanned(root, p);
    } catch (err) {
      const code = errnoOf(err);
      if (code !== 'EACCES' && code !== 'EPERM') throw err;
      unreadable.push(p);
      return undefined;
    }
  };
  const stack = await detectBootStack(root);
  const ours = stack.kind === 'grub-dropin' ? dropinArgs(await read(GRUB_DROPIN)) : [];
  const wanted = wantedArgs(facts, needs, ours);
  const plan: BootPlan = { ...emptyLayer(), stack, wanted: wanted.map(argText), args: wanted };
  plan.warnings.push(...cmdlineWarnings(facts, needs));
  if (wanted.length === 0) return plan;
  if (stack.kind === 'unknown') {
    unknownStack(facts, wanted, plan);
    return plan;
  }
  plan.changes = realChanges(await changesFor(stack, read, wanted, plan));
  if (unreadable.length > 0)
    plan.warnings.push(
      `cannot read ${unreadable.join(', ')} (permission denied?): the plan leaves them out; run it as root (sudo)`,
    );
  if (plan.changes.length === 0) {
    plan.regenerate = [];
    plan.notes.push(`kernel command line (${stackName(stack)}): already has ${plan.wanted.join(' ')}`);
  } else {
    plan.notes.push(`kernel command line (${stackName(stack)}): takes effect at the next boot`);
  }
  return plan;
}
