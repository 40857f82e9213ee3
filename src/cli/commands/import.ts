/**
 * `virt-gen import ARGS`: a QEMU command line (a file, or - for stdin) to a libvirt domain, and
 * optionally to a virt-gen config that generates it. It reads the command line; it never runs it.
 */
import { FileReadError, MiB, readBounded } from '../../util/read-bounded.js';
import { lstat } from 'node:fs/promises';
import path from 'node:path';
import { VirtGenError } from '../../util/errors.js';
import { writeDomainXml } from '../../domain/write.js';
import { domainToConfigSource, importArgs, ImportError } from '../../import/index.js';
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
  // A config is edited by hand once written: checked before anything is written, so a refusal changes nothing.
  if (opts.config && !opts.force && (await exists(opts.config))) {
    throw new VirtGenError(`${opts.config} exists: nothing written (--force replaces it)`);
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
  const xml = writeDomainXml(domain);
  // With --json and no -o, the XML is in the JSON document, not beside it.
  if (opts.json && (!opts.output || opts.output === '-')) out.set('xml', xml);
  else await emit(xml, opts.output);
  out.set('output', opts.output && opts.output !== '-' ? opts.output : undefined);
  if (opts.config) {
    // With -o too, the config starts from that XML, so what it cannot express is kept from there.
    const template =
      opts.output && opts.output !== '-'
        ? path.relative(path.dirname(path.resolve(opts.config)), path.resolve(opts.output))
        : undefined;
    const source = domainToConfigSource(domain, warnings, {
      ...(template ? { template: template.startsWith('.') ? template : `./${template}` } : {}),
      source: file === '-' ? 'standard input' : file,
    });
    await emit(source, opts.config);
    out.set('config', opts.config);
    out.note(`wrote ${opts.config}`);
  }
  out.finish();
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
