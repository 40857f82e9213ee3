/**
 * Kernel command lines kept outside GRUB's defaults: BootLoaderSpec entries (`options` lines, read by
 * systemd-boot and by Fedora's GRUB), `/etc/kernel/cmdline` (kernel-install and grubby copy it into new
 * entries), kernelstub's JSON configuration (Pop!_OS) and rEFInd's `refind_linux.conf`. Each edit
 * changes only the argument words; research/host-boot.md §1.2.
 */
import { HostError } from '../errors.js';
import type { WantedArg } from './args.js';
import { setArgs } from './cmdline.js';

/** A BLS entry with its first `options` line carrying the wanted arguments (one added if none). */
export function editEntryOptions(text: string, wanted: readonly WantedArg[]): string {
  const m = /^(options[ \t]+)(.*)$/m.exec(text);
  if (!m || m.index === undefined) {
    const sep = text.endsWith('\n') || text === '' ? '' : '\n';
    return `${text}${sep}options ${setArgs('', wanted)}\n`;
  }
  const line = `${m[1] ?? ''}${setArgs(m[2] ?? '', wanted)}`;
  return text.slice(0, m.index) + line + text.slice(m.index + m[0].length);
}

/** Entries whose options come from GRUB's environment block (`$kernelopts`, Fedora ≤ 32) are not edited. */
export const usesKernelopts = (text: string): boolean => /^options\b.*\$kernelopts/m.test(text);

/** `/etc/kernel/cmdline`: one line of arguments. */
export function editKernelCmdline(text: string, wanted: readonly WantedArg[]): string {
  const body = text.replace(/\s+$/, '');
  return setArgs(body, wanted) + (text.slice(body.length) || '\n');
}

/** The first non-comment line's second quoted field of refind_linux.conf: the default options. */
export function editRefind(text: string, wanted: readonly WantedArg[], file: string): string {
  const m = /^([ \t]*"[^"]*"[ \t]+")([^"]*)(".*)$/m.exec(text);
  if (!m || m.index === undefined) {
    throw new HostError(
      `${file}: no line of the form "label" "options" to add kernel arguments to`,
      'boot-refind',
    );
  }
  const line = `${m[1] ?? ''}${setArgs(m[2] ?? '', wanted)}${m[3] ?? ''}`;
  return text.slice(0, m.index) + line + text.slice(m.index + m[0].length);
}

interface KernelstubConfig {
  user?: { kernel_options?: unknown };
}

/** The indentation of a JSON text, to write it back the way it was. */
function jsonIndent(text: string): string | number {
  const m = /\n([ \t]+)"/.exec(text);
  return m?.[1] ?? 2;
}

/**
 * kernelstub's configuration with the wanted arguments in `user.kernel_options` (what `kernelstub -a`
 * saves). Rewritten as JSON with the file's own indentation.
 */
export function editKernelstub(text: string, wanted: readonly WantedArg[], file: string): string {
  let config: KernelstubConfig;
  try {
    config = JSON.parse(text) as KernelstubConfig;
  } catch (err) {
    throw new HostError(
      `${file}: not valid JSON (${(err as Error).message}); fix it first`,
      'boot-kernelstub',
    );
  }
  const options = config.user?.kernel_options;
  if (!config.user || !Array.isArray(options) || options.some((o) => typeof o !== 'string')) {
    throw new HostError(`${file}: no "user": { "kernel_options": [...] } list to add to`, 'boot-kernelstub');
  }
  const edited = setArgs((options as string[]).join(' '), wanted)
    .split(/\s+/)
    .filter((w) => w !== '');
  if (edited.join(' ') === options.join(' ')) return text;
  config.user.kernel_options = edited;
  return JSON.stringify(config, null, jsonIndent(text)) + (text.endsWith('\n') ? '\n' : '');
}
