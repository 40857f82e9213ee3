#!/usr/bin/env node
// Mutation fuzz of `virt-gen import` (issue 8): libvirt's own command lines (../shared/corpus, read
// where they are) and the guide's vm.args, mutated (test/support/import-mutations.ts). Every input the
// import accepts must give XML that libvirt's schema accepts; every input it refuses must be refused
// with an ImportError (a message for the user), never anything else. Prints the counts; exits 1 on
// any invalid document or unexpected error.
// Needs `npm run build` first (imports build/). Usage: node scripts/fuzz-import.mjs [RUNS] [SEED] [--verbose]

import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import fc from 'fast-check';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const { importArgs, ImportError } = await import(join(root, 'build/src/import/index.js'));
const { writeDomainXml } = await import(join(root, 'build/src/domain/document.js'));
const { loadSeeds, mutatedCommandLine, invalidDocuments } = await import(
  join(root, 'build/test/support/import-mutations.js')
);

const [runs = 2000, seed = 8] = process.argv
  .slice(2)
  .filter((a) => !a.startsWith('--'))
  .map(Number);
const verbose = process.argv.includes('--verbose');
const inputs = fc.sample(mutatedCommandLine(loadSeeds(resolve(root, '../shared'))), { numRuns: runs, seed });

const accepted = [];
const unexpected = [];
let refused = 0;
for (const text of inputs) {
  try {
    accepted.push({ text, xml: writeDomainXml(importArgs(text, { name: 'fuzz' }).domain) });
  } catch (err) {
    if (err instanceof ImportError) refused++;
    else unexpected.push({ text, err });
  }
}
const invalid = [];
for (let i = 0; i < accepted.length; i += 200) {
  const batch = accepted.slice(i, i + 200);
  for (const bad of invalidDocuments(batch.map((a) => a.xml))) invalid.push({ ...batch[bad.index], ...bad });
}
console.log(
  `fuzz-import: ${runs} mutated inputs (seed ${seed}): ${accepted.length} accepted, ${refused} refused`,
);
console.log(
  `  accepted but schema-invalid: ${invalid.length}; failed without an ImportError: ${unexpected.length}`,
);
for (const x of verbose ? invalid : invalid.slice(0, 5))
  console.log(`\n--- invalid:\n${x.text.slice(0, 400)}\n${x.messages}`);
for (const x of verbose ? unexpected : unexpected.slice(0, 5))
  console.log(
    `\n--- error:\n${x.text.slice(0, 400)}\n${String(x.err?.stack ?? x.err)
      .split('\n')
      .slice(0, 4)
      .join('\n')}`,
  );
process.exit(invalid.length || unexpected.length ? 1 : 0);
