/**
 * `virt-gen xml CONFIG`: the domain XML on stdout, nothing else touched.
 *
 * Offline and deterministic by default: the output depends on the config alone, whatever machine
 * runs it. The host is read (under --root) only when --root is given; then `cpu.pin: 'auto'` gets
 * its pins and the GPU its functions from that host, as `define` does on the VM's host.
 */
import { buildDomain } from '../../build-domain.js';
import type { GenerateContext } from '../../generate/index.js';
import type { ResolvedVm } from '../../config/index.js';
import { writeDomainXml } from '../../domain/write.js';
import type { GlobalOptions } from '../options.js';
import { emit, formatNote } from '../output.js';
import { Reporter } from '../reporter.js';

export interface XmlCommandOptions extends GlobalOptions {
  output?: string;
}

export async function runXml(config: string, opts: XmlCommandOptions): Promise<void> {
  const { vm, domain, notes } = await buildDomain(config, (vm) => hostContext(vm, opts.root));
  const out = new Reporter(false);
  // stdout is the XML alone: warnings go to stderr (the choices made, `info`, show in define and doctor).
  for (const n of notes.filter((n) => n.level === 'warning')) out.note(formatNote(n));
  if (opts.root === undefined && vm.cpu.pin === 'auto') {
    out.note(
      `note: ${config}: cpu.pin 'auto': no pins in this offline XML; they are chosen from the host's topology when the VM is defined on its host (\`virt-gen xml ${config} --root /\` shows them for this host)`,
    );
  }
  await emit(writeDomainXml(domain), opts.output);
}

async function hostContext(_vm: ResolvedVm, root: string | undefined): Promise<GenerateContext> {
  if (root === undefined) return {};
  const { readHostFacts } = await import('../../host/facts.js');
  const { hostGenerateContext } = await import('../../host/generate-context.js');
  return hostGenerateContext(await readHostFacts(root));
}
