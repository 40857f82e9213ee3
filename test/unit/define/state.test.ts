import { afterAll, describe, expect, it } from '@jest/globals';
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { defaultStateDir, writeBackup, writeDefinedRecord } from '../../../src/define/state.js';
import { xmlDiff } from '../../../src/define/diff.js';

const tmp = mkdtempSync(path.join(os.tmpdir(), 'vg-state-unit-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

describe('state directory', () => {
  it('is /var/lib/virt-gen for root, the XDG state dir otherwise', () => {
    expect(defaultStateDir({ XDG_STATE_HOME: '/s' }, 0)).toBe('/var/lib/virt-gen');
    expect(defaultStateDir({ XDG_STATE_HOME: '/s', HOME: '/h' }, 1000)).toBe('/s/virt-gen');
    expect(defaultStateDir({ HOME: '/h' }, 1000)).toBe('/h/.local/state/virt-gen');
    // a relative XDG_STATE_HOME is invalid per the spec and ignored
    expect(defaultStateDir({ XDG_STATE_HOME: 'rel', HOME: '/h' }, 1000)).toBe('/h/.local/state/virt-gen');
  });

  it('is VIRT_GEN_STATE_DIR for anyone, root included, when it is absolute', () => {
    expect(defaultStateDir({ VIRT_GEN_STATE_DIR: '/t/state' }, 0)).toBe('/t/state');
    expect(defaultStateDir({ VIRT_GEN_STATE_DIR: '/t/state', XDG_STATE_HOME: '/s' }, 1000)).toBe('/t/state');
    expect(defaultStateDir({ VIRT_GEN_STATE_DIR: 'relative' }, 0)).toBe('/var/lib/virt-gen');
  });
});

describe('backups', () => {
  it('are private files that never overwrite each other', async () => {
    const dir = path.join(tmp, 'backups');
    const now = new Date('2026-01-02T03:04:05.678Z');
    const a = await writeBackup(dir, 'my vm/1', '<domain/>', now);
    const b = await writeBackup(dir, 'my vm/1', '<domain>2</domain>', now);
    expect(path.basename(a)).toBe('my_vm_1-20260102T030405.678Z.xml');
    expect(path.basename(b)).toBe('my_vm_1-20260102T030405.678Z-1.xml');
    expect(readFileSync(a, 'utf8')).toBe('<domain/>');
    expect(statSync(a).mode & 0o777).toBe(0o600);
    expect(statSync(dir).mode & 0o777).toBe(0o700);
  });

  it('records the last define atomically', async () => {
    const dir = path.join(tmp, 'state');
    const p = await writeDefinedRecord(dir, 'u-1', '<a/>');
    await writeDefinedRecord(dir, 'u-1', '<b/>');
    expect(readFileSync(p, 'utf8')).toBe('<b/>');
    expect(statSync(p).mode & 0o777).toBe(0o600);
  });
});

describe('xmlDiff', () => {
  it('ignores quoting and indentation, shows changes', () => {
    expect(xmlDiff("<a x='1'>\n<b/></a>", '<a x="1"><b/></a>', 'old', 'new')).toBe('');
    const d = xmlDiff('<a><m>1</m></a>', '<a><m>2</m></a>', 'old', 'new');
    expect(d).toBe('--- old\n+++ new\n@@ -1,3 +1,3 @@\n <a>\n-  <m>1</m>\n+  <m>2</m>\n </a>\n');
  });
});
