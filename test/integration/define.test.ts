/**
 * `define`'s safety on the real stack, through both backends: create, re-define keeping the UUID,
 * refuse a hand edit made with virsh (changing nothing), --force with a backup, --dry-run, the
 * survival check on something libvirt really drops, and undefine.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { defineDomain, HandEditError, type DefineOptions } from '../../src/define/define.js';
import { readStamp } from '../../src/define/stamp.js';
import { parseXml } from '../../src/domain/index.js';
import type { Backend, BackendName } from '../../src/libvirt/backend.js';
import { openBackend } from '../../src/libvirt/select.js';
import { requireLibvirt, URI, virsh, virshOk } from '../support/libvirt.js';
import { SHARED } from '../support/paths.js';

const tmp = mkdtempSync(path.join(os.tmpdir(), 'vg-define-it-'));
const names: string[] = [];

afterAll(() => {
  for (const name of names) if (virsh(['domstate', name]).status === 0) virsh(['undefine', '--nvram', name]);
  rmSync(tmp, { recursive: true, force: true });
});

const domainXml = (name: string, memoryMiB = 128, extra = '') => `<domain type="kvm">
  <name>${name}</name>
  <memory unit="MiB">${memoryMiB}</memory>
  <vcpu>1</vcpu>
  <os><type arch="x86_64" machine="q35">hvm</type></os>
  <features><acpi/><hyperv mode="custom"><relaxed state="on"/><spinlocks state="on" retries="8191"/></hyperv></features>
  <devices><video><model type="none"/></video>${extra}</devices>
</domain>`;

/** What `virsh edit` does: dump, change, define the result. */
function handEdit(name: string, change: (xml: string) => string): void {
  const file = path.join(tmp, `${name}-edit.xml`);
  writeFileSync(file, change(virshOk(['dumpxml', '--inactive', '--security-info', name])));
  virshOk(['define', file]);
}

const memoryKiB = (name: string) =>
  /<memory unit='KiB'>(\d+)</.exec(virshOk(['dumpxml', '--inactive', name]))?.[1];

describe.each<BackendName>(['dbus', 'virsh'])('define through %s', (which) => {
  let backend: Backend;
  let n = 0;
  const stateDir = path.join(tmp, which);
  const backupDir = path.join(stateDir, 'backups');
  const fresh = () => {
    const name = `vg-define-def-${which}-${process.pid}-${++n}`;
    names.push(name);
    return name;
  };
  const define = (xml: string, extra: Partial<DefineOptions> = {}) =>
    defineDomain({ xml, configPath: '/etc/virt-gen/test.ts', backend, stateDir, backupDir, ...extra });
  const backups = (name: string) =>
    existsSync(backupDir) ? readdirSync(backupDir).filter((f) => f.startsWith(`${name}-`)) : [];

  beforeAll(async () => {
    requireLibvirt();
    backend = (await openBackend({ backend: which, uri: URI })).backend;
    expect(backend.name).toBe(which);
  });
  afterAll(() => backend?.close());

  it('creates the domain, stamped, with nothing lost', async () => {
    const name = fresh();
    const result = await define(domainXml(name));
    expect(result).toMatchObject({
      action: 'created',
      provenance: 'new',
      lost: [],
      warnings: [],
      dryRun: false,
    });
    expect(result.uuid).toBe(virshOk(['domuuid', name]).trim());
    expect(result.backupPath).toBeUndefined();
    const stamp = readStamp(parseXml(virshOk(['dumpxml', '--inactive', name])));
    expect(stamp).toMatchObject({
      config: '/etc/virt-gen/test.ts',
      generated: expect.stringMatching(/^[0-9a-f]{64}$/),
    });
    expect(stamp?.libvirt).toMatch(/^[0-9a-f]{64}$/);
    expect(virshOk(['list', '--all', '--name'])).toContain(name);
  });

  it('re-defines keeping the UUID, backs up the old definition, and skips an unchanged one', async () => {
    const name = fresh();
    const first = await define(domainXml(name));
    const same = await define(domainXml(name));
    expect(same).toMatchObject({ action: 'unchanged', uuid: first.uuid, diff: '' });
    expect(backups(name)).toEqual([]);
    const second = await define(domainXml(name, 256));
    expect(second).toMatchObject({ action: 'updated', provenance: 'virt-gen', uuid: first.uuid, lost: [] });
    expect(memoryKiB(name)).toBe('262144');
    expect(second.diff).toContain('-  <memory unit="KiB">131072</memory>');
    expect(second.diff).toContain('+  <memory unit="KiB">262144</memory>');
    expect(second.backupPath).toBeDefined();
    expect(readFileSync(second.backupPath!, 'utf8')).toContain("<memory unit='KiB'>131072</memory>");
    expect(backups(name)).toEqual([path.basename(second.backupPath!)]);
  });

  it('refuses a hand-edited domain without the base of its last define, shows the edit, changes nothing', async () => {
    const name = fresh();
    await define(domainXml(name));
    rmSync(path.join(stateDir, 'defined', `${virshOk(['domuuid', name]).trim()}.generated.xml`));
    handEdit(name, (xml) =>
      xml.replace("<vcpu placement='static'>1</vcpu>", "<vcpu placement='static'>2</vcpu>"),
    );
    const before = virshOk(['dumpxml', '--inactive', name]);
    const err = await define(domainXml(name, 256)).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(HandEditError);
    const edit = err as HandEditError;
    expect(edit.reason).toBe('hand-edited');
    expect(edit.message).toBe(
      `domain '${name}' was changed since virt-gen defined it (virt-manager, virsh edit?), and virt-gen has no record of its last define to merge with: nothing was changed; run again with --force to overwrite it (the current definition is backed up first)`,
    );
    expect(edit.editDiff).toContain(
      '-  <vcpu placement="static">1</vcpu>\n+  <vcpu placement="static">2</vcpu>',
    );
    expect(edit.diff).toContain('+  <memory unit="MiB">256</memory>');
    expect(virshOk(['dumpxml', '--inactive', name])).toBe(before);
    expect(backups(name)).toEqual([]);
  });

  it('--force overwrites a hand edit, after backing it up', async () => {
    const name = fresh();
    const first = await define(domainXml(name));
    handEdit(name, (xml) =>
      xml.replace("<memory unit='KiB'>131072</memory>", "<memory unit='KiB'>196608</memory>"),
    );
    const forced = await define(domainXml(name, 256), { force: true });
    expect(forced).toMatchObject({ action: 'updated', provenance: 'hand-edited', uuid: first.uuid });
    expect(memoryKiB(name)).toBe('262144');
    expect(readFileSync(forced.backupPath!, 'utf8')).toContain("<memory unit='KiB'>196608</memory>");
    // stamped afresh: the next define sees virt-gen's own definition again
    expect((await define(domainXml(name, 256))).action).toBe('unchanged');
  });

  it('refuses a domain virt-gen did not define', async () => {
    const name = fresh();
    const file = path.join(tmp, `${name}.xml`);
    writeFileSync(file, domainXml(name));
    virshOk(['define', file]);
    await expect(define(domainXml(name, 256))).rejects.toMatchObject({
      name: 'HandEditError',
      reason: 'foreign',
    });
    expect(memoryKiB(name)).toBe('131072');
  });

  it('--dry-run shows the difference and changes nothing', async () => {
    const name = fresh();
    const none = await define(domainXml(name), { dryRun: true });
    expect(none).toMatchObject({ action: 'created', dryRun: true, blocked: false });
    expect(virsh(['domstate', name]).status).not.toBe(0);
    await define(domainXml(name));
    const before = virshOk(['dumpxml', '--inactive', name]);
    const dry = await define(domainXml(name, 512), { dryRun: true });
    expect(dry).toMatchObject({ action: 'updated', dryRun: true, provenance: 'virt-gen', blocked: false });
    expect(dry.diff).toContain('+  <memory unit="MiB">512</memory>');
    expect(virshOk(['dumpxml', '--inactive', name])).toBe(before);
    expect(backups(name)).toEqual([]);
    // a hand edit merges with the config change: the dry run shows both, and would not refuse
    handEdit(name, (xml) => xml.replace('<on_crash>destroy</on_crash>', '<on_crash>restart</on_crash>'));
    const merged = await define(domainXml(name, 512), { dryRun: true });
    expect(merged).toMatchObject({ provenance: 'hand-edited', blocked: false });
    expect(merged.merge?.kept).toEqual(['/domain/on_crash: destroy -> restart']);
    expect(merged.xml).toContain('<on_crash>restart</on_crash>');
    // one changed on both sides would
    handEdit(name, (xml) => xml.replace(/<memory unit='KiB'>\d+</, "<memory unit='KiB'>1048576<"));
    expect(await define(domainXml(name, 512), { dryRun: true })).toMatchObject({ blocked: true });
    expect(virshOk(['dumpxml', '--inactive', name])).toContain('<on_crash>restart</on_crash>');
  });

  it('asks libvirt to validate: what it would silently drop is refused instead, and nothing is defined', async () => {
    const name = fresh();
    // libvirt 9.0 ignores unknown elements under <os> and <devices> without VIR_DOMAIN_DEFINE_VALIDATE.
    const xml = domainXml(name, 128, '<frobnicator/>').replace('</os>', '<frobnicate/></os>');
    await expect(define(xml)).rejects.toMatchObject({
      name: 'LibvirtError',
      kind: 'invalid-xml',
      // libvirt's words (virsh define --validate) or virt-xml-validate's (D-Bus without the flag)
      message: expect.stringMatching(/failed to validate against schema|does not follow libvirt's schema/),
    });
    expect(virsh(['domstate', name]).status).not.toBe(0);
  });

  it('keeps the MAC addresses and generation ID libvirt made up, across re-defines', async () => {
    const name = fresh();
    const nic = '<interface type="user"><model type="virtio"/></interface>';
    const xml = (mem: number) => domainXml(name, mem, nic + nic).replace('</name>', '</name><genid/>');
    const identity = () => {
      const dump = virshOk(['dumpxml', '--inactive', name]);
      return {
        macs: [...dump.matchAll(/<mac address='([^']+)'/g)].map((m) => m[1]),
        genid: /<genid>([^<]+)/.exec(dump)?.[1],
      };
    };
    await define(xml(128));
    const first = identity();
    expect(first.macs).toHaveLength(2);
    expect(first.genid).toBeDefined();
    const updated = await define(xml(256));
    expect(updated).toMatchObject({ action: 'updated', lost: [] });
    expect(identity()).toEqual(first);
    expect((await define(xml(256))).action).toBe('unchanged');
  });

  it('takes a rich hand-written domain (research/reference-win-gaming.xml) without loss', async () => {
    const name = fresh();
    const xml = readFileSync(path.join(SHARED, 'research', 'reference-win-gaming.xml'), 'utf8')
      .replace(/<name>[^<]*<\/name>/, `<name>${name}</name>`)
      .replace(/<uuid>[^<]*<\/uuid>/, '');
    const created = await define(xml);
    expect(created).toMatchObject({ action: 'created', lost: [], warnings: [] });
    expect((await define(xml)).action).toBe('unchanged');
  });

  it('undefines', async () => {
    const name = fresh();
    await define(domainXml(name));
    await backend.undefine(name, { nvram: true });
    expect(await backend.lookup(name)).toBeUndefined();
  });
});
