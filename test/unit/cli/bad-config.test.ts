/**
 * Bad configs get one clear message naming the file and the problem, a non-zero exit, and no stack trace.
 */
import { beforeAll, describe, expect, it } from '@jest/globals';
import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { virtGen } from '../../support/run.js';

let dir: string;

function config(file: string, body: string): string {
  const p = path.join(dir, file);
  writeFileSync(p, body);
  return p;
}

const wrap = (fields: string): string =>
  `import { defineVm } from 'virt-gen';\nexport default defineVm({ name: 'vm', memory: 1024, cpu: { cores: 2 }, ${fields} });\n`;

beforeAll(() => {
  // Outside the repository on purpose: 'virt-gen' must resolve to the running CLI from anywhere.
  dir = mkdtempSync(path.join(os.tmpdir(), 'vg-config-'));
});

describe('bad configs', () => {
  it('a vendor id over 12 characters names hyperv.vendorId', () => {
    const r = virtGen(['xml', config('vendor.ts', wrap("hyperv: { vendorId: 'NvidiaNvidia43' }"))]);
    expect(r.status).toBe(1);
    expect(r.stdout).toBe('');
    expect(r.stderr).toContain('vendor.ts: invalid config');
    expect(r.stderr).toContain('hyperv.vendorId: "NvidiaNvidia43" is 14 characters');
  });

  it('a malformed PCI address is quoted', () => {
    const r = virtGen(['xml', config('pci.ts', wrap("gpu: { host: '02:00.9x' }"))]);
    expect(r.status).toBe(1);
    expect(r.stderr).toContain('gpu.host: "02:00.9x" is not a PCI address');
  });

  it('a TypeScript syntax error names the file and the position', () => {
    const r = virtGen([
      'xml',
      config(
        'syntax.ts',
        "import { defineVm } from 'virt-gen';\nexport default defineVm({ name: 'x',, });\n",
      ),
    ]);
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/syntax\.ts:2:\d+: syntax error: Unexpected token\n$/);
    expect(r.stderr).not.toMatch(/\n\s+at /); // no stack trace
  });

  it('a missing file says so', () => {
    const r = virtGen(['xml', path.join(dir, 'nope.ts')]);
    expect(r.status).toBe(1);
    expect(r.stderr).toBe(`virt-gen: cannot read config ${path.join(dir, 'nope.ts')}: no such file\n`);
  });

  it('a config without a default export says what to write', () => {
    const r = virtGen(['xml', config('nodefault.ts', 'export const vm = 1;\n')]);
    expect(r.status).toBe(1);
    expect(r.stderr).toContain('no default export (write: export default defineVm({ ... }))');
  });

  it('a config that throws reports its message', () => {
    const r = virtGen(['xml', config('throws.ts', "throw new Error('no GPU here');\n")]);
    expect(r.status).toBe(1);
    expect(r.stderr).toContain('throws.ts: the config failed while loading: no GPU here');
  });

  it('a config importing a sibling module loads through the full loader', () => {
    config('parts.ts', 'export const memory = 2048;\n');
    const r = virtGen([
      'xml',
      config(
        'split.ts',
        "import { defineVm } from 'virt-gen';\nimport { memory } from './parts';\nexport default defineVm({ name: 'split', memory, cpu: { cores: 1 } });\n",
      ),
    ]);
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    expect(r.stdout).toContain('<memory unit="MiB">2048</memory>');
  });

  it('an unknown option is a usage error', () => {
    const r = virtGen(['xml', '--bogus']);
    expect(r.status).not.toBe(0);
    expect(r.stderr).toContain("unknown option '--bogus'");
  });
});
