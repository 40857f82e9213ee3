/** What the config validator says of a config, for the tests that check its refusals by field. */
import { ConfigError } from '../../../../src/config/issues.js';
import { resolveConfig } from '../../../../src/config/validate.js';

/** The smallest config the validator accepts; tests spread their field over it. */
export const base = { name: 'vm', memory: 1024, cpu: { cores: 2 } };

/** The problems the validator lists for `config`; empty when it accepts it. */
export function problems(config: unknown): string[] {
  try {
    resolveConfig(config, '/configs', 'gaming.ts');
  } catch (err) {
    if (err instanceof ConfigError) return err.problems;
    throw err;
  }
  return [];
}
