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
    .option(
      '-c, --connect <uri>',
      'libvirt URI (default: LIBVIRT_DEFAULT_URI, else qemu:///system); define takes it several times',
      collectUris,
    )
    .addOption(
      new Option('--backend <name>', 'how to reach libvirt: D-Bus when org.libvirt answers, else virsh')
        .choices(BACKENDS)
        .default('auto'),
    )
    .option('--root <dir>', 'read (and write) host files under DIR instead of / (chroots, images, tests)')
    .option('--json', 'print the result as one JSON document (errors too) on stdout')
    .option('-v, --verbose', 'say more: which backend ran and why');
}

/** One `-c` gives a string, as every command reads it; more give the list (only define takes one). */
function collectUris(uri: string, previous: string | string[] | undefined): string | string[] {
  return previous === undefined ? uri : [...(Array.isArray(previous) ? previous : [previous]), uri];
}

/** Commands that take `-c` several times (one run per host). */
const MULTI_HOST = new Set(['define']);

/** Checks of global option values that commander cannot make itself; run before every command. */
export function checkGlobalOptions(opts: GlobalOptions, command?: string): void {
  const uris = opts.connect as string | string[] | undefined;
  if (Array.isArray(uris) && !(command !== undefined && MULTI_HOST.has(command))) {
    throw new UsageError(`-c is given ${uris.length} times: only define takes several hosts`);
  }
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

/** What the global options say about reaching libvirt, as `openBackend` takes it. */
export function backendOptions(opts: Pick<GlobalOptions, 'connect' | 'backend'>): {
  uri?: string;
  backend?: BackendName;
} {
  return {
    ...(opts.connect !== undefined ? { uri: opts.connect } : {}),
    ...(opts.backend !== undefined ? { backend: opts.backend } : {}),
  };
}
