/**
 * Splits a `vm.args` file into words the way a POSIX shell would, without ever running anything.
 *
 * Supported: single and double quotes, backslash escapes, `\`+newline continuations, `#` comments at
 * the start of a word, an environment prefix (`QEMU_AUDIO_DRV=pa …`), a `taskset`/`exec`/`env`
 * wrapper, and the QEMU binary. Expansions (`$VAR`, `${VAR}`, `$(pwd)`, backticks) are left in the
 * word as written and reported, because expanding them would mean running the user's shell.
 *
 * As in the shell, a newline without `\` ends the command: what follows on the next line is another
 * command, never an argument (a file of two commands is refused by parseCommandLine). One deliberate
 * departure, for libvirt's own `.args` files: a `\`+newline is a continuation even inside single
 * quotes (libvirt wraps long quoted arguments that way, e.g. `-drive 'file=rbd:…:\` on one line and
 * the rest on the next).
 */
import { ImportError, formatPosition, type Position } from './errors.js';
import { isControlCharacter } from './limits.js';

export interface Token extends Position {
  /** The word after quote removal. */
  value: string;
  /** Expansions left literal in the word (`$(pwd)`, `$HOME`), in order. */
  expansions: string[];
  /** A newline without `\` stands between this word and the one before: it starts a new command. */
  newCommand?: boolean;
}

export interface EnvAssignment {
  name: string;
  value: string;
  token: Token;
}

export interface CommandLine {
  env: EnvAssignment[];
  /** The QEMU binary; absent when the file holds options only. */
  binary?: Token;
  /** The CPU list of a `taskset -c LIST` (or mask) wrapper. */
  taskset?: { cpus: string; token: Token };
  /** Wrapper words that were understood and dropped (`exec`, `env`). */
  wrappers: Token[];
  /** Everything after the binary. */
  args: Token[];
  /** How the prefix was read where it was not plain shell (for warnings). */
  notes: string[];
}

const OPERATORS = new Set([';', '&', '|', '<', '>']);
const BLANK = /[ \t\r\n]/;

/** A cursor over the text that keeps line and column. */
class Scanner {
  offset = 0;
  line = 1;
  column = 1;

  constructor(readonly text: string) {}

  get done(): boolean {
    return this.offset >= this.text.length;
  }
  peek(ahead = 0): string {
    return this.text[this.offset + ahead] ?? '';
  }
  position(): Position {
    return { line: this.line, column: this.column };
  }
  next(): string {
    const c = this.text[this.offset++] ?? '';
    if (c === '\n') {
      this.line++;
      this.column = 1;
    } else this.column++;
    return c;
  }
  /** A `\` followed by a newline (optionally `\r\n`): consumed, and true. */
  continuation(): boolean {
    if (this.peek() !== '\\') return false;
    const nl = this.peek(1) === '\n' ? 2 : this.peek(1) === '\r' && this.peek(2) === '\n' ? 3 : 0;
    if (!nl) return false;
    for (let i = 0; i < nl; i++) this.next();
    return true;
  }
}

/** The words of `text`. Throws ImportError on an unterminated quote or a shell operator. */
export function tokenize(text: string): Token[] {
  const s = new Scanner(text);
  const tokens: Token[] = [];
  let newline = false;
  for (;;) {
    newline = skipBlanks(s) || newline;
    if (s.done) return tokens;
    if (s.peek() === '#') {
      while (!s.done && s.peek() !== '\n') s.next();
      continue;
    }
    const word = readWord(s);
    if (newline && tokens.length) word.newCommand = true;
    newline = false;
    tokens.push(word);
  }
}

/** Skips white space and continuations; true when a newline (not continued) was among them. */
function skipBlanks(s: Scanner): boolean {
  let newline = false;
  while (!s.done) {
    if (BLANK.test(s.peek())) newline = s.next() === '\n' || newline;
    else if (!s.continuation()) return newline;
  }
  return newline;
}

function readWord(s: Scanner): Token {
  const start = s.position();
  let value = '';
  const expansions: string[] = [];
  while (!s.done) {
    if (s.continuation()) continue;
    const c = s.peek();
    if (BLANK.test(c)) break;
    if (isControlCharacter(c)) throw controlCharacter(s);
    if (OPERATORS.has(c)) {
      throw new ImportError(
        `shell operator '${c}' at ${formatPosition(s.position())}: an args file holds one QEMU command line, not a script`,
      );
    }
    if (c === "'") value += readSingleQuoted(s);
    else if (c === '"') value += readDoubleQuoted(s, expansions);
    else if (c === '$' || c === '`') value += readExpansion(s, expansions);
    else if (c === '\\') {
      s.next();
      value += s.done ? '\\' : s.next();
    } else value += s.next();
  }
  return { value, line: start.line, column: start.column, expansions };
}

/** No QEMU value holds a control character, and XML cannot carry one. */
function controlCharacter(s: Scanner): ImportError {
  const code = s.peek().charCodeAt(0).toString(16).toUpperCase().padStart(4, '0');
  return new ImportError(
    `control character U+${code} at ${formatPosition(s.position())}: no QEMU argument holds one, and libvirt's XML cannot`,
  );
}

function unterminated(what: string, at: Position): ImportError {
  return new ImportError(`unterminated ${what} starting at ${formatPosition(at)}`);
}

function readSingleQuoted(s: Scanner): string {
  const at = s.position();
  s.next();
  let out = '';
  for (;;) {
    if (s.done) throw unterminated('quote', at);
    if (s.continuation()) continue;
    if (isControlCharacter(s.peek())) throw controlCharacter(s);
    const c = s.next();
    if (c === "'") return out;
    out += c;
  }
}

/** Inside double quotes only `\"`, `\\`, `\$`, `` \` `` and `\`+newline are escapes (POSIX). */
function readDoubleQuoted(s: Scanner, expansions: string[]): string {
  const at = s.position();
  s.next();
  let out = '';
  for (;;) {
    if (s.done) throw unterminated('quote', at);
    if (s.continuation()) continue;
    const c = s.peek();
    if (isControlCharacter(c)) throw controlCharacter(s);
    if (c === '"') {
      s.next();
      return out;
    }
    if (c === '\\' && '"\\$`'.includes(s.peek(1))) {
      s.next();
      out += s.next();
    } else if (c === '$' || c === '`') out += readExpansion(s, expansions);
    else out += s.next();
  }
}

/**
 * `$NAME`, `${…}`, `$(…)` or `` `…` ``, copied as written. A lone `$` (as in `a$`) is plain text.
 */
function readExpansion(s: Scanner, expansions: string[]): string {
  const at = s.position();
  let out = s.next();
  if (out === '`') {
    out += readUntil(s, '`', at, 'command substitution');
  } else if (s.peek() === '(') {
    out += readBalanced(s, at);
  } else if (s.peek() === '{') {
    out += readUntil(s, '}', at, 'parameter expansion', 1);
  } else if (/[A-Za-z_0-9@*#?$!-]/.test(s.peek())) {
    if (/[0-9@*#?$!-]/.test(s.peek())) out += s.next();
    else while (/[A-Za-z0-9_]/.test(s.peek())) out += s.next();
  } else {
    return out;
  }
  expansions.push(out);
  return out;
}

function readUntil(s: Scanner, end: string, at: Position, what: string, skip = 0): string {
  let out = '';
  for (let i = 0; i < skip; i++) out += s.next();
  for (;;) {
    if (s.done) throw unterminated(what, at);
    const c = s.next();
    out += c;
    if (c === end) return out;
  }
}

/** `$( … )` with nested parentheses. Quotes inside are copied, not interpreted. */
function readBalanced(s: Scanner, at: Position): string {
  let depth = 0;
  let out = '';
  for (;;) {
    if (s.done) throw unterminated('command substitution $(', at);
    const c = s.next();
    out += c;
    if (c === '(') depth++;
    else if (c === ')' && --depth === 0) return out;
  }
}

// ---- the command: environment, wrappers, binary, arguments ------------------------------------

const ENV_RE = /^([A-Za-z_][A-Za-z0-9_]*)=([\s\S]*)$/;
const BINARY_RE = /(^|\/)(qemu-system-[A-Za-z0-9_.-]+|qemu-kvm|kvm|qemu)$/;

/** True when `word` names a QEMU system emulator (any path ending in one). */
export function isQemuBinary(word: string): boolean {
  return BINARY_RE.test(word);
}

/** Splits the words of an args file into environment, wrappers, binary and QEMU arguments. */
export function parseCommandLine(text: string): CommandLine {
  const tokens = firstCommand(tokenize(text));
  const cmd: CommandLine = { env: [], wrappers: [], args: [], notes: [] };
  let i = 0;
  const envAt = (t: Token | undefined): RegExpExecArray | null => (t ? ENV_RE.exec(t.value) : null);
  for (;;) {
    const t = tokens[i];
    if (!t) return cmd;
    const env = envAt(t);
    if (env) {
      cmd.env.push({ name: env[1] as string, value: env[2] as string, token: t });
      i++;
    } else if (t.value === 'exec' || t.value === 'env') {
      cmd.wrappers.push(t);
      i++;
    } else if (t.value === 'taskset' || t.value.endsWith('/taskset')) {
      i = readTaskset(tokens, i, cmd);
    } else if (wrapperOf(t.value)) {
      i = skipWrapper(tokens, i, cmd);
    } else if (continuesEnvValue(tokens, i, cmd)) {
      const last = cmd.env[cmd.env.length - 1] as EnvAssignment;
      last.value += ' ' + t.value;
      cmd.notes.push(
        `'${t.value}' at ${formatPosition(t)} read as part of ${last.name} (an unquoted value with spaces)`,
      );
      i++;
    } else break;
  }
  const first = tokens[i] as Token;
  if (first.value.startsWith('-')) {
    cmd.args = tokens.slice(i);
  } else if (isQemuBinary(first.value)) {
    cmd.binary = first;
    cmd.args = tokens.slice(i + 1);
  } else {
    throw new ImportError(
      `expected the QEMU binary (qemu-system-*, qemu-kvm, kvm) at ${formatPosition(first)}, found '${first.value}'`,
    );
  }
  return cmd;
}

/**
 * The words of the one command of an args file. A second command (a line not continued with `\`)
 * is refused: it would run on its own, and reading it as QEMU arguments would invent devices.
 */
function firstCommand(tokens: Token[]): Token[] {
  const second = tokens.findIndex((t) => t.newCommand);
  if (second < 0) return tokens;
  const t = tokens[second] as Token;
  const hint = t.value.startsWith('-')
    ? `end line ${t.line - 1} with '\\' to continue the command`
    : 'an args file holds one QEMU command line (a start script is read with a .sh name or a #! line)';
  throw new ImportError(
    `'${t.value}' at ${formatPosition(t)} starts a second command (a newline without '\\' ends a command): ${hint}`,
  );
}

/**
 * libvirt's test files write `CEPH_ARGS=-m host:port,…` without quotes: a word right after an
 * assignment whose value is an option list (`-m`), itself neither an option nor the binary, with the
 * binary still to come, continues that value.
 */
function continuesEnvValue(tokens: Token[], i: number, cmd: CommandLine): boolean {
  const t = tokens[i] as Token;
  const last = cmd.env[cmd.env.length - 1];
  if (!last || last.token !== tokens[i - 1] || !last.value.startsWith('-')) return false;
  if (t.value.startsWith('-') || isQemuBinary(t.value)) return false;
  return tokens.slice(i + 1).some((later) => isQemuBinary(later.value));
}

/**
 * Wrappers that change how the process runs, not what QEMU is asked: their options (and, for those
 * that take one, the option's value) are skipped. libvirt has its own ways to say some of it
 * (`<cputune>`, `<numatune>`); the note says what was dropped.
 */
const WRAPPERS: Record<string, { valued: Set<string>; positional?: RegExp }> = {
  sudo: { valued: new Set(['-u', '-g', '-C', '-D', '-h', '-p', '-r', '-t', '-T', '-U']) },
  doas: { valued: new Set(['-u', '-C']) },
  nice: { valued: new Set(['-n']) },
  ionice: { valued: new Set(['-c', '-n', '-p', '-P', '-u']) },
  chrt: { valued: new Set([]), positional: /^\d+$/ }, // chrt [-f|-r…] PRIORITY command
  numactl: { valued: new Set(['-C', '-N', '-m', '-p', '-i', '-P']) },
  nohup: { valued: new Set() },
  stdbuf: { valued: new Set(['-i', '-o', '-e']) },
};

function wrapperOf(word: string): string | undefined {
  const base = word.split('/').pop() ?? '';
  return Object.hasOwn(WRAPPERS, base) ? base : undefined;
}

/** Skips a wrapper and its options; returns the index of the word after them. */
function skipWrapper(tokens: Token[], i: number, cmd: CommandLine): number {
  const t = tokens[i] as Token;
  const spec = WRAPPERS[wrapperOf(t.value) as string] as (typeof WRAPPERS)[string];
  const words = [t.value];
  let j = i + 1;
  for (; tokens[j]; j++) {
    const w = (tokens[j] as Token).value;
    if (w === '--') {
      j++;
      break;
    }
    if (/^-\d+$/.test(w) && t.value.endsWith('nice')) words.push(w);
    else if (w.startsWith('-')) {
      words.push(w);
      const short = w.startsWith('--') ? undefined : w.slice(0, 2);
      if (short && spec.valued.has(short) && w.length === 2 && tokens[j + 1])
        words.push((tokens[++j] as Token).value);
    } else if (spec.positional?.test(w)) {
      words.push(w);
      j++;
      break;
    } else break;
  }
  cmd.wrappers.push(t);
  cmd.notes.push(
    `'${words.join(' ')}' at ${formatPosition(t)} dropped: libvirt starts QEMU itself ` +
      '(<cputune>, <numatune> and the qemu.conf user say how)',
  );
  return j;
}

/** `taskset [-a] -c LIST` or `taskset [-a] MASK`; returns the index after it. */
function readTaskset(tokens: Token[], i: number, cmd: CommandLine): number {
  const taskset = tokens[i] as Token;
  let j = i + 1;
  let list = false;
  for (; tokens[j]?.value.startsWith('-'); j++) {
    const v = (tokens[j] as Token).value;
    if (v === '-c' || v === '--cpu-list') list = true;
    else if (v === '-ac' || v === '-ca') list = true;
    else if (v !== '-a' && v !== '--all-tasks') {
      throw new ImportError(`unsupported taskset option '${v}' at ${formatPosition(tokens[j] as Token)}`);
    }
  }
  const arg = tokens[j];
  if (!arg) throw new ImportError(`taskset at ${formatPosition(taskset)} has no CPU list`);
  cmd.taskset = { cpus: list ? arg.value : maskToList(arg), token: arg };
  return j + 1;
}

/** `0xff` -> `0-7`, as taskset reads a mask. */
function maskToList(t: Token): string {
  const hex = t.value.replace(/^0x/i, '').replace(/,/g, '');
  if (!/^[0-9a-f]+$/i.test(hex))
    throw new ImportError(`taskset mask '${t.value}' at ${formatPosition(t)} is not hex`);
  const mask = BigInt('0x' + hex);
  const cpus: number[] = [];
  for (let bit = 0; mask >> BigInt(bit) > 0n; bit++) if ((mask >> BigInt(bit)) & 1n) cpus.push(bit);
  return compressList(cpus);
}

/** `[0,1,2,5]` -> `0-2,5` */
export function compressList(cpus: number[]): string {
  const parts: string[] = [];
  for (let k = 0; k < cpus.length;) {
    let end = k;
    while (end + 1 < cpus.length && (cpus[end + 1] as number) === (cpus[end] as number) + 1) end++;
    parts.push(end === k ? `${cpus[k]}` : `${cpus[k]}-${cpus[end]}`);
    k = end + 1;
  }
  return parts.join(',');
}
