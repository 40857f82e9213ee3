/**
 * `virt-gen adopt NAME --config FILE`: a domain made by virt-manager or virt-install becomes a
 * config, and the domain that config's (define/adopt.ts).
 */
import path from 'node:path';
import { buildOnHost } from '../../build-domain.js';
import { writeDomainXml } from '../../domain/write.js';
import type { GlobalOptions } from '../options.js';

export interface AdoptCommandOptions extends GlobalOptions {
  config: string;
  force?: boolean;
}

const say = (line: string): boolean => process.stdout.write(line + '\n');

export async function runAdopt(name: string, opts: AdoptCommandOptions): Promise<void> {
  const { openBackend } = await import('../../libvirt/index.js');
  const { adoptDomain } = await import('../../define/adopt.js');
  const { backend } = await openBackend({
    ...(opts.backend ? { backend: opts.backend } : {}),
    ...(opts.connect ? { uri: opts.connect } : {}),
  });
  try {
    const r = await adoptDomain({
      name,
      configPath: path.resolve(opts.config),
      backend,
      force: opts.force === true,
      generate: async (file) => writeDomainXml((await buildOnHost(file, opts.root ?? '/')).domain),
    });
    say(`adopted domain '${r.name}' (uuid ${r.uuid}): its config is ${r.configPath}`);
    if (r.notes.length) {
      say(`kept in the domain as it is (the config cannot express it; listed in the config's header):`);
      for (const n of r.notes) say(`  ${n}`);
    }
    for (const w of r.warnings) process.stderr.write(`warning: ${w}\n`);
    say(`change the config and run: virt-gen define ${opts.config} (edits made in virt-manager are kept)`);
  } finally {
    await backend.close();
  }
}
