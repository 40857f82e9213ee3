/**
 * The cache of type-stripped configs (XDG_CACHE_HOME/virt-gen/configs), through the built CLI: an
 * entry is used only for the exact config (and virt-gen) it was made from, so an entry under the
 * same file name for anything else (a name collision, an edited config) is never taken for it.
 */
import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { virtGen } from '../../support/run.js';

let dir: string;
let env: NodeJS.ProcessEnv;

beforeEach(() => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'vg-startup-cache-'));
  env = { XDG_CACHE_HOME: path.join(dir, 'cache') };
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const configFile = (name: string) => {
  const file = path.join(dir, 'vm.ts');
  writeFileSync(
    file,
    `import { defineVm } from 'virt-gen';\nconst memory: number = 1024;\nexport default defineVm({ name: '${name}', memory, cpu: { cores: 2 } });\n`,
  );
  return file;
};

/** The one cache entry, as the loader wrote it. */
const entryFile = () => {
  const folder = path.join(dir, 'cache', 'virt-gen', 'configs');
  const files = readdirSync(folder);
  expect(files).toHaveLength(1);
  return path.join(folder, files[0] as string);
};
const readEntry = (file: string) => JSON.parse(readFileSync(file, 'utf8')) as { key: string; js: string };

describe('the config cache', () => {
  it('serves a config from its entry: the JavaScript kept there is what runs', () => {
    const file = configFile('vm-one');
    expect(virtGen(['xml', file], { env }).stdout).toContain('<name>vm-one</name>');
    const entry = entryFile();
    const { key, js } = readEntry(entry);
    expect(key.endsWith(readFileSync(file, 'utf8'))).toBe(true);
    writeFileSync(entry, JSON.stringify({ key, js: js.replace("'vm-one'", "'from-cache'") }));
    expect(virtGen(['xml', file], { env }).stdout).toContain('<name>from-cache</name>');
  });

  it('never serves an entry made from another source under the same name', () => {
    const file = configFile('vm-two');
    virtGen(['xml', file], { env });
    const entry = entryFile();
    const { key, js } = readEntry(entry);
    // What a colliding config would have left under this name: another key, another VM.
    writeFileSync(
      entry,
      JSON.stringify({ key: `${key}// another config`, js: js.replace("'vm-two'", "'other'") }),
    );
    const r = virtGen(['xml', file], { env });
    expect(r.stdout).toContain('<name>vm-two</name>');
    expect(r.status).toBe(0);
    expect(readEntry(entry).key).toBe(key);
  });

  it('takes a damaged entry for a miss and rewrites it', () => {
    const file = configFile('vm-three');
    virtGen(['xml', file], { env });
    const entry = entryFile();
    writeFileSync(entry, '{"key": truncated');
    const r = virtGen(['xml', file], { env });
    expect(r.stdout).toContain('<name>vm-three</name>');
    expect(r.stderr).toBe('');
    expect(readEntry(entry).js).toContain("'vm-three'");
  });
});
