/**
 * `virt-gen xml` end to end, as a user runs it: golden XML per example, each valid by libvirt's schema.
 * REGENERATE=1 rewrites the golden files (then review the diff like code).
 */
import { describe, expect, it } from '@jest/globals';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { EXAMPLES, GOLDEN } from '../../support/paths.js';
import { validateDomainXml, virtGen } from '../../support/run.js';

const OFFLINE_EXAMPLES = ['gaming', 'minimal'];

describe.each(OFFLINE_EXAMPLES)('virt-gen xml examples/%s.ts', (name) => {
  const golden = path.join(GOLDEN, `${name}.xml`);
  const result = virtGen(['xml', path.join(EXAMPLES, `${name}.ts`)]);

  it('succeeds with nothing on stderr', () => {
    expect(result.stderr).toBe('');
    expect(result.status).toBe(0);
  });

  it('matches the reviewed golden file', () => {
    if (process.env.REGENERATE || !existsSync(golden)) writeFileSync(golden, result.stdout);
    expect(result.stdout).toBe(readFileSync(golden, 'utf8'));
  });

  it("validates against libvirt's schema", () => {
    const v = validateDomainXml(golden);
    expect(v.stdout + v.stderr).toBe(`${golden} validates\n`);
    expect(v.status).toBe(0);
  });
});

describe('virt-gen xml -o FILE', () => {
  it('writes the same document to the file and nothing to stdout', () => {
    const out = path.join(process.env.TMPDIR ?? '/tmp', `vg-xml-${process.pid}.xml`);
    const r = virtGen(['xml', path.join(EXAMPLES, 'minimal.ts'), '-o', out]);
    expect(r.status).toBe(0);
    expect(r.stdout).toBe('');
    expect(readFileSync(out, 'utf8')).toBe(readFileSync(path.join(GOLDEN, 'minimal.xml'), 'utf8'));
  });
});
