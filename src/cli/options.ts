/**
 * The options every command shares, declared once on the program (vite's way): commander
 * recognises a program option before or after the command name, so `virt-gen -c URI define x.ts`
 * and `virt-gen define x.ts -c URI` mean the same. Commands read them merged with their own
 * through `optsWithGlobals()`.
 */
import { statSync } from 'node:fs';
import { Command, Option } from 'commander';
import { UsageError } from '../util/errors.js';

export const BACKENDS = ['auto', 'dbus', 'virsh'] as const;
export type BackendName = (typeof BACKENDS)[number];

export interface GlobalOptions {
  /** `-c/--connect URI` */
  connect?: string;
  /** `--backend auto|dbus|virsh` */
  backend?: BackendName;
  /** `--root DIR`: host files read and written under DIR. */
  root?: string;
  /** `--json`: the result as one JSON document on stdout. */
  json?: boolean;
  /** `-v/--verbose` */
  verbose?: boolean;
}

export function addGlobalOptions(program: Command): Command {
  return program
    .option('-c, --connect <uri>', 'libvirt URI (default: LIBVIRT_DEFAULT_URI, else qemu:///system)')
    .addOption(
      new Option('--backend <name>', 'how to reach libvirt: D-Bus when org.libvirt answers, else virsh')
        .choices(BACKENDS)
        .default('auto'),
    )
    .option('--root <dir>', 'read (and write) host files under DIR instead of / (chroots, images, tests)')
    .option('--json', 'print the result as JSON (doctor, discover, define, import, host plan)')
    .option('-v, --verbose', 'say more: which backend ran and why');
}

/** Checks of global option values that commander cannot make itself; run before every command. */
export function checkGlobalOptions(opts: GlobalOptions): void {
  if (opts.root === undefined) return;
  let isDir: boolean;
  try {
    isDir = statSync(opts.root).isDirectory();
  } catch {
    throw new UsageError(`--root ${opts.root}: no such directory`);
  }
  if (!isDir) throw new UsageError(`--root ${opts.root}: not a directory`);
}

/**
 * The global options the user gave, as they would type them again: hints that print a command to
 * run next carry them, so the hint works as is (`virt-gen host apply x.ts -c URI --root /mnt`).
 */
export function givenOptions(opts: GlobalOptions): string {
  const parts: string[] = [];
  if (opts.connect !== undefined) parts.push('-c', quoteArg(opts.connect));
  if (opts.backend !== undefined && opts.backend !== 'auto') parts.push('--backend', opts.backend);
  if (opts.root !== undefined && opts.root !== '/') parts.push('--root', quoteArg(opts.root));
  return parts.length ? ` ${parts.join(' ')}` : '';
}

/** An argument as a POSIX shell reads it back: plain when safe, else single-quoted. */
export function quoteArg(arg: string): string {
  return /^[\w@%+=:,./-]+$/.test(arg) ? arg : `'${arg.replace(/'/g, `'\\''`)}'`;
}
