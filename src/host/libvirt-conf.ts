/**
 * A parser for libvirt's configuration file grammar (qemu.conf, libvirtd.conf), following
 * `src/util/virconf.c` token by token, so that it accepts exactly what libvirt accepts and refuses what
 * libvirt refuses (the tests compare it with libvirt's own parser). It keeps byte offsets of every
 * entry and list item, so that a patch can change the minimum and leave every other byte alone.
 *
 * The grammar, as virconf.c reads it:
 *   file      := (statement separator)*
 *   statement := blanks-and-newlines ( '#' to end of line | name blanks '=' value blanks ['#' to end of line] )
 *   separator := blanks ( end | newline blanks-and-newlines | ';' blanks-and-newlines )
 *   name      := [A-Za-z] [A-Za-z0-9_]*
 *   value     := '"…"' | "'…'" (one line) | '"""…"""' (may span lines) | ['+'|'-'] digits | list
 *   list      := '[' blanks-and-newlines [ value (blanks-and-newlines ',' blanks-and-newlines value)* [','] ] ']'
 * Notably, a comment is not allowed inside a list (libvirt 9.0 reports "expecting a value"), a file of
 * only blank lines is refused ("expecting a name"), and `\r` counts as an end of line.
 */
import { HostError } from './errors.js';

interface Span {
  /** Offset of the first character. */
  start: number;
  /** Offset just past the last character. */
  end: number;
}

export interface ConfString extends Span {
  kind: 'string';
  value: string;
}
export interface ConfNumber extends Span {
  kind: 'number';
  value: number;
}
export interface ConfList extends Span {
  kind: 'list';
  items: ConfValue[];
}
export type ConfValue = ConfString | ConfNumber | ConfList;

export interface ConfEntry extends Span {
  name: string;
  value: ConfValue;
  /** 1-based line of the name. */
  line: number;
}

export interface ConfFile {
  text: string;
  entries: ConfEntry[];
}

export class ConfSyntaxError extends HostError {
  constructor(
    readonly fileName: string,
    readonly line: number,
    readonly column: number,
    readonly reason: string,
  ) {
    super(
      `${fileName}: line ${line}, column ${column}: ${reason}. libvirt cannot read this file either; ` +
        `fix it by hand (nothing was changed)`,
      'conf-syntax',
    );
  }
}

const isEol = (c: string): boolean => c === '\n' || c === '\r';
const isBlank = (c: string): boolean => c === ' ' || c === '\t';
const isDigit = (c: string): boolean => c >= '0' && c <= '9';
const isAlpha = (c: string): boolean => (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');

/** 1-based line and column of an offset. */
export function lineAndColumn(text: string, offset: number): { line: number; column: number } {
  const before = text.slice(0, offset);
  const lastNl = before.lastIndexOf('\n');
  return { line: before.split('\n').length, column: offset - lastNl };
}

class Parser {
  private pos = 0;
  readonly entries: ConfEntry[] = [];

  constructor(
    private readonly text: string,
    private readonly fileName: string,
  ) {}

  /** The current character; past the end it is NUL, as in virconf.c's NUL-terminated buffer. */
  private cur(): string {
    return this.pos < this.text.length ? (this.text[this.pos] as string) : '\0';
  }
  private get atEnd(): boolean {
    return this.pos >= this.text.length;
  }
  private next(): void {
    if (!this.atEnd) this.pos++;
  }
  private skipBlanks(): void {
    while (!this.atEnd && isBlank(this.cur())) this.pos++;
  }
  private skipBlanksAndEol(): void {
    while (!this.atEnd && (isBlank(this.cur()) || isEol(this.cur()))) this.pos++;
  }
  private skipToEol(): void {
    while (!this.atEnd && !isEol(this.cur())) this.pos++;
  }
  private fail(reason: string): never {
    const { line, column } = lineAndColumn(this.text, this.pos);
    throw new ConfSyntaxError(this.fileName, line, column, reason);
  }

  parseFile(): void {
    while (!this.atEnd) {
      this.parseStatement();
      this.parseSeparator();
    }
  }

  private parseStatement(): void {
    this.skipBlanksAndEol();
    if (this.cur() === '#') return this.skipToEol();
    const start = this.pos;
    const name = this.parseName();
    this.skipBlanks();
    if (this.cur() !== '=') this.fail('expecting an assignment');
    this.next();
    this.skipBlanks();
    const value = this.parseValue();
    const end = this.pos;
    this.skipBlanks();
    if (this.cur() === '#') this.skipToEol();
    this.entries.push({ name, value, start, end, line: lineAndColumn(this.text, start).line });
  }

  private parseSeparator(): void {
    this.skipBlanks();
    if (this.atEnd) return;
    if (isEol(this.cur())) return this.skipBlanksAndEol();
    if (this.cur() !== ';') this.fail('expecting a separator');
    this.next();
    this.skipBlanksAndEol();
  }

  private parseName(): string {
    this.skipBlanks();
    const base = this.pos;
    if (!isAlpha(this.cur())) this.fail('expecting a name');
    while (!this.atEnd && (isAlpha(this.cur()) || isDigit(this.cur()) || this.cur() === '_')) this.next();
    return this.text.slice(base, this.pos);
  }

  private parseValue(): ConfValue {
    this.skipBlanks();
    if (this.atEnd) this.fail('expecting a value');
    const c = this.cur();
    if (c === '"' || c === "'") return this.parseString();
    if (c === '[') return this.parseList();
    if (isDigit(c) || c === '-' || c === '+') return this.parseNumber();
    return this.fail('expecting a value');
  }

  private parseString(): ConfString {
    const start = this.pos;
    // Triple quotes need room for both delimiters (virconf.c: `cur + 6 < end`).
    if (this.cur() === '"' && this.pos + 6 < this.text.length && this.text.startsWith('"""', this.pos)) {
      this.pos += 3;
      const base = this.pos;
      while (this.pos + 2 < this.text.length && !this.text.startsWith('"""', this.pos)) this.next();
      if (!this.text.startsWith('"""', this.pos)) this.fail('unterminated string');
      const value = this.text.slice(base, this.pos);
      this.pos += 3;
      return { kind: 'string', value, start, end: this.pos };
    }
    const quote = this.cur();
    this.next();
    const base = this.pos;
    while (!this.atEnd && this.cur() !== quote && !isEol(this.cur())) this.next();
    if (this.cur() !== quote) this.fail('unterminated string');
    const value = this.text.slice(base, this.pos);
    this.next();
    return { kind: 'string', value, start, end: this.pos };
  }

  private parseNumber(): ConfNumber {
    const start = this.pos;
    if (this.cur() === '-' || this.cur() === '+') this.next();
    if (this.atEnd || !isDigit(this.cur())) this.fail('unterminated number');
    while (!this.atEnd && isDigit(this.cur())) this.next();
    return { kind: 'number', value: Number(this.text.slice(start, this.pos)), start, end: this.pos };
  }

  private parseList(): ConfList {
    const start = this.pos;
    const items: ConfValue[] = [];
    this.next();
    this.skipBlanksAndEol();
    if (!this.atEnd && this.cur() !== ']') {
      items.push(this.parseValue());
      this.skipBlanksAndEol();
    }
    while (!this.atEnd && this.cur() !== ']') {
      if (this.cur() !== ',') this.fail('expecting a separator in list');
      this.next();
      this.skipBlanksAndEol();
      if (this.cur() === ']') break;
      items.push(this.parseValue());
      this.skipBlanksAndEol();
    }
    if (this.cur() !== ']') this.fail('list is not closed with ]');
    this.next();
    return { kind: 'list', items, start, end: this.pos };
  }
}

/** Parses a libvirt configuration file; throws ConfSyntaxError (line and reason) when libvirt would refuse it. */
export function parseLibvirtConf(text: string, fileName = 'qemu.conf'): ConfFile {
  const parser = new Parser(text, fileName);
  parser.parseFile();
  return { text, entries: parser.entries };
}

/** The entry libvirt uses for `name`: the first one (virConfGetValue stops at the first match). */
export function getEntry(file: ConfFile, name: string): ConfEntry | undefined {
  return file.entries.find((e) => e.name === name);
}

/** A list of strings, or undefined when the value is anything else. */
export function stringList(value: ConfValue): string[] | undefined {
  if (value.kind !== 'list') return undefined;
  const out: string[] = [];
  for (const item of value.items) {
    if (item.kind !== 'string') return undefined;
    out.push(item.value);
  }
  return out;
}

/** A string as libvirt writes one: double quotes unless the text contains one. */
export function quoteConfString(s: string, what: string): string {
  if (/[\n\r]/.test(s) || (s.includes('"') && s.includes("'"))) {
    throw new HostError(`${what}: "${s}" cannot be written in a libvirt config file`, 'conf-unquotable');
  }
  return s.includes('"') ? `'${s}'` : `"${s}"`;
}
