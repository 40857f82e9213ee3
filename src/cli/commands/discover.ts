/** `virt-gen discover`: GPUs and their IOMMU groups, CPU topology, hugepage pools; a starter config. */
import { access } from 'node:fs/promises';
import { discover, formatDiscoveryText } from '../../host/discover.js';
import { HostError } from '../../host/errors.js';
import { chooseFactsSource } from '../../host/facts-source.js';
import { starterConfigSource } from '../../host/starter-config.js';
import { emit } from '../output.js';

export interface DiscoverCommandOptions {
  root?: string;
  /** `-c/--connect URI`: a remote URI reads the host through libvirt. */
  connect?: string;
  /** `--facts sysfs|libvirt`: force the facts source. */
  facts?: string;
  json?: boolean;
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
  const source = chooseFactsSource({ uri: opts.connect, root: opts.root, facts: opts.facts });
  const facts = await source.read();
  const found = discover(facts);
  // With `--config -` the config alone goes to stdout, so it can be redirected.
  if (opts.config !== '-') {
    process.stdout.write(opts.json ? JSON.stringify(found, null, 2) + '\n' : formatDiscoveryText(found));
  }
  if (opts.config === undefined) return;
  if (opts.config !== '-' && !opts.force && (await exists(opts.config))) {
    throw new HostError(`${opts.config} exists: choose another file, or --force to replace it`, 'cli-exists');
  }
  await emit(starterConfigSource(facts, opts.name), opts.config);
  if (opts.config !== '-')
    process.stderr.write(`wrote ${opts.config}: review it, then \`virt-gen doctor ${opts.config}\`\n`);
}
