#!/usr/bin/env node
// `import --config` as a round trip, measured fact by fact (test/support/domain-facts.ts: every
// element, attribute and text of the imported domain, domain type aside): for the real-world set
// (test/fixtures/import-real/) and the x86 command lines of libvirt's corpus (../shared, read
// there), each command line is imported, its config and remainder template written as
// `import --config` writes them, loaded and generated as `virt-gen xml` does
// (test/support/config-roundtrip.ts). Prints each loss and the counts; `--before` measures the
// config alone (no remainder template), `-v` every lost fact, `--json` the figures, `--fuzz N`
// N mutated command lines of the corpus and the guide (test/support/import-mutations.ts, seed 2026
// or `--seed S`) instead of the two sets.
// Needs `npm run build` first.
// Usage: node scripts/import-config-roundtrip.mjs [--before] [-v] [--json] [--fuzz N [--seed S]]
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const { measureRoundTrips, figuresLine } = await import(join(root, 'build/test/support/config-roundtrip.js'));
const argv = process.argv.slice(2);
const remainder = !argv.includes('--before');
const option = (name, fallback) => (argv.includes(name) ? Number(argv[argv.indexOf(name) + 1]) : fallback);
const fuzz = argv.includes('--fuzz')
  ? { runs: option('--fuzz', 2000), seed: option('--seed', 2026) }
  : undefined;
const tmp = mkdtempSync(join(tmpdir(), 'vg-import-rt-'));
let measured;
try {
  measured = await measureRoundTrips(root, resolve(root, '..', 'shared'), tmp, { remainder, fuzz });
} finally {
  rmSync(tmp, { recursive: true, force: true });
}
for (const r of measured.results) {
  if (r.loadError) console.log(`${r.name}: config does not load: ${r.loadError.split('\n').join(' ')}`);
  else if (r.lost.length && argv.includes('-v'))
    console.log(`${r.name}: lost ${r.lost.length}\n    ${r.lost.join('\n    ')}`);
  else if (r.lost.length)
    console.log(
      `${r.name}: lost ${r.lost.length}: ${r.lost.slice(0, 3).join(' | ')}${r.lost.length > 3 ? ' …' : ''}`,
    );
}
if (argv.includes('--json')) console.log(JSON.stringify({ remainder, figures: measured.figures }, null, 2));
for (const f of measured.figures)
  console.log(figuresLine(f) + (remainder ? '' : ' (config alone, no template)'));
