/**
 * `virt-gen import ARGS`: a QEMU command line (a file, or - for stdin) to a libvirt domain, and
 * optionally to a virt-gen config that generates it, with `NAME.template.xml` beside it holding what
 * the config cannot say (import/remainder.ts). It reads the command line; it never runs it.
 */
import { FileReadError, MiB, readBounded } from '../../util/read-bounded.js';
import { lstat } from 'node:fs/promises';
import path from 'node:path';
import { VirtGenError } from '../../util/errors.js';
import { writeDomainXml } from '../../domain/write.js';
import { importArgs, importConfigFiles, ImportError } from '../../import/index.js';
import type { ConfigFiles } from '../../import/index.js';
import type { GlobalOptions } from '../options.js';
import { emit } from '../output.js';
import { Reporter } from '../reporter.js';

export interface ImportCommandOptions extends GlobalOptions {
  output?: string;
  name?: string;
  config?: string;
  bridge?: string;
  pwd?: string;
  force?: boolean;
}

export async function runImport(file: string, opts: ImportCommandOptions): Promise<void> {
  // A config on stdout (--config -) has no folder for a template beside it.
  const template = opts.config && opts.config !== '-' ? templateFileFor(opts.config) : undefined;
  // A config is edited by hand once written: checked before anything is written, so a refusal changes nothing.
  for (const target of [opts.config, template]) {
    if (target && !opts.force && (await exists(target))) {
      throw new VirtGenError(`${target} exists: nothing written (--force replaces it)`);
    }
  }
  const text = await readInput(file);
  const { domain, warnings } = importArgs(text, {
    ...(opts.name !== undefined ? { name: opts.name } : {}),
    ...(file !== '-' ? { fileName: path.basename(file) } : {}),
    ...(opts.bridge !== undefined ? { bridge: opts.bridge } : {}),
    // A start script's $(pwd) is most likely its own folder: that is where it keeps its files.
    pwd: path.resolve(opts.pwd ?? (file === '-' ? '.' : path.dirname(file))),
  });
  const out = new Reporter(opts.json === true);
  for (const w of warnings) out.warn(w);
  // Computed before the first write: a failure here leaves nothing half written.
  const files = opts.config
    ? importConfigFiles(domain, warnings, {
        templatePath: `./${path.basename(template ?? 'vm.template.xml')}`,
        source: file === '-' ? 'standard input' : file,
      })
    : undefined;
  if (files?.template !== undefined && template === undefined) {
    throw new VirtGenError(
      `--config -: this config needs a template beside it for what it cannot say ` +
        `(${parts(files.kept.length)}): nothing written; give --config a file name`,
    );
  }
  const xml = writeDomainXml(domain);
  // With --json and no -o, the XML is in the JSON document, not beside it.
  if (opts.json && (!opts.output || opts.output === '-')) out.set('xml', xml);
  else await emit(xml, opts.output);
  out.set('output', opts.output && opts.output !== '-' ? opts.output : undefined);
  if (opts.config && files) await writeConfig(opts.config, template, files, out);
  out.finish();
}

const parts = (n: number): string => `${n} ${n === 1 ? 'part' : 'parts'}`;

/** `vm.ts` -> `vm.template.xml`, beside it: the template the config names. */
export function templateFileFor(config: string): string {
  const base = path.basename(config).replace(/\.(ts|mts|js|mjs)$/, '');
  return path.join(path.dirname(config), `${base}.template.xml`);
}

async function writeConfig(
  config: string,
  template: string | undefined,
  files: ConfigFiles,
  out: Reporter,
): Promise<void> {
  // The template first: a config is never left naming a template that is not there.
  if (files.template !== undefined && template !== undefined) {
    await emit(files.template, template);
    out.set('template', template);
    out.set('kept', files.kept);
    out.note(
      `wrote ${template}: what the config cannot say (${parts(files.kept.length)}, listed in ${config})`,
    );
  }
  await emit(files.config, config);
  out.set('config', config);
  out.set('notKept', files.lost);
  out.note(`wrote ${config}`);
  if (files.lost.length) {
    const first = files.lost.slice(0, 3).join(', ') + (files.lost.length > 3 ? ', …' : '');
    const count =
      files.lost.length === 1
        ? '1 fact of the imported domain is'
        : `${files.lost.length} facts of the imported domain are`;
    out.warn(`${config}: ${count} not given back (listed in its header): ${first}`);
  }
}

async function exists(file: string): Promise<boolean> {
  try {
    await lstat(file);
    return true;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return false;
    throw err;
  }
}

async function readInput(file: string): Promise<string> {
  if (file === '-') {
    const chunks: Buffer[] = [];
    for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
    return Buffer.concat(chunks).toString('utf8');
  }
  try {
    // A QEMU command line, or a start script holding one: never megabytes.
    const bytes = await readBounded(file, { limit: 4 * MiB, what: 'input' });
    if (bytes === undefined) throw new ImportError(`cannot read ${file}: no such file`);
    return bytes.toString('utf8');
  } catch (err) {
    if (err instanceof FileReadError) throw new ImportError(err.message);
    throw err;
  }
}
