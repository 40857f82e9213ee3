/**
 * The kernel command line in GRUB's defaults (research/host-boot.md §1.2). Debian and Ubuntu source
 * `/etc/default/grub.d/*.cfg` after `/etc/default/grub`, so virt-gen owns a drop-in there that appends
 * to `GRUB_CMDLINE_LINUX_DEFAULT` (normal entries only: recovery boots stay clean, an escape hatch when
 * vfio-pci takes the only GPU). Elsewhere the variable is edited in place, token by token.
 */
import { parseCmdline, type KernelArg } from '../procfs.js';
import { fileChange } from '../layer.js';
import type { FileChange } from '../plan.js';
import { argText, type WantedArg } from './args.js';
import { missingArgs, setArgs } from './cmdline.js';

export const GRUB_DROPIN = '/etc/default/grub.d/60-virt-gen.cfg';

const assignment = (name: string): RegExp =>
  new RegExp(`^(\\s*(?:export\\s+)?${name}=)(["']?)(.*)\\2\\s*$`, 'gm');

/** The value of the last assignment of a shell variable in a GRUB defaults file. */
export function grubVariable(text: string, name: string): string | undefined {
  const hits = [...text.matchAll(assignment(name))];
  return hits[hits.length - 1]?.[3];
}

/** Arguments the user's GRUB defaults give every normal boot. */
export function grubArgs(text: string): KernelArg[] {
  return ['GRUB_CMDLINE_LINUX', 'GRUB_CMDLINE_LINUX_DEFAULT'].flatMap((v) =>
    parseCmdline(grubVariable(text, v) ?? ''),
  );
}

/** `text` with `name`'s last assignment carrying the wanted arguments (added if absent). */
export function editGrubVariable(text: string, name: string, wanted: readonly WantedArg[]): string {
  const hits = [...text.matchAll(assignment(name))];
  const last = hits[hits.length - 1];
  if (last?.index === undefined) {
    const sep = text === '' || text.endsWith('\n') ? '' : '\n';
    return `${text}${sep}${name}="${setArgs('', wanted)}"\n`;
  }
  const [whole, prefix = '', quote = '', value = ''] = last;
  const q = quote === '' ? '"' : quote;
  const line = `${prefix}${q}${setArgs(value, wanted)}${q}`;
  const start = last.index;
  const lineEnd = start + whole.replace(/\s+$/, '').length;
  return text.slice(0, start) + line + text.slice(lineEnd);
}

/** Arguments virt-gen's own drop-in adds (empty when it does not exist). */
export function dropinArgs(dropin: string | undefined): KernelArg[] {
  const m = /\$GRUB_CMDLINE_LINUX_DEFAULT ([^"]*)"/.exec(dropin ?? '');
  return parseCmdline(m?.[1] ?? '');
}

export function dropinText(args: readonly WantedArg[]): string {
  return [
    '# Written by virt-gen: kernel arguments for GPU passthrough (virt-gen host revert removes this file).',
    '# Sourced by update-grub after /etc/default/grub; run update-grub after changing it.',
    `GRUB_CMDLINE_LINUX_DEFAULT="$GRUB_CMDLINE_LINUX_DEFAULT ${args.map(argText).join(' ')}"`,
    '',
  ].join('\n');
}

/** Debian/Ubuntu: the drop-in holds what the user's defaults lack. */
export function planGrubDropin(
  defaults: string,
  dropin: string | undefined,
  wanted: readonly WantedArg[],
): FileChange | undefined {
  const missing = missingArgs(grubArgs(defaults), wanted);
  if (missing.length === 0) return undefined;
  const why = `kernel command line: ${missing.map(argText).join(' ')}`;
  return fileChange(GRUB_DROPIN, dropin, dropinText(missing), why);
}
