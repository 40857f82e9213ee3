/**
 * The schema check before a define: libvirt's own domain.rng through xmllint (what virt-xml-validate
 * runs), virt-xml-validate where the schema is not in libvirt's folder, and each document that
 * passed checked once per process. Real xmllint and libvirt schema (libxml2-utils, libvirt-clients).
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { LibvirtError } from '../../../src/libvirt/errors.js';
import { checkSchema, SCHEMA_DIRS, type SchemaTools } from '../../../src/libvirt/schema-check.js';

const domain = (extra = '') => `<domain type='kvm'>
  <name>vg-startup-schema</name>
  <memory unit='MiB'>128</memory>
  <os><type arch='x86_64' machine='q35'>hvm</type>${extra}</os>
</domain>`;
/** libvirt 9.0 drops an unknown element under <os> when defining without validation. */
const unknownInOs = domain('<frobnicate/>');

const tools = (over: Partial<SchemaTools> = {}): SchemaTools => ({
  schemaDirs: SCHEMA_DIRS,
  xmllint: 'xmllint',
  virtXmlValidate: 'virt-xml-validate',
  ...over,
});

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'vg-startup-schema-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** A stand-in xmllint that logs each run to `log` and exits with `status`. */
function countingChecker(log: string, status: number): string {
  const file = path.join(dir, `xmllint-${status}-${path.basename(log)}`);
  writeFileSync(
    file,
    `#!${process.execPath}\nrequire('node:fs').appendFileSync(${JSON.stringify(log)}, 'run\\n');\nprocess.exit(${status});\n`,
  );
  chmodSync(file, 0o755);
  writeFileSync(log, '');
  return file;
}
const runs = (log: string) => readFileSync(log, 'utf8').split('\n').filter(Boolean).length;

describe('checkSchema', () => {
  it('passes a valid domain and refuses an unknown element, naming libvirt’s schema file and xmllint’s reason', async () => {
    expect(await checkSchema(domain(), tools())).toBeUndefined();
    const err = await checkSchema(unknownInOs, tools()).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(LibvirtError);
    expect(err).toMatchObject({ kind: 'invalid-xml' });
    expect((err as Error).message).toMatch(
      /^the domain XML does not follow libvirt's schema \(\/usr\/share\/libvirt\/schemas\/domain\.rng\): -:4: element \w+: Relax-NG validity error/,
    );
  });

  it('runs virt-xml-validate where libvirt’s schema folder is not found, with the same verdict and words', async () => {
    const elsewhere = tools({ schemaDirs: [dir] });
    expect(await checkSchema(domain(), elsewhere)).toBeUndefined();
    const viaScript = await checkSchema(unknownInOs, elsewhere).catch((e: unknown) => e);
    const direct = await checkSchema(unknownInOs, tools()).catch((e: unknown) => e);
    expect(viaScript).toMatchObject({ kind: 'invalid-xml' });
    const [scriptText, directText] = [viaScript, direct].map((e) => (e as LibvirtError).message);
    expect(scriptText).toMatch(
      /^the domain XML does not follow libvirt's schema \(virt-xml-validate\): -:4: /,
    );
    expect(scriptText?.replace(/^[^)]*\)/, '')).toBe(directText?.replace(/^[^)]*\)/, ''));
  });

  it('warns, naming the package, when the checker is not installed', async () => {
    const missing = path.join(dir, 'no-xmllint');
    expect(await checkSchema(domain(), tools({ xmllint: missing }))).toBe(
      `${missing} is not installed (package libxml2-utils): the domain XML was not checked against libvirt's schema before the host files were written`,
    );
    expect(
      await checkSchema(domain(), tools({ schemaDirs: [dir], virtXmlValidate: path.join(dir, 'none') })),
    ).toMatch(/^.*none is not installed \(package libvirt-clients\)/);
  });

  it('checks a document that passed once per process, one that failed every time', async () => {
    const okLog = path.join(dir, 'ok.log');
    const ok = tools({ xmllint: countingChecker(okLog, 0) });
    await checkSchema(domain(), ok);
    await checkSchema(domain(), ok);
    expect(runs(okLog)).toBe(1);
    await checkSchema(domain('<boot dev="hd"/>'), ok);
    expect(runs(okLog)).toBe(2);

    const badLog = path.join(dir, 'bad.log');
    const bad = tools({ xmllint: countingChecker(badLog, 1) });
    await expect(checkSchema(domain(), bad)).rejects.toMatchObject({ kind: 'invalid-xml' });
    await expect(checkSchema(domain(), bad)).rejects.toMatchObject({ kind: 'invalid-xml' });
    expect(runs(badLog)).toBe(2);
  });
});
