/**
 * `virt-gen xml CONFIG`: the domain XML on stdout, nothing else touched.
 *
 * Offline by default: the output depends on the config alone, whatever machine runs it. The host
 * is read (under --root, default /) only with --root, or for a value the config asks to derive
 * from it (`cpu.pin: 'auto'`); then the GPU's functions come from the host too.
 */
import { buildDomain } from '../../build-domain.js';
import type { GenerateContext } from '../../generate/index.js';
import type { ResolvedVm } from '../../config/index.js';
import { writeDomainXml } from '../../domain/write.js';
import { emit, formatNote } from '../output.js';

export async function runXml(config: string, opts: { output?: string; root?: string }): Promise<void> {
  const { domain, notes } = await buildDomain(config, (vm) => hostContext(vm, opts.root));
  // stdout is the XML alone: warnings go to stderr (the choices made, `info`, show in define and doctor).
  for (const n of notes.filter((n) => n.level === 'warning')) process.stderr.write(formatNote(n) + '\n');
  await emit(writeDomainXml(domain), opts.output);
}

async function hostContext(vm: ResolvedVm, root: string | undefined): Promise<GenerateContext> {
  if (root === undefined && vm.cpu.pin !== 'auto') return {};
  const { readHostFacts } = await import('../../host/facts.js');
  const { hostGenerateContext } = await import('../../host/generate-context.js');
  return hostGenerateContext(await readHostFacts(root ?? '/'));
}
