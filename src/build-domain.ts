/**
 * From a config file to the domain model: load, validate, read the template, generate.
 * Shared by `xml`, `define`, `host` and `doctor`, so they can never disagree about the domain.
 */
import { loadVm, type ResolvedVm } from './config/index.js';
import type { Domain } from './domain/model.js';
import { generate, GenerateError, type GenerateContext, type GenerateNote } from './generate/index.js';
import type { HostFacts } from './host/facts.js';
import type { HostNeeds } from './host/needs.js';
import { VirtGenError } from './util/errors.js';
import { FileReadError, MiB, readBounded } from './util/read-bounded.js';

export interface BuiltDomain {
  vm: ResolvedVm;
  domain: Domain;
  /** Generation's notes (warnings, choices made), each naming its config field. */
  notes: GenerateNote[];
}

export interface VmOnHost extends BuiltDomain {
  facts: HostFacts;
  needs: HostNeeds;
}

/** Offline, or with what `contextFor` learns from a host for this VM. */
export async function buildDomain(
  configFile: string,
  contextFor: (vm: ResolvedVm) => Promise<GenerateContext> = async () => ({}),
): Promise<BuiltDomain> {
  const vm = await loadVm(configFile);
  const template = vm.template ? await readTemplate(vm.template) : undefined;
  const context = await contextFor(vm);
  try {
    return { vm, ...generate(vm, context, template) };
  } catch (err) {
    // What generation refuses is a config field (cpu.pin 'auto': …): name the file it is in.
    if (err instanceof VirtGenError && !err.message.startsWith(configFile)) {
      err.message = `${configFile}: ${err.message}`;
    }
    throw err;
  }
}

/** The VM as it will be on the host under `root`: derived values (pins, GPU functions) from its facts. */
export async function buildOnHost(configFile: string, root: string): Promise<VmOnHost> {
  const [{ readHostFacts }, { hostGenerateContext }, { hostNeedsOf }] = await Promise.all([
    import('./host/facts.js'),
    import('./host/generate-context.js'),
    import('./host/needs-from-vm.js'),
  ]);
  let facts: HostFacts | undefined;
  const built = await buildDomain(configFile, async () => {
    facts = await readHostFacts(root);
    return hostGenerateContext(facts);
  });
  const hostFacts = facts as HostFacts;
  return { ...built, facts: hostFacts, needs: hostNeedsOf(built.vm, built.domain, hostFacts) };
}

async function readTemplate(file: string): Promise<Domain> {
  let text: string;
  try {
    // libvirt's own limit on a domain XML file (virsh define reads at most 10 MiB).
    const bytes = await readBounded(file, { limit: 10 * MiB, what: 'template' });
    if (bytes === undefined) throw new GenerateError(`template: ${file} does not exist`);
    text = bytes.toString('utf8');
  } catch (err) {
    if (err instanceof FileReadError) throw new GenerateError(`template: ${err.message}`);
    throw err;
  }
  // Loaded only when a config has a template: plain configs never pay for the XML parser.
  const { parseDomainXml, DomainXmlError } = await import('./domain/read.js');
  try {
    return parseDomainXml(text);
  } catch (err) {
    if (err instanceof DomainXmlError) throw new GenerateError(`template ${file}: ${err.message}`);
    throw err;
  }
}
