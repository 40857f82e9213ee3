/**
 * Loads a config file (`gaming.ts`, `.mts`, `.js`, `.mjs`) from any folder and returns its default export.
 *
 * Node 20 cannot import TypeScript, and a config that lives outside any project cannot resolve
 * `import { defineVm } from 'virt-gen'`. So:
 * - fast path (a single-file config, the usual case): strip the types with sucrase, point the
 *   `'virt-gen'` specifier at the running virt-gen, and import the result as a `data:` module.
 *   No loader hooks; the result is cached by content in ~/.cache/virt-gen (XDG_CACHE_HOME).
 * - a config that imports its own modules or packages: jiti, with `'virt-gen'` aliased the same way.
 */
import { VirtGenError } from '../util/errors.js';
import { mkdir } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { isBuiltin } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { packageRoot } from '../util/package-root.js';
import { FileReadError, MiB, readBounded } from '../util/read-bounded.js';
import { configTimeoutMs, withinTimeLimit } from './time-limit.js';

export class ConfigLoadError extends VirtGenError {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'ConfigLoadError';
  }
}

const CONFIG_EXTENSIONS = ['.ts', '.mts', '.js', '.mjs'];
/** A config is a page or two of code; anything near this size is not one. */
const CONFIG_LIMIT = 4 * MiB;

/** Loads `file` and returns what it exports by default. Throws ConfigLoadError with the file named. */
export async function loadConfigFile(file: string): Promise<unknown> {
  const abs = path.resolve(file);
  const ext = path.extname(abs);
  if (!CONFIG_EXTENSIONS.includes(ext)) {
    throw new ConfigLoadError(`${file}: a config is a ${CONFIG_EXTENSIONS.join(', ')} file`);
  }
  let source: string;
  try {
    const bytes = await readBounded(abs, { limit: CONFIG_LIMIT, what: 'config' });
    if (bytes === undefined) throw new ConfigLoadError(`cannot read config ${file}: no such file`);
    source = bytes.toString('utf8');
  } catch (err) {
    if (err instanceof FileReadError)
      throw new ConfigLoadError(err.message.replace(abs, file), { cause: err });
    throw err;
  }
  const specifiers = importSpecifiers(source);
  // A data: module has no file URL: a config that asks where it is (import.meta.url, .dirname,
  // .filename) goes through jiti, which gives it its own.
  const selfContained =
    !/\bimport\.meta\b/.test(source) && specifiers.every((s) => s === 'virt-gen' || isBuiltin(s));
  const mod = selfContained ? await importFast(file, abs, source) : await importWithJiti(file, abs);
  return defaultExport(file, mod);
}

/** Evaluates a config module under the time limit (see time-limit.ts). */
function evaluate<T>(file: string, run: () => Promise<T>): Promise<T> {
  let ms: number;
  try {
    ms = configTimeoutMs();
  } catch (err) {
    throw new ConfigLoadError((err as Error).message, { cause: err });
  }
  return withinTimeLimit(ms, run, (reason) => new ConfigLoadError(`${file}: ${reason}`));
}

async function importFast(file: string, abs: string, source: string): Promise<Record<string, unknown>> {
  const js = abs.endsWith('ts') ? await transpiled(file, abs, source) : pointAtVirtGen(source);
  try {
    const url = 'data:text/javascript;base64,' + Buffer.from(js).toString('base64');
    return await evaluate(file, () => import(url) as Promise<Record<string, unknown>>);
  } catch (err) {
    // V8's message for a syntax error in a data: module has no position; babel's (in jiti) does.
    if (err instanceof SyntaxError) return importWithJiti(file, abs);
    throw runtimeError(file, err);
  }
}

const pointAtVirtGen = (js: string): string =>
  js.replace(
    VIRT_GEN_SPECIFIER,
    (_m, pre: string, quote: string) => `${pre}${quote}${publicModuleUrl()}${quote}`,
  );

/**
 * The config as JavaScript. Cached by content (and by which virt-gen it points at), so an
 * unchanged config never loads the TypeScript stripper again: that is half of `xml`'s start-up.
 */
async function transpiled(file: string, abs: string, source: string): Promise<string> {
  const key = `${publicModuleUrl()}\0${source}`;
  const cacheFile = path.join(cacheDir(), `${nameOf(key)}.json`);
  const cached = await readCache(cacheFile, key);
  if (cached !== undefined) return cached;
  const sucrase = await import('sucrase');
  // sucrase is CommonJS: its exports arrive as named exports or on `default`, depending on the bundler.
  const transform =
    sucrase.transform ?? (sucrase as unknown as { default: typeof sucrase }).default.transform;
  let js: string;
  try {
    js = pointAtVirtGen(
      transform(source, { transforms: ['typescript'], filePath: abs, disableESTransforms: true }).code,
    );
  } catch (err) {
    throw new ConfigLoadError(`${file}: syntax error: ${(err as Error).message}`, { cause: err });
  }
  await writeCache(cacheFile, { key, js });
  return js;
}

/**
 * A cache entry is `{ key, js }`: the file name is a short hash of the key (FNV-1a, twice: no
 * node:crypto to load at every start), and the key inside is compared whole, so two configs whose
 * names collide only take turns in the cache.
 */
interface CacheEntry {
  key: string;
  js: string;
}

function nameOf(key: string): string {
  const fnv = (seed: number): string => {
    let h = seed;
    for (let i = 0; i < key.length; i++) h = Math.imul(h ^ key.charCodeAt(i), 0x01000193);
    return (h >>> 0).toString(16).padStart(8, '0');
  };
  return fnv(0x811c9dc5) + fnv(0x050c5d1f);
}

async function readCache(file: string, key: string): Promise<string | undefined> {
  try {
    const bytes = await readBounded(file, { limit: CONFIG_LIMIT * 6, what: 'cache', noFollow: true });
    const entry = bytes && (JSON.parse(bytes.toString('utf8')) as Partial<CacheEntry>);
    return entry && entry.key === key && typeof entry.js === 'string' ? entry.js : undefined;
  } catch {
    return undefined; // unreadable or not an entry: transpiled again and rewritten
  }
}

function cacheDir(): string {
  const base = process.env.XDG_CACHE_HOME || path.join(os.homedir(), '.cache');
  return path.join(base, 'virt-gen', 'configs');
}

/** Best effort: a cache that cannot be written (read-only home, no home) only costs speed. */
async function writeCache(file: string, entry: CacheEntry): Promise<void> {
  try {
    // Loaded here, on a miss only: the safe writer brings node:crypto (random temp names).
    const { writeFileSafely } = await import('../util/write-output.js');
    await mkdir(path.dirname(file), { recursive: true, mode: 0o700 });
    await writeFileSafely(file, JSON.stringify(entry), 0o600);
  } catch {
    // ignored on purpose
  }
}

async function importWithJiti(file: string, abs: string): Promise<Record<string, unknown>> {
  const { createJiti } = await import('jiti');
  const jiti = createJiti(abs, {
    alias: { 'virt-gen': fileURLToPath(publicModuleUrl()) },
    moduleCache: false,
    interopDefault: false,
  });
  try {
    return await evaluate(file, () => jiti.import(abs) as Promise<Record<string, unknown>>);
  } catch (err) {
    throw runtimeError(file, err);
  }
}

function runtimeError(file: string, err: unknown): ConfigLoadError {
  if (err instanceof ConfigLoadError) return err;
  const message = err instanceof Error ? err.message : String(err);
  // babel (inside jiti) reports "ParseError: Unexpected token\n\n /path/file.ts:2:36".
  const parse = /^(?:ParseError|SyntaxError): ([^\n]*)[\s\S]*?:(\d+):(\d+)\s*$/.exec(message);
  const cause = { cause: err };
  if (parse) {
    return new ConfigLoadError(`${file}:${parse[2]}:${parse[3]}: syntax error: ${parse[1]?.trim()}`, cause);
  }
  if (err instanceof SyntaxError) return new ConfigLoadError(`${file}: syntax error: ${message}`, cause);
  return new ConfigLoadError(`${file}: the config failed while loading: ${message}`, cause);
}

function defaultExport(file: string, mod: Record<string, unknown>): unknown {
  if (!('default' in mod)) {
    throw new ConfigLoadError(`${file}: no default export (write: export default defineVm({ ... }))`);
  }
  return mod.default;
}

// `from 'virt-gen'`, `import 'virt-gen'`, `import('virt-gen')`: the places a specifier can stand.
const VIRT_GEN_SPECIFIER = /(\bfrom\s*|\bimport\s*\(?\s*)(['"])virt-gen\2/g;
const SPECIFIER = /(?:\bfrom\s*|\bimport\s*\(?\s*)(['"])([^'"\n]+)\1/g;

/** The module specifiers a source imports (static and literal dynamic imports). */
export function importSpecifiers(source: string): string[] {
  return [...source.matchAll(SPECIFIER)].map((m) => m[2] as string);
}

let cachedPublicUrl: string | undefined;

/**
 * The URL of the running virt-gen's public module (what `'virt-gen'` means inside a config):
 * `dist/index.js` of this package (the bundle), or `build/src/index.js` when only tsc has run.
 */
export function publicModuleUrl(): string {
  if (cachedPublicUrl) return cachedPublicUrl;
  const dir = packageRoot();
  const candidates = [path.join(dir, 'dist', 'index.js'), path.join(dir, 'build', 'src', 'index.js')];
  const found = candidates.find((c) => existsSync(c));
  if (!found) throw new ConfigLoadError(`virt-gen is not built: run "npm run build" in ${dir}`);
  cachedPublicUrl = pathToFileURL(found).href;
  return cachedPublicUrl;
}
