/**
 * Through D-Bus (libvirt-dbus 1.4 has no DomainDefineXMLFlags), an update define checks its XML
 * against libvirt's schema once, before anything changes; an invalid one is still refused with
 * libvirt unchanged. The xmllint runs are counted with a wrapper first on PATH that runs the real one.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { chmodSync, cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { defineDomain } from '../../src/define/define.js';
import type { Backend } from '../../src/libvirt/backend.js';
import { openBackend } from '../../src/libvirt/select.js';
import { requireLibvirt, undefine, URI, virsh, virshOk } from '../support/libvirt.js';
import { EXAMPLES, REPO } from '../support/paths.js';
import { virtGen } from '../support/run.js';

const tmp = mkdtempSync(path.join(os.tmpdir(), 'vg-startup-schema-it-'));
const name = `vg-startup-schema-${process.pid}`;
const cliName = `vg-startup-schema-cli-${process.pid}`;
const log = path.join(tmp, 'xmllint.log');
const savedPath = process.env.PATH;
let backend: Backend;

const domainXml = (memoryMiB: number, osExtra = '') => `<domain type="kvm">
  <name>${name}</name>
  <memory unit="MiB">${memoryMiB}</memory>
  <vcpu>1</vcpu>
  <os><type arch="x86_64" machine="q35">hvm</type>${osExtra}</os>
  <devices><video><model type="none"/></video></devices>
</domain>`;

const define = (xml: string) =>
  defineDomain({ xml, configPath: '/etc/virt-gen/startup.ts', backend, stateDir: tmp, force: true });
const xmllintRuns = () => readFileSync(log, 'utf8').split('\n').filter(Boolean).length;

beforeAll(async () => {
  requireLibvirt();
  const bin = path.join(tmp, 'bin');
  const real = path.join(tmp, 'real-path');
  writeFileSync(real, savedPath ?? '');
  // A wrapper named xmllint: logs the run, then runs the real xmllint (found on the saved PATH).
  writeFileSync(log, '');
  const wrapper = path.join(bin, 'xmllint');
  mkdirSync(bin);
  writeFileSync(
    wrapper,
    `#!${process.execPath}
const fs = require('node:fs');
const { spawnSync } = require('node:child_process');
fs.appendFileSync(${JSON.stringify(log)}, 'run\\n');
const r = spawnSync('xmllint', process.argv.slice(2), {
  stdio: 'inherit',
  env: { ...process.env, PATH: fs.readFileSync(${JSON.stringify(real)}, 'utf8') },
});
process.exit(r.status ?? 1);
`,
  );
  chmodSync(wrapper, 0o755);
  process.env.PATH = `${bin}:${savedPath ?? ''}`;
  backend = (await openBackend({ backend: 'dbus', uri: URI })).backend;
});

afterAll(async () => {
  process.env.PATH = savedPath;
  await backend?.close();
  if (virsh(['domstate', name]).status === 0) virsh(['undefine', '--nvram', name]);
  undefine(cliName);
  rmSync(tmp, { recursive: true, force: true });
});

describe('the schema check of a define through D-Bus', () => {
  it('runs once per update define, and still refuses an invalid document before anything changes', async () => {
    await define(domainXml(128));
    writeFileSync(log, '');
    const updated = await define(domainXml(256));
    expect(updated.action).toBe('updated');
    expect(xmllintRuns()).toBe(1);
    expect(virshOk(['dumpxml', '--inactive', name])).toContain("<memory unit='KiB'>262144</memory>");

    await expect(define(domainXml(512, '<frobnicate/>'))).rejects.toMatchObject({ kind: 'invalid-xml' });
    expect(virshOk(['dumpxml', '--inactive', name])).toContain("<memory unit='KiB'>262144</memory>");
  });

  it('runs once for `virt-gen define` of an update: the check before the host files is the one', () => {
    const root = path.join(tmp, 'root');
    cpSync(path.join(REPO, 'test', 'fixtures', 'hosts', 'guide'), root, { recursive: true });
    const config = path.join(tmp, 'cli.ts');
    const minimal = readFileSync(path.join(EXAMPLES, 'minimal.ts'), 'utf8').replace(
      /name: '[^']*'/,
      `name: '${cliName}'`,
    );
    const define = (memory: number) => {
      writeFileSync(config, minimal.replace(/memory: \d+/, `memory: ${memory}`));
      return virtGen(['define', config, '--backend', 'dbus', '--root', root], {
        env: { VIRT_GEN_STATE_DIR: path.join(tmp, 'state') },
      });
    };
    expect(define(256).status).toBe(0);
    writeFileSync(log, '');
    const r = define(384);
    expect(r.stderr).toBe('');
    expect(r.stdout).toContain(`updated domain '${cliName}'`);
    expect(xmllintRuns()).toBe(1);
  });
});
