/**
 * From a config file to the domain model: load, validate, read the template, generate.
 * Shared by `xml`, `define` and `host`, so they can never disagree about the domain.
 */
import { readFile } from 'node:fs/promises';
import { loadVm, type ResolvedVm } from './config/index.js';
import type { Domain } from './domain/model.js';
import { generateDomain, GenerateError, type GenerateContext } from './generate/index.js';

export interface BuiltDomain {
  vm: ResolvedVm;
  domain: Domain;
}

export async function buildDomain(configFile: string, ctx: GenerateContext = {}): Promise<BuiltDomain> {
  const vm = await loadVm(configFile);
  const template = vm.template ? await readTemplate(vm.template) : undefined;
  return { vm, domain: generateDomain(vm, ctx, template) };
}

async function readTemplate(file: string): Promise<Domain> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch {
    throw new GenerateError(`template: cannot read ${file}`);
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
