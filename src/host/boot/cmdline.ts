/**
 * Token-level edits of a kernel command line held in a config file (a GRUB variable, a BLS `options`
 * line, /etc/kernel/cmdline): only the arguments virt-gen adds or changes are touched, every other
 * byte (order, spacing, quoting of other words) stays.
 */
import { parseCmdline, type KernelArg } from '../procfs.js';
import { argText, type WantedArg } from './args.js';

/** The arguments of `text` that are missing or different from what is wanted. */
export function missingArgs(present: readonly KernelArg[], wanted: readonly WantedArg[]): WantedArg[] {
  return wanted.filter((w) => {
    const values = present.filter((a) => a.key === w.key).map((a) => a.value);
    if (values.length === 0) return true;
    if (w.keepUserValue) return false;
    // The kernel reads these left to right: the last one wins.
    return values[values.length - 1] !== w.value;
  });
}

/**
 * `text` with the wanted arguments set: a present key with another value has its last occurrence
 * replaced (unless the user's value is kept), a missing one is appended after the last word.
 */
export function setArgs(text: string, wanted: readonly WantedArg[]): string {
  let out = text;
  for (const w of missingArgs(parseCmdline(out), wanted)) {
    const re = new RegExp(`(^|\\s)${w.key.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}(=\\S*)?(?=\\s|$)`, 'g');
    const hits = [...out.matchAll(re)];
    const last = hits[hits.length - 1];
    if (last?.index !== undefined) {
      const start = last.index + (last[1] ?? '').length;
      out = out.slice(0, start) + argText(w) + out.slice(last.index + last[0].length);
    } else {
      const trimmed = out.replace(/\s+$/, '');
      out = (trimmed === '' ? '' : trimmed + ' ') + argText(w) + out.slice(trimmed.length);
    }
  }
  return out;
}
