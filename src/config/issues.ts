/**
 * Collects config problems with the path of the field, then throws them all at once.
 */
import { describeChar, findNonXmlChar } from '../domain/xml-chars.js';

import { VirtGenError } from '../util/errors.js';

export type Obj = Record<string, unknown>;

export class ConfigError extends VirtGenError {
  constructor(
    readonly source: string,
    readonly problems: string[],
  ) {
    super(`${source}: invalid config\n` + problems.map((p) => `  - ${p}`).join('\n'));
    this.name = 'ConfigError';
  }
}

export const isRecord = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);

/** A short rendering of a bad value for messages: strings quoted, objects summarised. */
export function describe(v: unknown): string {
  if (typeof v === 'string') return JSON.stringify(v);
  if (v === null || v === undefined || typeof v !== 'object') return String(v);
  if (Array.isArray(v)) return `a list of ${v.length}`;
  return 'an object';
}

interface Opts {
  required?: boolean;
}

interface StringOpts extends Opts {
  /** Free text that may hold line breaks and tabs (the description). Other strings are one line. */
  multiline?: boolean;
}

// Control characters are what these patterns are for.
/* eslint-disable no-control-regex */
const LINE_CONTROL = /[\u0000-\u001F]/;
const TEXT_CONTROL = /[\u0000-\u0008\u000B-\u001F]/;
/* eslint-enable no-control-regex */

/**
 * Why `s` cannot go into the domain XML, or undefined. Every config string ends up there (as text or
 * an attribute), and none of them has a use for control characters; only free text keeps line breaks.
 */
function unwritable(s: string, multiline: boolean): string | undefined {
  const control = (multiline ? TEXT_CONTROL : LINE_CONTROL).exec(s);
  const bad = control ? { index: control.index, codePoint: s.charCodeAt(control.index) } : findNonXmlChar(s);
  if (!bad) return undefined;
  const what = `contains ${describeChar(bad.codePoint)} at character ${bad.index + 1}`;
  if (multiline && bad.codePoint === 0x0d) return `${what}: end lines with "\\n" alone`;
  return [0x09, 0x0a, 0x0d].includes(bad.codePoint)
    ? `${what}: this field is one line`
    : `${what}, which the domain XML cannot carry`;
}

export class Issues {
  readonly problems: string[] = [];

  constructor(readonly source: string) {}

  add(at: string, message: string): void {
    this.problems.push(at ? `${at}: ${message}` : message);
  }

  throwIfAny(): void {
    if (this.problems.length) throw new ConfigError(this.source, this.problems);
  }

  private missing(at: string, value: unknown, opts: Opts, what: string): boolean {
    if (value !== undefined) return false;
    if (opts.required) this.add(at, `is required (${what})`);
    return true;
  }

  string(at: string, value: unknown, opts: StringOpts = {}): string | undefined {
    if (this.missing(at, value, opts, 'a string')) return undefined;
    if (typeof value !== 'string') {
      this.add(at, `${describe(value)} is not a string`);
      return undefined;
    }
    const why = unwritable(value, opts.multiline ?? false);
    if (why === undefined) return value;
    this.add(at, why);
    return undefined;
  }

  absolutePath(at: string, value: unknown, opts: Opts = {}): string | undefined {
    const s = this.string(at, value, opts);
    if (s !== undefined && !s.startsWith('/')) {
      this.add(
        at,
        `"${s}" is not an absolute path (libvirt resolves paths on the host, not next to the config)`,
      );
    }
    return s;
  }

  boolean(at: string, value: unknown, opts: Opts = {}): boolean | undefined {
    if (this.missing(at, value, opts, 'true or false')) return undefined;
    if (typeof value === 'boolean') return value;
    this.add(at, `${describe(value)} is not true or false`);
    return undefined;
  }

  integer(at: string, value: unknown, opts: Opts & { min: number; max: number }): number | undefined {
    if (this.missing(at, value, opts, 'a whole number')) return undefined;
    if (typeof value === 'number' && Number.isInteger(value) && value >= opts.min && value <= opts.max) {
      return value;
    }
    this.add(at, `${describe(value)} is not a whole number from ${opts.min} to ${opts.max}`);
    return undefined;
  }

  oneOf<T extends string>(at: string, value: unknown, allowed: readonly T[], opts: Opts = {}): T | undefined {
    if (this.missing(at, value, opts, `one of ${allowed.join(', ')}`)) return undefined;
    if (allowed.includes(value as T)) return value as T;
    this.add(at, `${describe(value)} is not one of ${allowed.map((a) => `"${a}"`).join(', ')}`);
    return undefined;
  }

  object(at: string, value: unknown, opts: Opts = {}): boolean {
    if (this.missing(at, value, opts, 'an object')) return false;
    if (isRecord(value)) return true;
    this.add(at, `${describe(value)} is not an object`);
    return false;
  }

  array(at: string, value: unknown): unknown[] | undefined {
    if (value === undefined) return undefined;
    if (Array.isArray(value)) return value;
    this.add(at, `${describe(value)} is not a list`);
    return undefined;
  }

  stringArray(at: string, value: unknown): string[] | undefined {
    const list = this.array(at, value);
    return list?.filter((v, i) => this.string(`${at}[${i}]`, v, { required: true }) !== undefined) as
      string[] | undefined;
  }

  /** Unknown keys are typos more often than not: name them, with the closest known key. */
  unknownKeys(at: string, obj: Obj, known: string[]): void {
    for (const key of Object.keys(obj)) {
      if (known.includes(key)) continue;
      const guess = closest(key, known);
      this.add(
        at ? `${at}.${key}` : key,
        `is not a known field${guess ? ` (did you mean "${guess}"?)` : ''}`,
      );
    }
  }
}

function closest(word: string, candidates: string[]): string | undefined {
  let best: string | undefined;
  let bestDistance = Math.max(2, Math.floor(word.length / 3)) + 1;
  for (const c of candidates) {
    const d = editDistance(word.toLowerCase(), c.toLowerCase());
    if (d < bestDistance) [best, bestDistance] = [c, d];
  }
  return best;
}

function editDistance(a: string, b: string): number {
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const row = [i];
    for (let j = 1; j <= b.length; j++) {
      row[j] = Math.min(
        (prev[j] as number) + 1,
        (row[j - 1] as number) + 1,
        (prev[j - 1] as number) + (a[i - 1] === b[j - 1] ? 0 : 1),
      );
    }
    prev = row;
  }
  return prev[b.length] as number;
}
