/**
 * Test helpers for the importer: paths to the shared guide files, and libvirt's own schema check.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { writeDomainXml } from '../../../src/domain/document.js';
import type { Domain } from '../../../src/domain/model.js';
import { importArgs, type ImportResult } from '../../../src/import/index.js';

/** The repository root: the first directory above this file with a package.json. */
export function repoRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  while (!existsSync(join(dir, 'package.json'))) {
    const up = dirname(dir);
    if (up === dir) throw new Error('package.json not found above the test');
    dir = up;
  }
  return dir;
}

/** The guide's files, shared next to the repository (`../shared/guide`). */
export function guideFile(name: string): string {
  return resolve(repoRoot(), '../shared/guide', name);
}

/** Imports a command line given as words joined by spaces (a one-line args file). */
export function imp(line: string, options: Parameters<typeof importArgs>[1] = {}): ImportResult {
  return importArgs(`qemu-system-x86_64 ${line}`, { name: 'test', ...options });
}

export function devices(d: Domain): NonNullable<Domain['devices']> {
  return d.devices ?? {};
}

/** `virt-xml-validate FILE domain` (libvirt's schema), run with an argument array. */
export function validateDomainXml(xml: string): { ok: boolean; output: string } {
  const dir = mkdtempSync(join(tmpdir(), 'virt-gen-test-'));
  try {
    const file = join(dir, 'domain.xml');
    writeFileSync(file, xml);
    const r = spawnSync('virt-xml-validate', [file, 'domain'], { encoding: 'utf8', timeout: 30000 });
    return {
      ok: r.status === 0,
      output: `${r.stdout ?? ''}${r.stderr ?? ''}${r.error ? String(r.error) : ''}`,
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

export function xmlOf(result: ImportResult): string {
  return writeDomainXml(result.domain);
}
