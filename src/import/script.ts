/**
 * Start scripts, as users write them (the guide's qemu-start.sh):
 *
 *     OPTS="$OPTS -cpu host,kvm=off"
 *     OPTS="$OPTS -drive if=pflash,…,file=$(pwd)/OVMF_VARS.fd"
 *     sudo -Hu qemu_vga bash -c "$VM_SOUND taskset -c 0-7 qemu-system-x86_64 $OPTS"
 *
 * The script is read, never run: plain variable assignments are followed line by line, `$(pwd)` is
 * the script's folder (or --pwd), and the line that starts QEMU is expanded and unwrapped from
 * `sudo … bash -c "…"`. What comes out is a command line for the ordinary args reader, which also
 * understands the environment prefix and `taskset`. Anything the script computes otherwise (`if`,
 * functions, command output) is beyond a reader that runs nothing: the notes say what was assumed.
 */
import { ImportError } from './errors.js';
import { isQemuBinary, tokenize, type Token } from './tokenize.js';

export interface ScriptCommand {
  /** The command line the script would run, for parseCommandLine. */
  text: string;
  notes: string[];
}

/** A shell script rather than an args file: a `#!…sh` line, or a `.sh` name. */
export function isShellScript(text: string, fileName?: string): boolean {
  return /^#!.*\b(ba|da|z)?sh\b/.test(text) || (fileName?.endsWith('.sh') ?? false);
}

const ASSIGNMENT = /^\s*(?:export\s+|local\s+|readonly\s+)?([A-Za-z_][A-Za-z0-9_]*)=(.*)$/;

/** Reads `text` as a start script; `pwd` is what `$(pwd)` stands for. */
export function commandFromScript(text: string, pwd: string): ScriptCommand {
  const notes: string[] = [];
  const vars = new Map<string, string>();
  let run: { line: string; number: number } | undefined;
  logicalLines(text).forEach(({ line, number }) => {
    const assignment = ASSIGNMENT.exec(line);
    if (assignment) {
      vars.set(assignment[1] as string, assignedValue(assignment[2] as string, vars, pwd));
      return;
    }
    if (startsQemu(expand(line, vars, pwd))) run = { line: expand(line, vars, pwd), number };
  });
  if (!run) {
    throw new ImportError('no line of this script starts QEMU (qemu-system-*, qemu-kvm, kvm)');
  }
  if (/\$\(pwd\)|`pwd`|\$PWD\b|\$\{PWD\}/.test(text)) {
    notes.push(`$(pwd) in the script read as ${pwd} (the script's folder; --pwd DIR to change it)`);
  }
  notes.push(`the QEMU command of the script's line ${run.number} was imported`);
  return { text: unwrap(run.line, notes), notes };
}

/** Lines with `\`-newline continuations joined, comments and blank lines dropped. */
function logicalLines(text: string): Array<{ line: string; number: number }> {
  const out: Array<{ line: string; number: number }> = [];
  let pending = '';
  let start = 0;
  text.split('\n').forEach((raw, i) => {
    if (!pending) start = i + 1;
    const joined = pending + raw.replace(/\r$/, '');
    if (joined.endsWith('\\')) {
      pending = joined.slice(0, -1);
      return;
    }
    pending = '';
    if (!/^\s*(#|$)/.test(joined)) out.push({ line: joined, number: start });
  });
  return out;
}

/** The value of `NAME=…`: quotes removed, `$VAR` expanded except inside single quotes. */
function assignedValue(raw: string, vars: Map<string, string>, pwd: string): string {
  const s = raw.trim();
  const double = /^"((?:[^"\\]|\\.)*)"\s*(#.*)?$/.exec(s);
  if (double) return expand((double[1] as string).replace(/\\(["\\$`])/g, '$1'), vars, pwd);
  const single = /^'([^']*)'\s*(#.*)?$/.exec(s);
  if (single) return single[1] as string;
  return expand(s.split(/\s+/)[0] ?? '', vars, pwd);
}

/** `$NAME`, `${NAME}` of the variables assigned so far; `$(pwd)` as `pwd`. Unknown ones stay. */
function expand(text: string, vars: Map<string, string>, pwd: string): string {
  return text
    .replace(/\$\(pwd\)|`pwd`|\$\{PWD\}|\$PWD\b/g, pwd)
    .replace(
      /\$\{([A-Za-z_][A-Za-z0-9_]*)\}|\$([A-Za-z_][A-Za-z0-9_]*)/g,
      (whole, braced?: string, bare?: string) => {
        const value = vars.get((braced ?? bare) as string);
        return value ?? whole;
      },
    );
}

function startsQemu(line: string): boolean {
  return line.split(/[\s"';&|()]+/).some((word) => isQemuBinary(word));
}

const SUDO_WITH_VALUE = new Set(['u', 'g', 'C', 'D', 'h', 'p', 'r', 't', 'T', 'U']);

/**
 * The command inside `sudo [-Hu USER] bash -c "…"` (any nesting of those two), as text, so that
 * the args reader sees its quoting and positions as written.
 */
function unwrap(line: string, notes: string[]): string {
  const tokens = tokenize(line);
  let i = 0;
  while (tokens[i] && /(^|\/)(sudo|doas)$/.test((tokens[i] as Token).value)) {
    notes.push(`'${(tokens[i] as Token).value}' dropped: libvirt starts QEMU as its own unprivileged user`);
    i = skipSudoOptions(tokens, i + 1);
  }
  const shell = tokens[i];
  if (shell && /(^|\/)(ba|da|z)?sh$/.test(shell.value) && tokens[i + 1]?.value === '-c' && tokens[i + 2]) {
    return unwrap((tokens[i + 2] as Token).value, notes);
  }
  return shell ? line.slice(shell.column - 1) : line;
}

function skipSudoOptions(tokens: Token[], i: number): number {
  while (tokens[i]?.value.startsWith('-')) {
    const option = (tokens[i] as Token).value;
    i++;
    if (option === '--') break;
    // `-u USER`, and combined flags such as `-Hu USER`: the last letter decides.
    if (!option.startsWith('--') && SUDO_WITH_VALUE.has(option.slice(-1))) i++;
  }
  return i;
}
