/**
 * `import --config`: the config file and, when the config cannot say everything, the template
 * that keeps the rest (remainder.ts). Both are computed before anything is written, so the command
 * either writes a config that gives the whole imported domain back, or says what it does not.
 */
import { ConfigError } from '../config/issues.js';
import { resolveConfig } from '../config/validate.js';
import type { Domain } from '../domain/model.js';
import { writeDomainXml } from '../domain/write.js';
import { generateDomain } from '../generate/index.js';
import { domainToConfigSource } from './config-source.js';
import { importRemainder } from './remainder.js';
import { domainToConfig } from './to-config/index.js';

export interface ConfigFiles {
  /** The config file's text. */
  config: string;
  /** The template's XML, when the config needs one (then the config names `templatePath`). */
  template?: string;
  /** What the template keeps (paths into the domain), for the reader. */
  kept: string[];
  /** What neither gives back: facts the config sets otherwise, or why the config does not load. */
  lost: string[];
}

export interface ConfigFilesOptions {
  /** The template as the config names it, relative to the config: `./vm.template.xml`. */
  templatePath: string;
  /** Where the command line came from, for the header. */
  source?: string;
}

/** The config for `domain` and the template holding what it cannot say. */
export function importConfigFiles(
  domain: Domain,
  warnings: string[],
  options: ConfigFilesOptions,
): ConfigFiles {
  const source = options.source !== undefined ? { source: options.source } : {};
  let generated: Domain;
  try {
    // As `virt-gen xml` generates it: offline, no host facts; the template is what is being made.
    generated = generateDomain(resolveConfig(domainToConfig(domain).config, '/', 'imported config'));
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    const lost = [`the config does not load: ${err.problems.join('; ')}`];
    return { config: domainToConfigSource(domain, warnings, { ...source, lost }), kept: [], lost };
  }
  const rest = importRemainder(domain, generated);
  const config = domainToConfigSource(domain, warnings, {
    ...source,
    ...(rest.template ? { template: options.templatePath, kept: rest.kept } : {}),
    lost: rest.lost,
  });
  return {
    config,
    ...(rest.template ? { template: writeDomainXml(rest.template) } : {}),
    kept: rest.kept,
    lost: rest.lost,
  };
}
