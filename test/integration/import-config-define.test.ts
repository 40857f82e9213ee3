/**
 * The config `import --config` writes, with its remainder template, generates a domain libvirt
 * accepts: for the real-world set, through the built CLI as a user runs it (`virt-gen import …
 * --config vm.ts`, then `virt-gen xml vm.ts`), and for libvirt's x86 corpus through the same
 * library calls; each domain is defined with validation (`virsh define --validate`) as
 * `vg-measure-N` and undefined at once.
 */
import { afterAll, describe, expect, it } from '@jest/globals';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildDomain } from '../../src/build-domain.js';
import { writeDomainXml } from '../../src/domain/write.js';
import { roundTrip, roundTripCases } from '../support/config-roundtrip.js';
import { realWorldCases } from '../support/import-facts.js';
import { requireLibvirt, undefine, virsh } from '../support/libvirt.js';
import { REPO, SHARED } from '../support/paths.js';
import { virtGen } from '../support/run.js';

const tmp = mkdtempSync(join(tmpdir(), 'vg-measure-define-'));
const defined = new Set<string>();

afterAll(() => {
  for (const name of defined) undefine(name);
  rmSync(tmp, { recursive: true, force: true });
});

/**
 * Defines `xml` as `name` with validation; libvirt's message when it refuses. Without its UUID:
 * the corpus shares one (c7a5fdbd-…), and other suites define the same command lines meanwhile.
 */
function defineValidated(name: string, xml: string): string | undefined {
  const file = join(tmp, `${name}.xml`);
  const own = xml
    .replace(/<name>[^<]*<\/name>/, `<name>${name}</name>`)
    .replace(/\s*<uuid>[^<]*<\/uuid>/, '');
  writeFileSync(file, own);
  undefine(name);
  const r = virsh(['define', '--validate', file]);
  if (r.status !== 0) return r.stderr.trim();
  defined.add(name);
  undefine(name);
  defined.delete(name);
  return undefined;
}

describe('libvirt accepts what an imported config generates', () => {
  it('defines the real-world set, config and template written and read by the built CLI', () => {
    requireLibvirt();
    const refused = realWorldCases(join(REPO, 'test/fixtures/import-real')).flatMap((c, i) => {
      const name = `vg-measure-${i + 1}`;
      const dir = mkdtempSync(join(tmp, 'cli-'));
      const config = join(dir, 'vm.ts');
      const imported = virtGen(['import', c.file, '--name', name, '--config', config, '--pwd', '/vm']);
      if (imported.status !== 0) return [`${c.name}: import: ${imported.stderr}`];
      const xml = virtGen(['xml', config]);
      if (xml.status !== 0) return [`${c.name}: xml: ${xml.stderr}`];
      const why = defineValidated(name, xml.stdout);
      return why ? [`${c.name}: ${why}`] : [];
    });
    expect(refused).toEqual([]);
  }, 300_000);

  it("defines the guide's and the x86 corpus's configs with their templates", async () => {
    requireLibvirt();
    const cases = roundTripCases(REPO, SHARED).filter((c) => !c.file.includes('/import-real/'));
    expect(cases.length).toBeGreaterThan(130);
    const refused: string[] = [];
    for (const [i, c] of cases.entries()) {
      const dir = mkdtempSync(join(tmp, 'lib-'));
      const r = await roundTrip(c, dir, join(REPO, 'build/src/index.js'));
      if (!r.x86 || r.loadError) continue; // the config language is x86; loading is the unit test's
      const { domain } = await buildDomain(join(dir, 'vm.ts'));
      const why = defineValidated(`vg-measure-c${i + 1}`, writeDomainXml(domain));
      if (why) refused.push(`${c.name}: ${why}`);
    }
    expect(refused).toEqual([]);
  }, 600_000);
});
