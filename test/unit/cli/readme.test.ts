/**
 * The README's own example, as a new user copies it: `virt-gen xml` works on any machine (no GPU at
 * its address, no hugepages, two cores), gives the same XML every time, and libvirt's schema takes it.
 */
import { afterAll, expect, it } from '@jest/globals';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { REPO } from '../../support/paths.js';
import { validateDomainXml, virtGen } from '../../support/run.js';

const dir = mkdtempSync(path.join(tmpdir(), 'vg-cli-readme-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

it('the README example: xml is offline, deterministic, and valid', () => {
  const readme = readFileSync(path.join(REPO, 'README.md'), 'utf8');
  const example = /```ts\n\/\/ gaming\.ts\n([\s\S]*?)```/.exec(readme)?.[1];
  expect(example).toContain("pin: 'auto'");
  const config = path.join(dir, 'gaming.ts');
  writeFileSync(config, example ?? '');
  const first = virtGen(['xml', config, '-o', path.join(dir, 'gaming.xml')]);
  expect(first.status).toBe(0);
  expect(first.stderr).toContain(`${config}: cpu.pin 'auto': no pins in this offline XML`);
  expect(virtGen(['xml', config]).stdout).toBe(readFileSync(path.join(dir, 'gaming.xml'), 'utf8'));
  expect(validateDomainXml(path.join(dir, 'gaming.xml')).status).toBe(0);
});
