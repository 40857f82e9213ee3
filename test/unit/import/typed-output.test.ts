/**
 * What `import` writes is typed: no element or attribute it produces is raw XML in the model's
 * `$extra`, which is only for what a read document holds that the model does not know. Checked on
 * every command line of libvirt's corpus (../shared, read there), the guide's and the real-world set.
 */
import { expect, it } from '@jest/globals';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { importArgs } from '../../../src/import/index.js';
import { realWorldCases } from '../../support/import-facts.js';
import { loadSeeds } from '../../support/import-mutations.js';
import { REPO, SHARED } from '../../support/paths.js';

/** The model paths that carry a `$extra`, with what it holds. */
function rawParts(value: unknown, at = 'domain'): string[] {
  if (Array.isArray(value)) return value.flatMap((v, i) => rawParts(v, `${at}[${i}]`));
  if (typeof value !== 'object' || value === null) return [];
  return Object.entries(value).flatMap(([k, v]) =>
    k === '$extra' ? [`${at}: ${JSON.stringify(v)}`] : rawParts(v, `${at}/${k}`),
  );
}

const inputs = [
  ...loadSeeds(SHARED).map((s) => ({ file: s.file, text: readFileSync(s.file, 'utf8') })),
  ...realWorldCases(join(REPO, 'test/fixtures/import-real')),
];

it('has the command lines to import', () => {
  expect(inputs.length).toBeGreaterThan(150);
});

it('writes every element and attribute of every import as a typed field, none as raw XML', () => {
  const raw = inputs.flatMap(({ file, text }) =>
    rawParts(importArgs(text, { fileName: file, pwd: '/vm' }).domain).map((p) => `${file}: ${p}`),
  );
  expect(raw).toEqual([]);
});
