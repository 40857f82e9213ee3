/**
 * `import --config` on command lines nobody wrote by hand: mutations of libvirt's corpus and the
 * guide (test/support/import-mutations.ts) that the import accepts. Whatever the command line, the
 * written config loads, the template adds nothing, and every fact it does not give back is named in
 * the config's header (a mutated `-M 1.5` is no machine the config has: the config says so).
 * `node scripts/import-config-roundtrip.mjs --fuzz 2000` measures more of them.
 */
import { afterAll, describe, expect, it } from '@jest/globals';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fuzzedCases, roundTrip, type RoundTrip } from '../../support/config-roundtrip.js';
import { REPO, SHARED } from '../../support/paths.js';

const tmp = mkdtempSync(join(tmpdir(), 'vg-config-rt-fuzz-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

/** The facts the config's header lists under "Not given back". */
function notGivenBack(config: string): string[] {
  const section = config.split(' * Not given back')[1]?.split(/\n \*\n| \*\//)[0] ?? '';
  return [...section.matchAll(/^ \* {3}- (.*)$/gm)].map((m) => m[1] as string);
}

let measured: Promise<RoundTrip[]> | undefined;
const all = (): Promise<RoundTrip[]> =>
  (measured ??= (async () => {
    const out: RoundTrip[] = [];
    for (const c of fuzzedCases(SHARED, 240, 2026)) {
      const r = await roundTrip(c, mkdtempSync(join(tmp, 'case-')), join(REPO, 'build/src/index.js'));
      if (r.x86) out.push(r);
    }
    return out;
  })());

describe('import --config of mutated command lines', () => {
  it('writes a config that loads, whatever the command line', async () => {
    const rs = await all();
    expect(rs.length).toBeGreaterThan(60);
    expect(rs.filter((r) => r.loadError).map((r) => `${r.name}: ${r.loadError}`)).toEqual([]);
  }, 120_000);

  it('adds nothing, and names in the header every fact it does not give back', async () => {
    const rs = (await all()).filter((r) => !r.loadError);
    expect(rs.flatMap((r) => r.added.map((f) => `${r.name}: ${f}`))).toEqual([]);
    const silent = rs.flatMap((r) =>
      r.lost
        .map((f) => f.replace(/^domain\//, ''))
        .filter((f) => !notGivenBack(r.config).includes(f))
        .map((f) => `${r.name}: ${f}`),
    );
    expect(silent).toEqual([]);
    // Most mutations keep every fact: the losses are machines and names the config has not.
    expect(rs.filter((r) => r.lost.length === 0).length).toBeGreaterThan(rs.length * 0.8);
  }, 120_000);
});
