/**
 * Every domain `import` writes is one libvirt accepts: the real-world set (test/fixtures/import-real/)
 * and libvirt's own command lines (../shared/corpus, GPL test data read where it is) are imported and
 * defined on the real libvirt with validation (`virsh define --validate`), then undefined.
 */
import { afterAll, describe, expect, it } from '@jest/globals';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { writeDomainXml } from '../../src/domain/document.js';
import { importArgs } from '../../src/import/index.js';
import { realWorldCases } from '../support/import-facts.js';
import { loadSeeds } from '../support/import-mutations.js';
import { requireLibvirt, undefine, virsh } from '../support/libvirt.js';
import { REPO, SHARED } from '../support/paths.js';
import { readFileSync } from 'node:fs';

const dir = mkdtempSync(join(tmpdir(), 'vg-import-define-'));
const defined: string[] = [];

afterAll(() => {
  for (const name of defined) undefine(name);
  rmSync(dir, { recursive: true, force: true });
});

/** Defines the imported text as `name`; libvirt's message when it refuses. */
function defineImported(text: string, file: string, name: string): string | undefined {
  const xml = writeDomainXml(importArgs(text, { fileName: file, name, pwd: '/vm' }).domain);
  const path = join(dir, `${name}.xml`);
  writeFileSync(path, xml);
  undefine(name);
  const r = virsh(['define', '--validate', path]);
  if (r.status !== 0) return r.stderr.trim();
  defined.push(name);
  undefine(name);
  return undefined;
}

describe('libvirt accepts every imported domain', () => {
  it('defines every command line of the real-world set', () => {
    requireLibvirt();
    const refused = realWorldCases(join(REPO, 'test/fixtures/import-real')).flatMap((c, i) => {
      const why = defineImported(c.text, c.file, `vg-import-${i + 1}`);
      return why ? [`${c.name}: ${why}`] : [];
    });
    expect(refused).toEqual([]);
  });

  it("defines every command line of libvirt's corpus that this libvirt can run", () => {
    requireLibvirt();
    const seeds = loadSeeds(SHARED);
    let noEmulator = 0;
    const refused = seeds.flatMap((s, i) => {
      const why = defineImported(readFileSync(s.file, 'utf8'), s.file, `vg-import-c${i + 1}`);
      if (!why) return [];
      // An architecture without its QEMU here (ppc64, s390x) is the host's limit, not the XML's.
      if (/No emulator found for arch '(ppc64|s390x|aarch64)'/.test(why)) return (noEmulator++, []);
      return [`${s.file}: ${why}`];
    });
    expect(noEmulator).toBeLessThanOrEqual(8); // the corpus's non-x86 command lines
    expect(refused).toEqual([]);
  });
});
