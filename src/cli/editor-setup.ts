/**
 * What an editor (or `tsc --noEmit -p DIR`) needs to type-check a config against the virt-gen that
 * is running: a tsconfig.json whose `paths` map `'virt-gen'` to this package's own declarations.
 * No `npm link`, no node_modules in the user's folder; reinstalling virt-gen elsewhere means
 * running `virt-gen init --force` (or editing one path) again.
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { packageRoot } from '../util/package-root.js';
import { VirtGenError } from '../util/errors.js';

/** The declarations of `'virt-gen'` in the installed package (package.json `types`). */
export function installedTypes(): string {
  const file = path.join(packageRoot(), 'types', 'index.d.ts');
  if (!existsSync(file)) {
    throw new VirtGenError(
      `this virt-gen has no type declarations at ${file}: reinstall it, or run "npm run build" in ${packageRoot()}`,
    );
  }
  return file;
}

/**
 * tsconfig.json for a folder of configs. `bundler` resolution reads the configs as ES modules (as
 * the loader runs them: top-level await, import.meta) without a package.json in the folder;
 * `types: []` keeps stray @types packages of parent folders out.
 */
export function tsconfigSource(typesFile: string = installedTypes()): string {
  const tsconfig = {
    compilerOptions: {
      target: 'ES2022',
      module: 'ESNext',
      moduleResolution: 'bundler',
      strict: true,
      noEmit: true,
      skipLibCheck: true,
      types: [],
      paths: { 'virt-gen': [typesFile] },
    },
    include: ['**/*.ts', '**/*.mts'],
  };
  return JSON.stringify(tsconfig, null, 2) + '\n';
}
