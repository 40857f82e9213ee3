#!/usr/bin/env node
// Benchmark of `virt-gen import`: every args file of the libvirt corpus (../shared/corpus/libvirt-tests,
// 136 files) imported and written as XML in one process. Target: under 1 s in total.
// Needs `npx tsc -p .` first (imports build/). The corpus is read where it is, never copied.

import { readFileSync, readdirSync } from 'node:fs';
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

const total = end - start;
console.log(`import: ${texts.length} files, ${(bytes / 1024).toFixed(0)} KiB of XML`);
console.log(
  `  module load ${(loaded - start).toFixed(1)} ms, import+write ${(end - loaded).toFixed(1)} ms (${((end - loaded) / texts.length).toFixed(2)} ms/file)`,
);
console.log(
  `  total ${total.toFixed(1)} ms (target < ${TARGET_MS} ms): ${total < TARGET_MS ? 'OK' : 'MISSED'}`,
);
process.exit(total < TARGET_MS ? 0 : 1);
