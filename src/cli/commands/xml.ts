/** `virt-gen xml CONFIG`: the domain XML on stdout, nothing else touched. */
import { buildDomain } from '../../build-domain.js';
import { writeDomainXml } from '../../domain/write.js';
import { emit } from '../output.js';

export async function runXml(config: string, opts: { output?: string; root?: string }): Promise<void> {
  const { domain } = await buildDomain(config);
  await emit(writeDomainXml(domain), opts.output);
}
