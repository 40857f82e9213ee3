#!/usr/bin/env node
// `import --config` as a round trip, measured fact by fact (test/support/domain-facts.ts: every
// element, attribute and text of the imported domain, domain type aside): for the real-world set
// (test/fixtures/import-real/) and the x86 command lines of libvirt's corpus (../shared, read
// there), each command line is imported, its config and remainder template written as
// `import --config` writes them, loaded and generated as `virt-gen xml` does. Prints each loss and
// the counts; `--before` measures the config alone (no remainder template), `--json` the figures.
// Needs `npm run build` first. Usage: node scripts/import-config-roundtrip.mjs [--before] [--json] [-v]
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const { roundTripCases, roundTrip } = await import(join(root, 'build/test/support/config-roundtrip.js'));
const argv = process.argv.slice(2);
const remainder = !argv.includes('--before');
const verbose = argv.includes('-v');
const tmp = mkdtempSync(join(tmpdir(), 'vg-import-rt-'));
const moduleUrl = join(root, 'build/src/index.js');
const sets = { 'real-world': [], 'libvirt corpus (x86)': [] };
try {
  for (const c of roundTripCases(root, resolve(root, '..', 'shared'))) {
    const dir = mkdtempSync(join(tmp, 'case-'));
    const r = await roundTrip(c, dir, moduleUrl, { remainder });
    if (!r.x86) continue; // the config language is x86 (q35) only
    sets[c.file.includes('/import-real/') ? 'real-world' : 'libvirt corpus (x86)'].push(r);
    if (r.loadError) console.log(`${r.name}: config does not load: ${r.loadError.split('\n').join(' ')}`);
    else if (r.lost.length)
      console.log(
        `${r.name}: lost ${r.lost.length}${verbose ? `\n    ${r.lost.join('\n    ')}` : `: ${r.lost.slice(0, 4).join(' | ')}${r.lost.length > 4 ? ' …' : ''}`}`,
      );
  }
} finally {
  rmSync(tmp, { recursive: true, force: true });
}
const figures = Object.entries(sets).map(([set, rs]) => {
  const facts = rs.reduce((n, r) => n + r.facts, 0);
  const lost = rs.reduce((n, r) => n + r.lost.length, 0);
  return {
    set,
    cases: rs.length,
    load: rs.filter((r) => !r.loadError).length,
    full: rs.filter((r) => !r.loadError && !r.lost.length).length,
    templated: rs.filter((r) => r.templated).length,
    facts,
    kept: facts - lost,
  };
});
if (argv.includes('--json')) console.log(JSON.stringify({ remainder, figures }, null, 2));
for (const f of figures) {
  const pct = f.facts ? ((100 * f.kept) / f.facts).toFixed(1) : '100.0';
  console.log(
    `${f.set}${remainder ? '' : ' (config alone)'}: configs load ${f.load}/${f.cases}, full round trip ${f.full}/${f.cases}, facts kept ${pct}% (${f.kept}/${f.facts}), templates ${f.templated}`,
  );
}
