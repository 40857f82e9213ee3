/**
 * `virt-gen discover`: GPUs and their IOMMU groups, CPU topology, hugepage pools; a starter config,
 * with a tsconfig.json beside it (when there is none) so an editor checks it against this virt-gen.
 */
import { access } from 'node:fs/promises';
import path from 'node:path';
import { discover, formatDiscoveryText } from '../../host/discover.js';
import { readHostFacts } from '../../host/facts.js';
import { starterConfigSource } from '../../host/starter-config.js';
import { VirtGenError } from '../../util/errors.js';
import { tsconfigSource } from '../editor-setup.js';
import type { GlobalOptions } from '../options.js';
import { emit } from '../output.js';
import { Reporter } from '../reporter.js';

export interface DiscoverCommandOptions extends GlobalOptions {
  /** Write a starter config to this file. */
  config?: string;
  /** VM name in the starter config. */
  name?: string;
  force?: boolean;
}

async function exists(file: string): Promise<boolean> {
  return access(file).then(
    () => true,
    () => false,
  );
}

export async function runDiscover(opts: DiscoverCommandOptions): Promise<void> {
  const facts = await readHostFacts(opts.root ?? '/');
  const found = discover(facts);
  const out = new Reporter(opts.json === true);
  // With `--config -` the config alone goes to stdout, so it can be redirected.
  if (opts.config !== '-') {
    out.merge(found);
    out.say(formatDiscoveryText(found));
  }
  if (opts.config === undefined || opts.config === '-') {
    if (opts.config === '-') process.stdout.write(starterConfigSource(facts, opts.name));
    else out.finish();
    return;
  }
  if (opts.config !== '-' && !opts.force && (await exists(opts.config))) {
    throw new VirtGenError(
      `${opts.config} exists: choose another file, or --force to replace it (nothing written)`,
    );
  }
  await emit(starterConfigSource(facts, opts.name), opts.config);
  out.set('config', opts.config);
  const tsconfig = path.join(path.dirname(opts.config), 'tsconfig.json');
  if (await exists(tsconfig)) {
    out.note(`wrote ${opts.config} (${tsconfig} exists: left as it is)`);
  } else {
    await emit(tsconfigSource(), tsconfig);
    out.set('tsconfig', tsconfig);
    out.note(`wrote ${opts.config} and ${tsconfig} (your editor checks the config against this virt-gen)`);
  }
  out.note(`review it, then \`virt-gen doctor ${opts.config}\``);
  out.finish();
}
