#!/usr/bin/env node
// `import --config` as a round trip, on the real-world set (test/fixtures/import-real/): each command
// line is imported, its config written (domainToConfigSource), loaded through virt-gen's config
// pipeline and generated again; a fact of the imported domain (domain type aside: a config always
// asks for KVM) that the generated domain lacks is lost. Prints the losses and the counts.
// Needs `npm run build` first. Usage: node scripts/import-config-roundtrip.mjs [--template]
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const { importArgs, domainToConfigSource } = await import(join(root, 'build/src/import/index.js'));
const { writeDomainXml } = await import(join(root, 'build/src/domain/document.js'));
const { loadVm } = await import(join(root, 'build/src/config/index.js'));
const { generateDomain } = await import(join(root, 'build/src/generate/index.js'));
const { realWorldCases, holds } = await import(join(root, 'build/test/support/import-facts.js'));
const useTemplate = process.argv.includes('--template');
let ok = 0,
  all = 0,
  loaded = 0,
  full = 0;
const tmp = mkdtempSync(join(tmpdir(), 'vg-import-rt-'));
const cases = realWorldCases(join(root, 'test/fixtures/import-real'));
for (const c of cases) {
  const dir = mkdtempSync(join(tmp, 'case-'));
  const { domain, warnings } = importArgs(c.text, { fileName: c.file, pwd: '/vm' });
  const xml = writeDomainXml(domain);
  writeFileSync(join(dir, 'vm.xml'), xml);
  const src = domainToConfigSource(domain, warnings, {
    ...(useTemplate ? { template: './vm.xml' } : {}),
    source: c.file,
  });
  writeFileSync(
    join(dir, 'vm.ts'),
    src.replace("from 'virt-gen'", `from '${join(root, 'build/src/index.js')}'`),
  );
  let gen;
  try {
    gen = writeDomainXml(generateDomain(await loadVm(join(dir, 'vm.ts'))));
    loaded++;
  } catch (e) {
    console.log(c.name, 'LOAD', String(e.message).slice(0, 300));
    all += c.facts.length;
    continue;
  }
  const facts = c.facts.filter((f) => !f.startsWith('domain[type'));
  const miss = facts.filter((f) => holds(xml, f) && !holds(gen, f));
  const have = facts.filter((f) => holds(xml, f));
  ok += have.length - miss.length;
  all += have.length;
  if (!miss.length) full++;
  if (miss.length) console.log(c.name, 'lost:', miss.join(' | '));
}
console.log(
  `configs load ${loaded}/${cases.length}, full round trip ${full}/${cases.length}, facts kept ${ok}/${all}`,
);
rmSync(tmp, { recursive: true, force: true });
