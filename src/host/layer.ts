/**
 * What each boot-time planner (kernel command line, vfio-pci at boot) returns: file changes for the one
 * apply path, the commands that make them take effect (initramfs and boot loader regeneration), and
 * what to tell the user. Kept apart from plan.ts so the planners do not depend on the libvirt layer.
 */
import { unifiedDiff } from './diff.js';
import { HostError } from './errors.js';
import { readHostText } from './host-file.js';
import type { FileChange } from './plan.js';

/** A command that turns changed files into what the next boot reads (argument array, never a shell). */
export interface RegenCommand {
  argv: string[];
  why: string;
}

export interface LayerPlan {
  changes: FileChange[];
  warnings: string[];
  notes: string[];
  regenerate: RegenCommand[];
}

export const emptyLayer = (): LayerPlan => ({ changes: [], warnings: [], notes: [], regenerate: [] });

/** A file change: `before` undefined creates the file (virt-gen's own, no backup); otherwise backed up once. */
export function fileChange(p: string, before: string | undefined, after: string, why: string): FileChange {
  return {
    path: p,
    ...(before !== undefined ? { before } : {}),
    after,
    diff: unifiedDiff(p, before, after),
    backup: before !== undefined,
    mode: 0o644,
    why,
  };
}

/** The changes that change something (after differs from before). */
export function realChanges(changes: ReadonlyArray<FileChange | undefined>): FileChange[] {
  return changes.filter((c): c is FileChange => c !== undefined && c.after !== c.before);
}

/** Commands once each, in the order given (initramfs before the boot loader that copies it). */
export function uniqueCommands(cmds: readonly RegenCommand[]): RegenCommand[] {
  const seen = new Set<string>();
  return cmds.filter((c) => {
    const key = c.argv.join('\0');
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

/**
 * A file a planner may change, read the way apply will check it (links resolved inside the root);
 * undefined when absent. Boot and module files are text: one that is not UTF-8 is refused, named.
 */
export async function readPlanned(root: string, p: string): Promise<string | undefined> {
  const file = await readHostText(root, p);
  if (file.text !== undefined && file.encoding !== 'utf8')
    throw new HostError(
      `${p} is not UTF-8 text: virt-gen does not edit it (nothing was changed)`,
      'host-encoding',
    );
  return file.text;
}
