/**
 * `virt-gen diff CONFIG`: what `define` would change, in the config's terms: the config's changes
 * since the last define, the hand edits made in libvirt since, and where they conflict. Reads
 * only; nothing is written, on the host or in libvirt.
 */
import path from 'node:path';
import { buildOnHost } from '../../build-domain.js';
import { writeDomainXml } from '../../domain/write.js';
import type { GlobalOptions } from '../options.js';

export type DiffCommandOptions = GlobalOptions;

const say = (line: string): boolean => process.stdout.write(line + '\n');

export async function runDiff(config: string, opts: DiffCommandOptions): Promise<void> {
  const { domain } = await buildOnHost(config, opts.root ?? '/');
  const { openBackend } = await import('../../libvirt/index.js');
  const { pendingChanges } = await import('../../define/pending.js');
  const { backend } = await openBackend({
    ...(opts.backend ? { backend: opts.backend } : {}),
    ...(opts.connect ? { uri: opts.connect } : {}),
  });
  try {
    const p = await pendingChanges({
      xml: writeDomainXml(domain),
      configPath: path.resolve(config),
      backend,
    });
    if (p.owner) say(`domain '${p.name}' belongs to ${p.owner}: define refuses it without --force`);
    if (p.state === 'new') return void say(`domain '${p.name}' is not defined yet: define would create it`);
    if (p.state === 'no-base') {
      say(
        `no record of virt-gen's last define of '${p.name}' (not defined by virt-gen, or another state dir):`,
      );
      say(p.xmlDiff || '(no difference)');
      return;
    }
    section('config changes (define applies them)', p.config);
    section('hand edits in libvirt (define keeps them)', p.edits);
    section(
      'conflicts (define refuses; --theirs keeps the edit, --ours applies the config)',
      p.conflicts.map((c) => `${c.field}: config ${c.config}, edited in libvirt to ${c.edited}`),
    );
  } finally {
    await backend.close();
  }
}

function section(title: string, lines: string[]): void {
  say(`${title}:${lines.length ? '' : ' none'}`);
  for (const l of lines) say(`  ${l}`);
}
