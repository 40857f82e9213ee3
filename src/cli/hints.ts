/**
 * Commands printed as hints ("apply them with: …", "restore it with: virsh …") must work when
 * pasted: they carry the options the user gave (-c, --backend, --root) and the config path as
 * typed. virsh run by a normal user defaults to qemu:///session, not the system libvirt virt-gen
 * defined into: its hints always name the URI then.
 */
import { givenOptions, quoteArg, type GlobalOptions } from './options.js';

const isRoot = (): boolean => process.getuid?.() === 0;

/** `virt-gen SUBCOMMAND ARGS… [given options]`, with `sudo` when it must run as root. */
export function virtGenHint(args: string[], opts: GlobalOptions, asRoot = false): string {
  const sudo = asRoot && !isRoot() ? 'sudo ' : '';
  return `${sudo}virt-gen ${args.map(quoteArg).join(' ')}${givenOptions(opts)}`;
}

/** `virsh [-c URI] ARGS…` for the libvirt at `uri`. */
export function virshHint(args: string[], uri: string, opts: GlobalOptions): string {
  const named = opts.connect !== undefined || !isRoot() || uri !== 'qemu:///system';
  return `virsh ${named ? `-c ${quoteArg(uri)} ` : ''}${args.map(quoteArg).join(' ')}`;
}
