/**
 * The reverse mapping (domain -> config, src/import/to-config/) against the forward one (config ->
 * domain, src/generate): for any config the validator accepts, the config the importer writes back
 * from its domain generates the same domain. A word or default added on one side only fails here.
 */
import { describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import { ConfigError } from '../../../src/config/issues.js';
import { resolveConfig } from '../../../src/config/validate.js';
import { writeDomainXml } from '../../../src/domain/write.js';
import { generateDomain } from '../../../src/generate/index.js';
import { domainToConfig } from '../../../src/import/to-config/index.js';
import { configArbitrary } from '../../support/config-arbitrary.js';

/**
 * A command line does not say which device is the GPU: the importer takes a device passed through
 * with more than one function for it (docs/import.md). A one-function "GPU" reads back as `pci`.
 */
function gpuIsRecognisable(config: Record<string, unknown>): boolean {
  const gpus = [config.gpu ?? []].flat() as Array<{ functions?: number[] }>;
  return gpus.every((g) => g.functions === undefined || g.functions.length > 1);
}

function generated(config: unknown): string | undefined {
  try {
    return writeDomainXml(generateDomain(resolveConfig(config, '/configs', 'prop.ts'), {}));
  } catch (err) {
    if (err instanceof ConfigError) return undefined;
    throw err;
  }
}

describe('domain -> config -> domain', () => {
  it('gives back the same domain for every accepted config', () => {
    let compared = 0;
    fc.assert(
      fc.property(configArbitrary(false).filter(gpuIsRecognisable), (config) => {
        const xml = generated(config);
        if (xml === undefined) return;
        compared++;
        const vm = resolveConfig(config, '/configs', 'prop.ts');
        const back = domainToConfig(generateDomain(vm, {})).config;
        expect(generated(back)).toBe(xml);
      }),
      { numRuns: 300, seed: 10 },
    );
    expect(compared).toBeGreaterThan(150);
  });
});
