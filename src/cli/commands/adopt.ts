/**
 * `virt-gen adopt NAME --config FILE`: a domain made by virt-manager or virt-install becomes a
 * config, and the domain that config's (define/adopt.ts).
 */
import path from 'node:path';
import { buildOnHost } from '../../build-domain.js';
import { writeDomainXml } from '../../domain/write.js';
import { virtGenHint } from '../hints.js';
import { backendOptions, type GlobalOptions } from '../options.js';
import { Reporter } from '../reporter.js';

export interface AdoptCommandOptions extends GlobalOptions {
  config: string;
  force?: boolean;
}

export async function runAdopt(name: string, opts: AdoptCommandOptions): Promise<void> {
  const out = new Reporter(opts.json === true);
  const { openBackend } = await import('../../libvirt/index.js');
  const { adoptDomain } = await import('../../define/adopt.js');
  const { backend } = await openBackend(backendOptions(opts));
  try {
    const r = await adoptDomain({
      name,
      configPath: path.resolve(opts.config),
      backend,
      force: opts.force === true,
      generate: async (file) => writeDomainXml((await buildOnHost(file, opts.root ?? '/')).domain),
    });
    out.merge({ name: r.name, uuid: r.uuid, config: r.configPath, notes: r.notes });
    out.say(`adopted domain '${r.name}' (uuid ${r.uuid}): its config is ${r.configPath}`);
    if (r.notes.length) {
      out.say(`kept in the domain as it is (the config cannot express it; listed in the config's header):`);
      for (const n of r.notes) out.say(`  ${n}`);
    }
    for (const w of r.warnings) out.warn(w);
    out.say(
      `change the config and run: ${virtGenHint(['define', opts.config], opts)} (edits made in virt-manager are kept)`,
    );
  } finally {
    await backend.close();
  }
  out.finish();
}
