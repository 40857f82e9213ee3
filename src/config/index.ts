/**
 * The config pipeline, in one place:
 *   file --loadConfigFile--> unknown --resolveConfig--> ResolvedVm
 */
import path from 'node:path';
import { loadConfigFile } from './load.js';
import { resolveConfig } from './validate.js';
import type { ResolvedVm } from './resolved.js';

export { ConfigError } from './issues.js';
export { ConfigLoadError } from './load.js';
export type { ResolvedVm } from './resolved.js';

export async function loadVm(file: string): Promise<ResolvedVm> {
  const exported = await loadConfigFile(file);
  return resolveConfig(exported, path.dirname(path.resolve(file)), file);
}
