/**
 * A config that never finishes ends with one message naming the file and exit 1, within the limit
 * (VIRT_GEN_CONFIG_TIMEOUT, 1 s here), whether it loops, waits on nothing, or waits too long.
 */
import { beforeAll, describe, expect, it } from '@jest/globals';
import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { virtGen } from '../../support/run.js';

let dir: string;

/** A valid config with `statement` run before its default export. */
function config(file: string, statement: string): string {
  const p = path.join(dir, file);
  writeFileSync(
    p,
    `import { defineVm } from 'virt-gen';\n${statement}\nexport default defineVm({ name: 'vm', memory: 1024, cpu: { cores: 2 } });\n`,
  );
  return p;
}

/** Runs `virt-gen xml FILE` with a 1 s limit; returns the result and the wall time in seconds. */
function xmlWithin(file: string, env: NodeJS.ProcessEnv = { VIRT_GEN_CONFIG_TIMEOUT: '1' }) {
  const start = process.hrtime.bigint();
  const r = virtGen(['xml', file], { env });
  return { ...r, seconds: Number(process.hrtime.bigint() - start) / 1e9 };
}

beforeAll(() => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'vg-config-limit-'));
});

describe('config evaluation time limit', () => {
  it('a busy loop is ended and named', () => {
    const file = config('loop.ts', 'while (true) {}');
    const r = xmlWithin(file);
    expect(r.stderr).toBe(
      `virt-gen: ${file}: the config did not finish within 1 s (a loop that never ends?); raise VIRT_GEN_CONFIG_TIMEOUT if it is only slow\n`,
    );
    expect(r.status).toBe(1);
    expect(r.stdout).toBe('');
    expect(r.seconds).toBeLessThan(15);
  });

  it('a top-level await nothing settles is refused at once, not a silent exit 0', () => {
    const file = config('unsettled.ts', 'await new Promise(() => {});');
    const r = xmlWithin(file);
    expect(r.stderr).toBe(
      `virt-gen: ${file}: the config's top-level await never settles (it waits on a promise nothing resolves)\n`,
    );
    expect(r.status).toBe(1);
    expect(r.stdout).toBe('');
  });

  it('a wait past the limit is ended, even with the config’s timer still pending', () => {
    const file = config('slow.ts', 'await new Promise((r) => setTimeout(r, 1e8));');
    const r = xmlWithin(file);
    expect(r.stderr).toBe(
      `virt-gen: ${file}: the config did not finish within 1 s; raise VIRT_GEN_CONFIG_TIMEOUT if it is only slow\n`,
    );
    expect(r.status).toBe(1);
    expect(r.seconds).toBeLessThan(15);
  });

  it('a config that awaits within the limit is generated', () => {
    const r = xmlWithin(config('awaits.ts', 'await new Promise((r) => setTimeout(r, 50));'));
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    expect(r.stdout).toContain('<name>vm</name>');
  });

  it('a loop in a config that imports its own modules (the jiti path) is ended too', () => {
    writeFileSync(path.join(dir, 'part.ts'), 'export const n = 1;\n');
    const file = config('split-loop.ts', "import { n } from './part';\nwhile (n) {}");
    const r = xmlWithin(file, { VIRT_GEN_CONFIG_TIMEOUT: '3' });
    expect(r.stderr).toContain(`${file}: the config did not finish within 3 s (a loop that never ends?)`);
    expect(r.status).toBe(1);
  });

  it('a bad VIRT_GEN_CONFIG_TIMEOUT is named', () => {
    const r = xmlWithin(config('ok.ts', ''), { VIRT_GEN_CONFIG_TIMEOUT: 'soon' });
    expect(r.stderr).toBe('virt-gen: VIRT_GEN_CONFIG_TIMEOUT: "soon" is not a number of seconds above 0\n');
    expect(r.status).toBe(1);
  });

  it('--help names the variable', () => {
    expect(virtGen(['--help']).stdout).toMatch(
      /VIRT_GEN_CONFIG_TIMEOUT +seconds a config may take to evaluate \(default 10\)/,
    );
  });
});
