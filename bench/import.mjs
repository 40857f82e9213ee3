#!/usr/bin/env node
// Benchmark of `virt-gen import`: every args file of the libvirt corpus (../shared/corpus/libvirt-tests,
// 136 files) imported and written as XML in one process. Target: under 1 s in total. Then the
// real-world set (test/fixtures/import-real/) with the share of its facts carried (target >= 97%).
// Then, informational, `import --config`: its cost against import, and the round trip's figures.
// Needs `npx tsc -p .` first (imports build/). The corpus is read where it is, never copied.

import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const corpus = resolve(root, '../shared/corpus/libvirt-tests');
const TARGET_MS = 1000;

const files = ['argv2xml', 'xml2argv/v10.7.0-json', 'xml2argv/v7.9.0-classic'].flatMap((dir) =>
  readdirSync(join(corpus, dir))
    .filter((f) => f.endsWith('.args'))
    .map((f) => join(corpus, dir, f)),
);
const texts = files.map((f) => [f, readFileSync(f, 'utf8')]);

const start = performance.now();
// Loading the modules is part of what a user waits for: measured too.
const { importArgs } = await import(join(root, 'build/src/import/index.js'));
const { writeDomainXml } = await import(join(root, 'build/src/domain/document.js'));
const loaded = performance.now();
let bytes = 0;
for (const [file, text] of texts) bytes += writeDomainXml(importArgs(text, { fileName: file }).domain).length;
const end = performance.now();

// The real-world set (test/fixtures/import-real/): the same, with the share of facts carried.
const { realWorldCases, holds } = await import(join(root, 'build/test/support/import-facts.js'));
const cases = realWorldCases(join(root, 'test/fixtures/import-real'));
const realStart = performance.now();
let facts = 0;
let carried = 0;
for (const c of cases) {
  const xml = writeDomainXml(importArgs(c.text, { fileName: c.file, pwd: '/vm' }).domain);
  facts += c.facts.length;
  carried += c.facts.filter((f) => holds(xml, f)).length;
}
const realMs = performance.now() - realStart;

const total = end - start;
console.log(`import: ${texts.length} files, ${(bytes / 1024).toFixed(0)} KiB of XML`);
console.log(
  `  module load ${(loaded - start).toFixed(1)} ms, import+write ${(end - loaded).toFixed(1)} ms (${((end - loaded) / texts.length).toFixed(2)} ms/file)`,
);
console.log(
  `  total ${total.toFixed(1)} ms (target < ${TARGET_MS} ms): ${total < TARGET_MS ? 'OK' : 'MISSED'}`,
);
console.log(
  `real-world set: ${cases.length} command lines in ${realMs.toFixed(1)} ms; facts carried ${carried}/${facts} ` +
    `(${((100 * carried) / facts).toFixed(1)}%, target >= 97%)`,
);

// `import --config` (informational): the config and its remainder template for every corpus file,
// timed against import+write above, then the round trip counted fact by fact (docs/import.md).
const { importConfigFiles } = await import(join(root, 'build/src/import/index.js'));
const domains = texts.map(([file, text]) => importArgs(text, { fileName: file }).domain);
const configStart = performance.now();
for (const d of domains) importConfigFiles(d, [], { templatePath: './vm.template.xml' });
const configMs = performance.now() - configStart;
console.log(
  `import --config: config + remainder template for ${domains.length} files in ${configMs.toFixed(1)} ms ` +
    `(${(configMs / (end - loaded)).toFixed(1)}x import+write)`,
);
const { measureRoundTrips, figuresLine } = await import(join(root, 'build/test/support/config-roundtrip.js'));
const tmp = mkdtempSync(join(tmpdir(), 'vg-bench-rt-'));
try {
  const { figures } = await measureRoundTrips(root, resolve(root, '..', 'shared'), tmp);
  for (const f of figures) console.log(`round trip, ${figuresLine(f)}`);
} finally {
  rmSync(tmp, { recursive: true, force: true });
}
process.exit(total < TARGET_MS && carried / facts >= 0.97 ? 0 : 1);
