/**
 * Every config the validator accepts gives a domain that libvirt's schema accepts (virt-xml-validate)
 * and the real libvirt defines with validation (`virsh define --validate`). Seeded and bounded: 40
 * generated configs, each defined as vg-config-N and undefined again. A config libvirt refuses is
 * a validator bug: the failure prints the config, the XML and libvirt's message.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ConfigError } from '../../src/config/issues.js';
import { resolveConfig } from '../../src/config/validate.js';
import { writeDomainXml } from '../../src/domain/write.js';
import { generateDomain } from '../../src/generate/index.js';
import { configArbitrary } from '../support/config-arbitrary.js';
import { requireLibvirt, undefine, virsh } from '../support/libvirt.js';
import { validateDomainXml } from '../support/run.js';

const RUNS = Number(process.env.VG_CONFIG_PROP_RUNS ?? 40);
const tmp = mkdtempSync(path.join(os.tmpdir(), 'vg-config-prop-'));
const defined: string[] = [];

beforeAll(() => requireLibvirt());

afterAll(() => {
  for (const name of defined) undefine(name);
  rmSync(tmp, { recursive: true, force: true });
});

/** What went wrong with one accepted config, or undefined. */
function check(name: string, config: Record<string, unknown>): string | undefined {
  const vm = resolveConfig({ ...config, name }, tmp, `${name}.ts`);
  const xml = writeDomainXml(generateDomain(vm, {}));
  const file = path.join(tmp, `${name}.xml`);
  writeFileSync(file, xml);
  const schema = validateDomainXml(file);
  if (schema.status !== 0) return `virt-xml-validate: ${schema.stderr.trim()}`;
  defined.push(name);
  const r = virsh(['define', '--validate', file]);
  undefine(name);
  return r.status === 0 ? undefined : `virsh define --validate: ${r.stderr.trim()}`;
}

describe('generated configs on libvirt', () => {
  it(`every accepted config of ${RUNS} validates and defines`, () => {
    const failures: string[] = [];
    let accepted = 0;
    fc.sample(configArbitrary(false), {
      numRuns: RUNS,
      seed: Number(process.env.VG_CONFIG_PROP_SEED ?? 42),
    }).forEach((config, i) => {
      const name = `vg-config-${i}`;
      let problem: string | undefined;
      try {
        problem = check(name, config);
      } catch (err) {
        if (err instanceof ConfigError) return; // refused: the unit property test checks how
        throw err;
      }
      accepted++;
      if (problem) failures.push(`${name}: ${problem}\n  config: ${JSON.stringify(config)}`);
    });
    expect(failures).toEqual([]);
    expect(accepted).toBeGreaterThan(RUNS / 3);
  });
});
