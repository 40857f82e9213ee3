/**
 * `import --config` as a round trip: a command line is imported, its config (and the template
 * holding what the config cannot say) written as the CLI writes them, then loaded and generated the
 * way `virt-gen xml` does (build-domain.ts); every fact of the imported domain must come back
 * (domain-facts.ts). Shared by the unit test, the integration test and
 * scripts/import-config-roundtrip.mjs, so the suite and the measure count the same thing.
 */
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { buildDomain } from '../../src/build-domain.js';
import { domainToElement } from '../../src/domain/write.js';
import { writeDomainXml } from '../../src/domain/write.js';
import type { Domain } from '../../src/domain/model.js';
import { domainToConfigSource, importArgs, importConfigFiles } from '../../src/import/index.js';
import { comparedFacts, lostFacts } from './domain-facts.js';
import { realWorldCases } from './import-facts.js';

export interface RoundTripCase {
  name: string;
  file: string;
  text: string;
}

const CORPUS_DIRS = ['argv2xml', 'xml2argv/v10.7.0-json', 'xml2argv/v7.9.0-classic'];

/** The real-world set, then libvirt's corpus (read in ../shared, never copied). */
export function roundTripCases(repo: string, shared: string): RoundTripCase[] {
  const real = realWorldCases(join(repo, 'test/fixtures/import-real')).map(({ name, file, text }) => ({
    name,
    file,
    text,
  }));
  const corpus = CORPUS_DIRS.flatMap((d) => {
    const dir = join(shared, 'corpus/libvirt-tests', d);
    return readdirSync(dir)
      .filter((f) => f.endsWith('.args'))
      .sort()
      .map((f) => ({ name: `${d}/${f}`, file: join(dir, f), text: readFileSync(join(dir, f), 'utf8') }));
  });
  return [...real, ...corpus];
}

export interface RoundTrip {
  name: string;
  /** The imported domain is x86 (the config language is x86 only). */
  x86: boolean;
  /** Why the written config did not load, if it did not. */
  loadError?: string;
  /** The compared facts of the imported domain. */
  facts: number;
  /** Those the config (with its template) does not give back. */
  lost: string[];
  /** The template was written (the config could not say everything). */
  templated: boolean;
  /** What the header of the config says is not given back. */
  reported: string[];
}

const isX86 = (d: Domain): boolean => ['x86_64', 'i686', undefined].includes(d.os?.type?.arch);

/**
 * Writes the case's config (and template) into `dir` and generates it back. `remainder: false`
 * measures the config alone, as `import --config` wrote it before the remainder template.
 */
export async function roundTrip(
  c: RoundTripCase,
  dir: string,
  moduleUrl: string,
  options: { remainder?: boolean } = {},
): Promise<RoundTrip> {
  const { domain, warnings } = importArgs(c.text, { fileName: c.file, pwd: '/vm' });
  const imported = domainToElement(domain);
  const files =
    options.remainder === false
      ? { config: domainToConfigSource(domain, warnings, { source: c.file }), lost: [] }
      : importConfigFiles(domain, warnings, { templatePath: './vm.template.xml', source: c.file });
  writeFileSync(join(dir, 'vm.ts'), files.config.replace("from 'virt-gen'", `from '${moduleUrl}'`));
  if ('template' in files && files.template) writeFileSync(join(dir, 'vm.template.xml'), files.template);
  const base = {
    name: c.name,
    x86: isX86(domain),
    facts: comparedFacts(imported).length,
    templated: 'template' in files && files.template !== undefined,
    reported: files.lost,
  };
  try {
    const { domain: back } = await buildDomain(join(dir, 'vm.ts'));
    return { ...base, lost: lostFacts(imported, writeDomainXml(back)) };
  } catch (err) {
    return { ...base, loadError: (err as Error).message, lost: comparedFacts(imported) };
  }
}
