/**
 * `virt-gen diff CONFIG`: what `define` would change, in the config's terms: the config's changes
 * since the last define, the hand edits made in libvirt since, and where they conflict. Reads
 * only; nothing is written, on the host or in libvirt.
 */
import path from 'node:path';
import { buildOnHost } from '../../build-domain.js';
import { writeDomainXml } from '../../domain/write.js';
import type { PendingChanges } from '../../define/pending.js';
import type { GlobalOptions } from '../options.js';
import { Reporter } from '../reporter.js';

export type DiffCommandOptions = GlobalOptions;

export async function runDiff(config: string, opts: DiffCommandOptions): Promise<void> {
  const { domain } = await buildOnHost(config, opts.root ?? '/');
  const { openBackend } = await import('../../libvirt/index.js');
  const { pendingChanges } = await import('../../define/pending.js');
  const { backend } = await openBackend({
    ...(opts.backend ? { backend: opts.backend } : {}),
    ...(opts.connect ? { uri: opts.connect } : {}),
  });
  const out = new Reporter(opts.json === true);
  const say = (line: string): void => out.say(line);
  try {
    const p = await pendingChanges({
      xml: writeDomainXml(domain),
      configPath: path.resolve(config),
      backend,
    });
    out.merge(p);
    if (p.owner) say(`domain '${p.name}' belongs to ${p.owner}: define refuses it without --force`);
    if (p.state === 'new') say(`domain '${p.name}' is not defined yet: define would create it`);
    else if (p.state === 'no-base') {
      say(
        `no record of virt-gen's last define of '${p.name}' (not defined by virt-gen, or another state dir):`,
      );
      say(p.xmlDiff || '(no difference)');
    } else showSections(out, p);
  } finally {
    await backend.close();
  }
  out.finish();
}

function showSections(out: Reporter, p: PendingChanges): void {
  section(out, 'config changes (define applies them)', p.config);
  section(out, 'hand edits in libvirt (define keeps them)', p.edits);
  section(
    out,
    'conflicts (define refuses; --theirs keeps the edit, --ours applies the config)',
    p.conflicts.map((c) => `${c.field}: config ${c.config}, edited in libvirt to ${c.edited}`),
  );
}

function section(out: Reporter, title: string, lines: string[]): void {
  out.say(`${title}:${lines.length ? '' : ' none'}`);
  for (const l of lines) out.say(`  ${l}`);
}
