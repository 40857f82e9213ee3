/**
 * Configs a test writes, turns into XML with the built CLI (`virt-gen xml`, as a user runs it) and
 * defines on the sandbox libvirt with validation. Every domain defined through it is undefined, and
 * its folder removed, by `cleanup()`.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { expect } from '@jest/globals';
import { dumpInactive, undefine, virsh } from './libvirt.js';
import { validateDomainXml, virtGen, type RunResult } from './run.js';

export class ConfigDefiner {
  readonly dir: string;
  private readonly names: string[] = [];

  /** `base`: the fields every config of the test has (`firmware: 'bios', network: false`). */
  constructor(
    prefix: string,
    private readonly base: string,
  ) {
    this.dir = mkdtempSync(path.join(os.tmpdir(), `${prefix}-`));
  }

  /** `virt-gen xml` of a config with the base fields and `fields`, checked by libvirt's schema. */
  xml(name: string, fields: string): string {
    const config = path.join(this.dir, `${name}.ts`);
    writeFileSync(
      config,
      `import { defineVm } from 'virt-gen';\nexport default defineVm({ name: '${name}', ${this.base}, ${fields} });\n`,
    );
    const r = virtGen(['xml', config]);
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    const file = path.join(this.dir, `${name}.xml`);
    writeFileSync(file, r.stdout);
    expect(validateDomainXml(file).stderr).toMatch(/validates$/m);
    return r.stdout;
  }

  /** `virsh define --validate` of `xml`, replacing an earlier domain of that name. */
  define(name: string, xml: string): RunResult {
    const file = path.join(this.dir, `${name}.define.xml`);
    writeFileSync(file, xml);
    this.track(name);
    return virsh(['define', '--validate', file]);
  }

  /** A domain the test defines another way (`virt-gen define`): an earlier one undefined, this one at cleanup. */
  track(name: string): void {
    this.names.push(name);
    undefine(name);
  }

  /** The config's XML defined (libvirt must accept it); libvirt's inactive copy of it. */
  defineConfig(name: string, fields: string): string {
    expect(this.define(name, this.xml(name, fields)).stderr).toBe('');
    return dumpInactive(name);
  }

  cleanup(): void {
    this.names.forEach(undefine);
    rmSync(this.dir, { recursive: true, force: true });
  }
}
