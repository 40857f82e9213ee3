/**
 * The orchestrator's decisions, against a small in-memory stand-in for libvirt. What libvirt
 * really does with the XML is tested in test/integration/define.test.ts; this covers the branches
 * (UUID conflict, interrupted define, missing records) that are awkward to provoke there.
 */
import { afterAll, describe, expect, it } from '@jest/globals';
import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseXml, writeXml, type XmlElement } from '../../../src/domain/index.js';
import { defineDomain, DefineError, HandEditError } from '../../../src/define/define.js';
import { MergeConflictError } from '../../../src/define/errors.js';
import type { Backend, DomainInfo, DomainRef } from '../../../src/libvirt/backend.js';
import { LibvirtError } from '../../../src/libvirt/errors.js';

/** Keeps definitions by name; like libvirt it adds a UUID and an <emulator> of its own. */
class MemoryLibvirt implements Backend {
  readonly name = 'virsh' as const;
  readonly uri = 'test:///memory';
  readonly domains = new Map<string, string>();
  defines = 0;
  private next = 1;

  async version() {
    return { major: 9, minor: 0, micro: 0, text: '9.0.0' };
  }
  async capabilities() {
    return '<capabilities/>';
  }
  async domainCapabilities() {
    return '<domainCapabilities/>';
  }
  async listDomains() {
    return [...this.domains.keys()];
  }
  async lookup(name: string): Promise<DomainInfo | undefined> {
    const xml = this.domains.get(name);
    return xml === undefined ? undefined : { name, uuid: uuidOf(parseXml(xml)), active: false };
  }
  async define(xml: string): Promise<DomainRef> {
    this.defines++;
    const el = parseXml(xml);
    const name = text(el, 'name');
    const old = this.domains.get(name);
    let uuid = el.children.some((c) => typeof c !== 'string' && c.name === 'uuid') ? uuidOf(el) : undefined;
    if (old && uuid === undefined) throw new LibvirtError('invalid-xml', `domain '${name}' already exists`);
    uuid ??= `00000000-0000-4000-8000-${String(this.next++).padStart(12, '0')}`;
    const stored: XmlElement = {
      ...el,
      children: [
        ...el.children.filter((c) => typeof c === 'string' || c.name !== 'uuid'),
        { name: 'uuid', attrs: {}, children: [uuid] },
        { name: 'emulator', attrs: {}, children: ['/usr/bin/qemu'] },
      ],
    };
    this.domains.set(name, writeXml(stored));
    return { name, uuid };
  }
  async getXml(name: string) {
    const xml = this.domains.get(name);
    if (xml === undefined) throw new LibvirtError('not-found', 'no such domain');
    return xml;
  }
  async undefine(name: string) {
    this.domains.delete(name);
  }
  async close() {}
}

function text(el: XmlElement, name: string): string {
  const c = el.children.find((x): x is XmlElement => typeof x !== 'string' && x.name === name);
  return String(c?.children[0] ?? '');
}
const uuidOf = (el: XmlElement) => text(el, 'uuid');

const XML = '<domain type="kvm"><name>vg</name><memory unit="MiB">128</memory><vcpu>1</vcpu></domain>';

const tmp = mkdtempSync(path.join(os.tmpdir(), 'vg-define-unit-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

function setup() {
  const backend = new MemoryLibvirt();
  const stateDir = mkdtempSync(path.join(tmp, 'state-'));
  const run = (xml: string, extra: { force?: boolean; dryRun?: boolean; resolve?: 'ours' | 'theirs' } = {}) =>
    defineDomain({ xml, configPath: '/c.ts', backend, stateDir, version: 'test', ...extra });
  const backups = () =>
    existsSync(path.join(stateDir, 'backups')) ? readdirSync(path.join(stateDir, 'backups')) : [];
  return { backend, stateDir, run, backups };
}

describe('defineDomain decisions', () => {
  it('creates, then finds nothing to do, then updates with a backup', async () => {
    const { backend, run, backups } = setup();
    const created = await run(XML);
    expect(created).toMatchObject({ action: 'created', provenance: 'new', lost: [], warnings: [] });
    expect(backend.defines).toBe(2); // define, then define again with libvirt's hash in the stamp
    const again = await run(XML);
    expect(again).toMatchObject({ action: 'unchanged', uuid: created.uuid, diff: '' });
    expect(backend.defines).toBe(2);
    const updated = await run(XML.replace('128', '256'));
    expect(updated).toMatchObject({ action: 'updated', provenance: 'virt-gen', uuid: created.uuid });
    expect(updated.backupPath).toBeDefined();
    expect(backups()).toHaveLength(1);
  });

  it('merges a hand edit with a config change, and keeps the new base', async () => {
    const { backend, run, backups } = setup();
    await run(XML);
    backend.domains.set('vg', backend.domains.get('vg')!.replace('<vcpu>1</vcpu>', '<vcpu>4</vcpu>'));
    const merged = await run(XML.replace('128', '256'));
    expect(merged).toMatchObject({ action: 'updated', provenance: 'hand-edited' });
    expect(merged.merge).toEqual({
      applied: ['memory: 128 MiB -> 256 MiB'],
      kept: ['cpu (vCPUs): 1 -> 4'],
      conflicts: [],
    });
    expect(backend.domains.get('vg')).toMatch(/<memory unit="MiB">256<\/memory>[\s\S]*<vcpu>4<\/vcpu>/);
    expect(backups()).toHaveLength(1);
    // the new base: the same config again is unchanged; the edit stays under the next change
    await expect(run(XML.replace('128', '256'))).resolves.toMatchObject({ action: 'unchanged' });
    await run(XML.replace('128', '512'));
    expect(backend.domains.get('vg')).toMatch(/<memory unit="MiB">512<\/memory>[\s\S]*<vcpu>4<\/vcpu>/);
  });

  it('refuses a conflict naming the field and both values, changes nothing; --theirs and --ours settle it', async () => {
    const { backend, run } = setup();
    await run(XML);
    const edited = backend.domains.get('vg')!.replace('<memory unit="MiB">128', '<memory unit="MiB">2048');
    backend.domains.set('vg', edited);
    const defines = backend.defines;
    const err = (await run(XML.replace('128', '1536')).catch((e: unknown) => e)) as MergeConflictError;
    expect(err).toBeInstanceOf(MergeConflictError);
    expect(err.message).toContain('  memory: config 1536 MiB, edited in libvirt to 2048 MiB\n');
    expect(err.message).toContain('nothing was changed; run again with --theirs');
    expect(backend.domains.get('vg')).toBe(edited);
    expect(backend.defines).toBe(defines);
    // both sides agreeing (the edit carried into the config) is no conflict
    const agreed = await run(XML.replace('128', '2048'), { dryRun: true });
    expect(agreed).toMatchObject({ blocked: false });
    const theirs = await run(XML.replace('128', '1536'), { resolve: 'theirs' });
    expect(theirs.merge?.resolved).toBe('theirs');
    expect(backend.domains.get('vg')).toContain('<memory unit="MiB">2048</memory>');
    backend.domains.set(
      'vg',
      backend.domains.get('vg')!.replace('<memory unit="MiB">2048', '<memory unit="MiB">4096'),
    );
    await run(XML.replace('128', '1024'), { resolve: 'ours' });
    expect(backend.domains.get('vg')).toContain('<memory unit="MiB">1024</memory>');
  });

  it('refuses a hand edit when the base of the last define is missing, shows the edit; --force overwrites', async () => {
    const { backend, run, backups, stateDir } = setup();
    await run(XML);
    const edited = backend.domains.get('vg')!.replace('<vcpu>1</vcpu>', '<vcpu>4</vcpu>');
    backend.domains.set('vg', edited);
    rmSync(path.join(stateDir, 'defined', `${uuidOf(parseXml(edited))}.generated.xml`));
    const err = (await run(XML.replace('128', '256')).catch((e: unknown) => e)) as HandEditError;
    expect(err).toBeInstanceOf(HandEditError);
    expect(err.reason).toBe('hand-edited');
    expect(err.editDiff).toContain('-  <vcpu>1</vcpu>\n+  <vcpu>4</vcpu>');
    expect(backend.domains.get('vg')).toBe(edited);
    expect(backups()).toEqual([]);
    const forced = await run(XML.replace('128', '256'), { force: true });
    expect(forced).toMatchObject({ action: 'updated', provenance: 'hand-edited' });
    expect(backend.domains.get('vg')).toContain('<vcpu>1</vcpu>');
  });

  it('refuses a domain virt-gen did not define; completes its own interrupted define', async () => {
    const { backend, run } = setup();
    await backend.define(XML);
    await expect(run(XML)).rejects.toMatchObject({ name: 'HandEditError', reason: 'foreign' });
    // a stamp without libvirt's hash: the second of the two defines never happened
    await run(XML, { force: true });
    const stored = backend.domains.get('vg')!.replace(/<vg:libvirt[^>]*\/>/, '');
    backend.domains.set('vg', stored);
    const completed = await run(XML.replace('128', '64'));
    expect(completed).toMatchObject({ action: 'updated', provenance: 'unverifiable' });
    expect(completed.warnings).toEqual([
      "the last define of 'vg' from this config was interrupted; this one completes it",
    ]);
    await expect(run(XML.replace('128', '64'))).resolves.toMatchObject({ action: 'unchanged' });
  });

  it("refuses an interrupted define of another config's domain", async () => {
    const { backend, run } = setup();
    await run(XML);
    const stored = backend.domains.get('vg')!.replace(/<vg:libvirt[^>]*\/>/, '');
    backend.domains.set('vg', stored.replace('<vg:config>/c.ts<', '<vg:config>/other.ts<'));
    await expect(run(XML)).rejects.toMatchObject({ name: 'OwnershipError', owner: '/other.ts' });
  });

  it('refuses a domain another config defined, naming it, before any define; --force takes it over', async () => {
    const { backend, run, stateDir } = setup();
    await run(XML);
    const defines = backend.defines;
    const other = () =>
      defineDomain({
        xml: XML.replace('128', '256'),
        configPath: '/other.ts',
        backend,
        stateDir,
        version: 'test',
      });
    await expect(other()).rejects.toThrow(
      "domain 'vg' belongs to /c.ts (its virt-gen stamp names that config), not /other.ts: nothing was changed",
    );
    expect(backend.defines).toBe(defines);
    const dry = await defineDomain({ xml: XML, configPath: '/other.ts', backend, stateDir, dryRun: true });
    expect(dry.blocked).toBe(true);
    const forced = await defineDomain({ xml: XML, configPath: '/other.ts', backend, stateDir, force: true });
    expect(forced.action).toBe('updated');
    expect(backend.domains.get('vg')).toContain('<vg:config>/other.ts</vg:config>');
  });

  it('keeps the UUID of the defined domain, and refuses a config that sets another', async () => {
    const { run } = setup();
    const created = await run(XML);
    const withUuid = XML.replace('</name>', '</name><uuid>11111111-2222-3333-4444-555555555555</uuid>');
    await expect(run(withUuid)).rejects.toThrow(DefineError);
    await expect(run(withUuid)).rejects.toThrow(`has uuid ${created.uuid}`);
    const same = XML.replace('</name>', `</name><uuid>${created.uuid!.toUpperCase()}</uuid>`).replace(
      '128',
      '96',
    );
    await expect(run(same)).resolves.toMatchObject({ action: 'updated', uuid: created.uuid });
  });

  it('dry run: reports, and changes neither libvirt nor files', async () => {
    const { backend, run, backups, stateDir } = setup();
    const fresh = await run(XML, { dryRun: true });
    expect(fresh).toMatchObject({ action: 'created', dryRun: true, blocked: false });
    expect(fresh.diff).toContain('+  <name>vg</name>');
    expect(backend.defines).toBe(0);
    await backend.define(XML);
    const blocked = await run(XML, { dryRun: true });
    expect(blocked).toMatchObject({ action: 'updated', provenance: 'foreign', blocked: true });
    expect(backend.defines).toBe(1);
    expect(backups()).toEqual([]);
    expect(existsSync(path.join(stateDir, 'defined'))).toBe(false);
  });

  it('rejects XML that is not a domain before asking libvirt anything', async () => {
    const { backend, run } = setup();
    await expect(run('<domain><name>x</name>')).rejects.toThrow('not well-formed');
    await expect(run('<network/>')).rejects.toThrow('expected a <domain> document');
    await expect(run('<domain type="kvm"/>')).rejects.toThrow('has no <name>');
    expect(backend.defines).toBe(0);
  });
});
