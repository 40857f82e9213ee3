/**
 * QEMU option values: the classic `key=value,…` syntax (QemuOpts, with `,,` for a literal comma and an
 * implied first key such as `-smp 8` = `cpus=8`) and the JSON syntax (`-device '{"driver":…}'`).
 *
 * Both are read into one `Props`: a flat, ordered list of dotted keys (`cache.direct`) whose accessors
 * record which keys a mapper used, so that whatever it did not use can be reported, not dropped.
 */
import { ImportError, type ImportErrorDetails } from './errors.js';

/** A value as written: classic values are strings, a bare word is `undefined` (a flag). */
export type PropValue = string | number | boolean | null | undefined;

export interface PropEntry {
  key: string;
  value: PropValue;
}

export interface ParseOptions {
  /** The key a leading bare word stands for (`type` for `-machine q35`). */
  implied?: string;
  /** Where the option is, for error messages. */
  where?: ImportErrorDetails;
}

/** Parses an option value: JSON when it starts with `{`, else classic key=value. */
export function parseOptionValue(text: string, options: ParseOptions = {}): Props {
  const entries = text.trimStart().startsWith('{')
    ? flattenJson(parseJsonObject(text, options.where ?? {}))
    : parseKeyValue(text, options);
  return new Props(entries, options.where ?? {}, text.trimStart().startsWith('{'));
}

/** Splits `a=1,b,,c=2,flag` into entries; `,,` is a literal comma. */
export function parseKeyValue(text: string, options: ParseOptions = {}): PropEntry[] {
  const entries: PropEntry[] = [];
  const parts = splitCommas(text);
  parts.forEach((part, i) => {
    if (part === '' && (i === parts.length - 1 || parts.length === 1)) return; // trailing comma
    const eq = part.indexOf('=');
    if (eq < 0) {
      if (i === 0 && options.implied) entries.push({ key: options.implied, value: part });
      else entries.push({ key: part, value: undefined });
      return;
    }
    const key = part.slice(0, eq);
    if (key === '') throw new ImportError(`'${part}' has a value but no key`, options.where ?? {});
    entries.push({ key, value: part.slice(eq + 1) });
  });
  return entries;
}

/** Splits on single commas; a doubled comma is an escaped one. */
export function splitCommas(text: string): string[] {
  const parts: string[] = [];
  let cur = '';
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (c !== ',') {
      cur += c;
    } else if (text[i + 1] === ',') {
      cur += ',';
      i++;
    } else {
      parts.push(cur);
      cur = '';
    }
  }
  parts.push(cur);
  return parts;
}

function parseJsonObject(text: string, where: ImportErrorDetails): Record<string, unknown> {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    const detail = err instanceof Error ? err.message : String(err);
    throw new ImportError(`invalid JSON: ${detail}`, where);
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw new ImportError('expected a JSON object', where);
  }
  if (jsonDepth(value) > MAX_JSON_NESTING) {
    throw new ImportError(`JSON nested deeper than ${MAX_JSON_NESTING} levels, which QEMU refuses`, where);
  }
  return value as Record<string, unknown>;
}

/** QEMU's JSON parser limit (qobject/json-streamer.c, MAX_NESTING). */
const MAX_JSON_NESTING = 1024;

/** How deep objects and arrays nest, measured without recursion (the input may be hostile). */
function jsonDepth(root: unknown): number {
  let max = 0;
  const stack: Array<[unknown, number]> = [[root, 1]];
  while (stack.length) {
    const [v, depth] = stack.pop() as [unknown, number];
    if (v === null || typeof v !== 'object') continue;
    max = Math.max(max, depth);
    if (max > MAX_JSON_NESTING) return max;
    for (const child of Object.values(v)) stack.push([child, depth + 1]);
  }
  return max;
}

/** `{"cache":{"direct":true}}` -> `cache.direct=true`; arrays become `key.0`, `key.1`. */
function flattenJson(obj: Record<string, unknown>, prefix = '', out: PropEntry[] = []): PropEntry[] {
  for (const [k, v] of Object.entries(obj)) {
    const key = prefix + k;
    if (Array.isArray(v)) flattenJson(Object.fromEntries(v.map((x, i) => [String(i), x])), key + '.', out);
    else if (v !== null && typeof v === 'object') flattenJson(v as Record<string, unknown>, key + '.', out);
    else out.push({ key, value: v as PropValue });
  }
  return out;
}

const TRUE = new Set(['on', 'yes', 'true', 'y']);
const FALSE = new Set(['off', 'no', 'false', 'n']);

/** Size suffixes as QEMU reads them (powers of 1024). */
const SIZE_UNITS: Record<string, number> = {
  '': 1,
  b: 1,
  k: 2 ** 10,
  m: 2 ** 20,
  g: 2 ** 30,
  t: 2 ** 40,
  p: 2 ** 50,
};

/** Parses `4000`, `4G`, `512M`, `219136k` into bytes; a bare number is in `defaultUnit`. */
export function parseSize(raw: string, defaultUnit = ''): number | undefined {
  const m = /^\s*(\d+(?:\.\d+)?)\s*([kmgtpb]?)(?:i?b)?\s*$/i.exec(raw);
  if (!m) return undefined;
  const unit = (m[2] || defaultUnit).toLowerCase();
  const bytes = Number(m[1]) * (SIZE_UNITS[unit] as number);
  return Number.isFinite(bytes) ? Math.round(bytes) : undefined;
}

/** Decimal or 0x-hex integers, as QEMU accepts them. */
export function parseIntValue(raw: string): number | undefined {
  const s = raw.trim();
  if (/^-?\d+$/.test(s)) return Number(s);
  if (/^0x[0-9a-f]+$/i.test(s)) return parseInt(s, 16);
  return undefined;
}

/**
 * The properties of one option, with use tracking: every accessor marks the key used; `unused()`
 * lists what no mapper looked at.
 */
export class Props {
  private readonly used = new Set<string>();

  constructor(
    readonly entries: PropEntry[],
    readonly where: ImportErrorDetails,
    readonly json = false,
  ) {}

  has(key: string): boolean {
    return this.entries.some((e) => e.key === key);
  }

  /** The raw value of the last occurrence (QEMU lets a later key win). */
  raw(key: string): PropValue {
    this.used.add(key);
    let found: PropValue;
    for (const e of this.entries) if (e.key === key) found = e.value;
    return found;
  }

  str(key: string): string | undefined {
    const v = this.raw(key);
    if (v === undefined || v === null) return undefined;
    if (typeof v === 'boolean') return v ? 'on' : 'off';
    return String(v);
  }

  /** A string that must match `pattern` (what libvirt's schema takes), described as `what`. */
  matching(key: string, pattern: RegExp, what: string): string | undefined {
    const v = this.str(key);
    if (v !== undefined && !pattern.test(v)) throw this.error(key, `expected ${what}, found '${v}'`);
    return v;
  }

  /** `bootindex`: QEMU counts from 0 and reads a negative one as "not bootable". */
  bootIndex(): number | undefined {
    const n = this.int('bootindex');
    return n === undefined || n < 0 ? undefined : n;
  }

  /** on/off, yes/no, true/false; a bare flag (`readonly`) is true. */
  bool(key: string): boolean | undefined {
    if (!this.has(key)) {
      this.used.add(key);
      return undefined;
    }
    const v = this.raw(key);
    if (v === undefined) return true;
    if (typeof v === 'boolean') return v;
    const s = String(v).toLowerCase();
    if (TRUE.has(s)) return true;
    if (FALSE.has(s)) return false;
    throw this.error(key, `expected on or off, found '${String(v)}'`);
  }

  int(key: string): number | undefined {
    const v = this.raw(key);
    if (v === undefined || v === null) return undefined;
    if (typeof v === 'number' && Number.isInteger(v)) return v;
    const n = parseIntValue(String(v));
    if (n === undefined) throw this.error(key, `expected an integer, found '${String(v)}'`);
    return n;
  }

  /** A size in bytes; a bare number is in `defaultUnit` (QEMU's `-m 4000` is MiB). */
  size(key: string, defaultUnit = ''): number | undefined {
    const v = this.raw(key);
    if (v === undefined || v === null) return undefined;
    if (typeof v === 'number') return v;
    const n = parseSize(String(v), defaultUnit);
    if (n === undefined) {
      throw this.error(key, `expected a size such as 4096, 4G or 512M, found '${String(v)}'`);
    }
    return n;
  }

  /** Marks keys as understood without reading them (libvirt-internal ones, such as `id`). */
  ignore(...keys: string[]): void {
    for (const k of keys) this.used.add(k);
  }

  /** Keys under `prefix.` (for `in.*`, `cache.*`), without the prefix. */
  keysUnder(prefix: string): string[] {
    return this.entries
      .filter((e) => e.key.startsWith(prefix + '.'))
      .map((e) => e.key.slice(prefix.length + 1));
  }

  /** Entries no accessor touched, in order: what the import did not carry over. */
  unused(): PropEntry[] {
    return this.entries.filter((e) => !this.used.has(e.key));
  }

  error(key: string, message: string): ImportError {
    return new ImportError(`${key}: ${message}`, this.where);
  }
}

/** `key=value` as written, for warnings. */
export function formatEntry(e: PropEntry): string {
  return e.value === undefined ? e.key : `${e.key}=${String(e.value)}`;
}
