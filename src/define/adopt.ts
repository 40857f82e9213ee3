/**
 * `virt-gen adopt NAME --config FILE`: a VM made elsewhere (virt-manager, virt-install) becomes a
 * config, and the domain is stamped as that config's, so that later defines manage it with the
 * three-way merge. The config is written by the importer's config writer (import/to-config.ts);
 * what it cannot express is listed in the config's header and simply stays in the domain: the
 * base kept here is libvirt's copy as it is and the XML the new config generates, so the merge
 * only ever applies what the config changes later. Re-defining the adopted config loses nothing.
 *
 * Order, so that an error changes nothing: every refusal first (no such domain, already managed,
 * config file exists), then the config is written to a temp file and generated from (an error
 * removes it), moved into place, then the base is kept, then the one stamp define.
 */
import { randomBytes } from 'node:crypto';
import { link, lstat, open, rename, rm } from 'node:fs/promises';
import { basename, dirname, extname, join } from 'node:path';
import { VERSION } from '../cli/version.js';
import { parseXml, writeXml } from '../domain/index.js';
import { parseDomainXml } from '../domain/read.js';
import { toLiteral } from '../import/config-source.js';
import { domainToConfig } from '../import/to-config/index.js';
import type { Backend } from '../libvirt/backend.js';
import { DefineError } from './errors.js';
import { keepMadeUp, withUuid } from './identity.js';
import { defaultStateDir, writeBase } from './state.js';
import { domainHash, readStamp, withoutStamp, withStamp, type Stamp } from './stamp.js';

export interface AdoptOptions {
  name: string;
  /** Absolute path of the config file to write; recorded in the stamp. */
  configPath: string;
  backend: Backend;
  /** The domain XML the config file generates (`virt-gen xml`), once written. */
  generate: (configPath: string) => Promise<string>;
  /** Adopt a domain another config manages; replace an existing config file. */
  force?: boolean;
  stateDir?: string;
}

export interface AdoptResult {
  name: string;
  uuid: string;
  configPath: string;
  /** What the config cannot express: it stays in the domain as it is. */
  notes: string[];
  warnings: string[];
}

export async function adoptDomain(options: AdoptOptions): Promise<AdoptResult> {
  const { name, backend, configPath } = options;
  const info = await backend.lookup(name);
  if (!info) throw new DefineError(`no domain '${name}' in ${backend.uri}: nothing was changed`);
  const xml = await backend.getXml(name, { inactive: true, secure: true });
  const el = parseXml(xml);
  const owner = readStamp(el)?.config;
  if (owner !== undefined && !options.force) {
    throw new DefineError(
      `domain '${name}' is already managed by ${owner}: nothing was changed; define from that config, or run with --force to adopt it with ${configPath}`,
    );
  }
  if (!options.force && (await exists(configPath))) throw existsError(configPath);
  const { config, notes, assumed } = domainToConfig(parseDomainXml(xml));
  const source = configSource(name, backend.uri, toLiteral(config), notes, assumed);
  const temp = await stageConfig(configPath, source);
  let generatedXml: string;
  try {
    generatedXml = await options.generate(temp);
  } catch (err) {
    await rm(temp, { force: true });
    const why = (err as Error).message;
    throw new DefineError(`the adopted config does not generate a domain (${why}): nothing was changed`, {
      cause: err,
    });
  }
  await commitConfig(temp, configPath, options.force === true);
  const generated = withoutStamp(parseXml(generatedXml));
  const record = keepMadeUp(withUuid(generated, info.uuid), el);
  const stamp: Stamp = {
    config: configPath,
    version: VERSION,
    generated: domainHash(generated),
    libvirt: domainHash(el),
  };
  const stateDir = options.stateDir ?? defaultStateDir();
  await writeBase(stateDir, info.uuid, { libvirt: writeXml(withoutStamp(el)), generated: writeXml(record) });
  await backend.define(writeXml(withStamp(el, stamp)), { validate: true });
  const after = parseXml(await backend.getXml(name, { inactive: true, secure: true }));
  const warnings =
    domainHash(after) === stamp.libvirt
      ? []
      : [
          'libvirt did not store the stamped definition identically: the next define may take it for a hand edit',
        ];
  return { name, uuid: info.uuid, configPath, notes, warnings };
}

function comment(lines: string[]): string[] {
  return lines.map((l) => ` *   - ${l.replace(/\*\//g, '* /')}`);
}

function configSource(
  name: string,
  uri: string,
  literal: string,
  notes: string[],
  assumed: string[],
): string {
  const header = [
    '/**',
    ` * Adopted by \`virt-gen adopt ${name}\` from the domain libvirt holds (${uri}).`.replace(
      /\*\//g,
      '* /',
    ),
    ' * `virt-gen define` on this file manages that domain: what the config changes is merged with',
    ' * what is in libvirt, and edits made in virt-manager are kept (docs/define.md).',
  ];
  if (notes.length) {
    header.push(
      ' *',
      ' * Not expressible in the config: kept in the domain as it is (hand edits):',
      ...comment(notes),
    );
  }
  if (assumed.length) header.push(' *', ' * Assumed:', ...comment(assumed));
  header.push(' */');
  return `${header.join('\n')}\nimport { defineVm } from 'virt-gen';\n\nexport default defineVm(${literal});\n`;
}

/**
 * The config, written to a private temp file next to `path` (O_EXCL, unpredictable name, `.ts` so
 * that the loader reads it as the config will be read).
 */
async function stageConfig(path: string, text: string): Promise<string> {
  const temp = join(dirname(path), `.${basename(path, extname(path))}.${randomBytes(8).toString('hex')}.ts`);
  const file = await open(temp, 'wx', 0o644);
  try {
    await file.writeFile(text);
    await file.sync();
  } finally {
    await file.close();
  }
  return temp;
}

/** Moves the staged config into place: never over an existing file unless `replace`. */
async function commitConfig(temp: string, path: string, replace: boolean): Promise<void> {
  if (replace) return rename(temp, path);
  try {
    await link(temp, path); // fails with EEXIST instead of replacing: a file made meanwhile is kept
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'EEXIST') throw existsError(path);
    throw err;
  } finally {
    await rm(temp, { force: true });
  }
}

function existsError(path: string): DefineError {
  return new DefineError(
    `${path} exists: nothing was changed; pick another --config, or run with --force to replace it`,
  );
}

async function exists(path: string): Promise<boolean> {
  try {
    await lstat(path);
    return true;
  } catch {
    return false;
  }
}
