/**
 * No command writes a document that is not XML: a control character in a config is refused by field,
 * and one that reaches the writer from any producer (here: import's -name) is refused there.
 */
import { beforeAll, describe, expect, it } from '@jest/globals';
import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { virtGen } from '../../support/run.js';

let dir: string;

beforeAll(() => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'vg-config-chars-'));
});

describe('control characters on the command line', () => {
  it('xml refuses a config title with a control character, naming the field, and writes nothing', () => {
    const file = path.join(dir, 'title.ts');
    writeFileSync(
      file,
      "import { defineVm } from 'virt-gen';\nexport default defineVm({ name: 'vm', title: 'a\\u0001b', memory: 1024, cpu: { cores: 2 } });\n",
    );
    const r = virtGen(['xml', file]);
    expect(r.stderr).toBe(
      `virt-gen: ${file}: invalid config\n  - title: contains U+0001 (a control character) at character 2, which the domain XML cannot carry\n`,
    );
    expect(r.status).toBe(1);
    expect(r.stdout).toBe('');
  });

  it('import never prints XML carrying a control character', () => {
    const r = virtGen(['import', '-'], { input: 'qemu-system-x86_64 -name "a\u0001b" -m 1024\n' });
    expect(r.status).not.toBe(0);
    expect(r.stdout).not.toContain('\u0001');
    expect(r.stderr).toContain('U+0001'); // named by import's own check, or else by the XML writer
  });
});
