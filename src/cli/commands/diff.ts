/**
 * `virt-gen diff CONFIG`: what `define` would change, in the config's terms: the config's changes
 * since the last define, the hand edits made in libvirt since, and where they conflict. Reads
 * only; nothing is written, on the host or in libvirt.
 */
import path from 'node:path';
import { buildOnHost } from '../../build-domain.js';
import { writeDomainXml } from '../../domain/write.js';
import type { PendingChanges } from '../../define/pending.js';
import { backendOptions, type GlobalOptions } from '../options.js';
import { Reporter } from '../reporter.js';

export type DiffCommandOptions = GlobalOptions;

export async function runDiff(config: string, opts: DiffCommandOptions): Promise<void> {
  const out = new Reporter(opts.json === true);
  const { domain } = await buildOnHost(config, opts.root ?? '/');
  const { openBackend } = await import('../../libvirt/index.js');
  const { pendingChanges } = await import('../../define/pending.js');
  const { backend } = await openBackend(backendOptions(opts));
  try {
    const p = await pendingChanges({
      xml: writeDomainXml(domain),
      configPath: path.resolve(config),
      backend,
    });
    out.merge(p);
    report(p, out);
  } finally {
    await backend.close();
  }
  out.finish();
}

function report(p: PendingChanges, out: Reporter): void {
  if (p.owner) out.say(`domain '${p.name}' belongs to ${p.owner}: define refuses it without --force`);
  if (p.state === 'new') return out.say(`domain '${p.name}' is not defined yet: define would create it`);
  if (p.state === 'no-base') {
    out.say(
      `no record of virt-gen's last define of '${p.name}' (not defined by virt-gen, or another state dir):`,
    );
    return out.say(p.xmlDiff || '(no difference)');
  }
  const section = (title: string, lines: string[]): void => {
    out.say(`${title}:${lines.length ? '' : ' none'}`);
    for (const l of lines) out.say(`  ${l}`);
  };
  section('config changes (define applies them)', p.config);
  section('hand edits in libvirt (define keeps them)', p.edits);
  section(
    'conflicts (define refuses; --theirs keeps the edit, --ours applies the config)',
    p.conflicts.map((c) => `${c.field}: config ${c.config}, edited in libvirt to ${c.edited}`),
  );
}
