/**
 * QEMU arguments -> options: which words are option names and which are their values.
 *
 * QEMU's own table (qemu-options.hx) decides whether an option takes a value; the flags are listed
 * here, every other known option takes one. An unknown option takes the next word when that word
 * does not look like an option, as libvirt's old parser did, so `-unknown parameter` stays together.
 */
import { ImportError, type ImportErrorDetails } from './errors.js';
import type { Token } from './tokenize.js';

export interface Opt {
  /** Canonical name: one dash, aliases resolved (`-M` -> `-machine`). */
  name: string;
  /** The option word as written (`--machine`, `-M`); undefined for a bare image path. */
  written?: string;
  value?: string;
  token: Token;
  /** 1-based index of the option word among the arguments. */
  index: number;
  consumed: boolean;
}

/** Options that take no value. */
const FLAGS = new Set([
  '-S',
  '-enable-kvm',
  '-no-kvm',
  '-nographic',
  '-no-acpi',
  '-no-hpet',
  '-no-reboot',
  '-no-shutdown',
  '-nodefaults',
  '-no-user-config',
  '-usb',
  '-localtime',
  '-full-screen',
  '-mem-prealloc',
  '-daemonize',
  '-snapshot',
  '-no-fd-bootchk',
  '-no-frame',
  '-alt-grab',
  '-ctrl-grab',
  '-win2k-hack',
  '-rtc-td-hack',
  '-old-param',
  '-only-migratable',
  '-preconfig',
  '-s',
  '-version',
  '-help',
  '-h',
  '-enable-fips',
  '-no-quit',
  '-semihosting',
  '-curses',
  '-sdl',
  '-portrait',
  '-no-kvm-irqchip',
  '-no-kvm-pit',
  '-no-kvm-pit-reinjection',
  '-tdf',
  '-singlestep',
  '-perfmap',
  '-jitdump',
]);

/** Options known to take a value (the rest of QEMU's table; used for unknown-option guessing). */
const WITH_VALUE = new Set(
  (
    '-machine -cpu -accel -smp -m -mem-path -name -uuid -drive -blockdev -device -object -netdev -nic -net ' +
    '-chardev -audiodev -soundhw -vga -display -vnc -spice -monitor -qmp -mon -serial -parallel -debugcon ' +
    '-global -boot -rtc -smbios -kernel -initrd -append -dtb -bios -pflash -hda -hdb -hdc -hdd -fda -fdb ' +
    '-cdrom -sd -mtdblock -usbdevice -pcidevice -watchdog -watchdog-action -incoming -overcommit -realtime ' +
    '-sandbox -msg -pidfile -tpmdev -numa -fsdev -virtfs -iscsi -compat -k -L -D -d -trace -runas -chroot ' +
    '-set -option-rom -icount -add-fd -action -g -audio -plugin -loadvm ' +
    '-writeconfig -readconfig -qtest -fw_cfg -balloon -iothread'
  ).split(' '),
);

const ALIASES: Record<string, string> = { '-M': '-machine' };

export function isFlagOption(name: string): boolean {
  return FLAGS.has(name);
}

/** Turns the argument words into options with their values. */
export function splitOptions(args: Token[]): Opt[] {
  const opts: Opt[] = [];
  for (let i = 0; i < args.length; i++) {
    const t = args[i] as Token;
    const index = i + 1;
    if (!t.value.startsWith('-') || t.value === '-') {
      // QEMU reads a bare word as the first hard disk image: only a path or URL is taken as one.
      refuseBareWord(t, index);
      opts.push({ name: '-hda', value: t.value, token: t, index, consumed: false });
      continue;
    }
    const name = canonicalName(t.value);
    const next = args[i + 1];
    const takesValue = FLAGS.has(name)
      ? false
      : WITH_VALUE.has(name)
        ? true
        : !!next && !looksLikeOption(next);
    const opt: Opt = { name, written: t.value, token: t, index, consumed: false };
    if (takesValue && next) {
      opt.value = next.value;
      i++;
    }
    opts.push(opt);
  }
  return opts;
}

/**
 * A word that is no option and no path (`touch`, `4G`, `hda.img` in the wrong place) is almost always
 * a mistake; QEMU would open it as a disk image in its working folder. Refused, naming it.
 */
function refuseBareWord(t: Token, index: number): void {
  if (t.value.startsWith('/') || /^[a-z][a-z0-9+.-]*:\/\//i.test(t.value)) return;
  throw new ImportError(
    'not an option, and not an image path: QEMU would open it as the first hard disk; ' +
      'write -hda /absolute/path.img if a disk was meant',
    { argument: t.value, index, position: { line: t.line, column: t.column } },
  );
}

function canonicalName(word: string): string {
  const one = word.startsWith('--') ? word.slice(1) : word;
  return ALIASES[one] ?? one;
}

function looksLikeOption(t: Token): boolean {
  return /^-[A-Za-z]/.test(t.value);
}

/** `-m lots`, for messages. */
export function describeOpt(opt: Opt): string {
  const head = opt.written ?? '';
  if (opt.value === undefined) return head;
  const value =
    /[\s'"]/.test(opt.value) || opt.value === '' ? `'${opt.value.replace(/'/g, "'\\''")}'` : opt.value;
  return head ? `${head} ${value}` : value;
}

/** Error details naming the option and where it stands. */
export function whereOf(opt: Opt): ImportErrorDetails {
  return {
    argument: describeOpt(opt),
    index: opt.index,
    position: { line: opt.token.line, column: opt.token.column },
  };
}

/** The words to put back on a command line (`<qemu:arg>`) for an option kept as written. */
export function wordsOf(opt: Opt): string[] {
  const words: string[] = [];
  if (opt.written !== undefined) words.push(opt.written);
  if (opt.value !== undefined) words.push(opt.value);
  return words;
}
