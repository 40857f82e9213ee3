/**
 * `import --config` as a round trip (test/support/config-roundtrip.ts): for every x86 command line
 * of the real-world set and of libvirt's corpus, the config and its remainder template are written,
 * loaded and generated as `virt-gen xml` does, and compared with the imported domain fact by fact.
 *
 * Every fact comes back. Where the config language sets something otherwise (a machine that is
 * neither q35 nor i440fx), the fact is named in the config's header, never dropped silently: a
 * line of that kind checks it, since no case of the sets loses anything any more.
 */
import { afterAll, describe, expect, it } from '@jest/globals';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { measureRoundTrips, roundTrip, type RoundTrip } from '../../support/config-roundtrip.js';
import { REPO, SHARED } from '../../support/paths.js';

const tmp = mkdtempSync(join(tmpdir(), 'vg-config-rt-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

let measured: Promise<RoundTrip[]> | undefined;
const all = (): Promise<RoundTrip[]> =>
  (measured ??= measureRoundTrips(REPO, SHARED, tmp).then((m) => m.results));

/** The facts the config's header lists under "Not given back". */
function notGivenBack(config: string): string[] {
  const section = config.split(' * Not given back')[1]?.split(/\n \*\n| \*\//)[0] ?? '';
  return [...section.matchAll(/^ \* {3}- (.*)$/gm)].map((m) => m[1] as string);
}

describe('import --config round trip (config + remainder template)', () => {
  it('loads every config (x86)', async () => {
    const failed = (await all()).filter((r) => r.loadError).map((r) => `${r.name}: ${r.loadError}`);
    expect(failed).toEqual([]);
    expect((await all()).length).toBeGreaterThanOrEqual(22 + 3 + 120);
  }, 120_000);

  it('gives back every fact of every imported domain', async () => {
    const rs = (await all()).filter((r) => !r.loadError);
    expect(rs.flatMap((r) => r.lost.map((f) => `${r.name}: ${f}`))).toEqual([]);
    // The template carries part of it: without it, the configs alone would lose facts.
    expect(rs.filter((r) => r.templated).length).toBeGreaterThan(100);
  }, 120_000);

  it('adds nothing that was neither imported nor generated: no device kept twice', async () => {
    const rs = (await all()).filter((r) => !r.loadError);
    expect(rs.flatMap((r) => r.added.map((f) => `${r.name}: ${f}`))).toEqual([]);
  }, 120_000);

  it('names in the config every fact it does not give back (nothing dropped silently)', async () => {
    const line = 'qemu-system-x86_64 -enable-kvm -machine isapc -m 512 -nodefaults -display none';
    const dir = mkdtempSync(join(tmp, 'isapc-'));
    const r = await roundTrip(
      { name: 'isapc', file: join(dir, 'vm.args'), text: line },
      dir,
      join(REPO, 'build/src/index.js'),
    );
    expect(r.loadError).toBeUndefined();
    expect(r.lost).toEqual(['domain/os/type/@machine=isapc']);
    expect(notGivenBack(r.config)).toEqual(['os/type/@machine=isapc']);
  });
});
