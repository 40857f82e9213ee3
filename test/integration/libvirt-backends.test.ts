/**
 * Both backends against the sandbox's real libvirtd (and libvirt-dbus on the real system bus):
 * the same table of calls must give the same answers through either.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { Backend, BackendName } from '../../src/libvirt/backend.js';
import { LibvirtError } from '../../src/libvirt/errors.js';
import { openBackend } from '../../src/libvirt/select.js';
import { requireLibvirt, URI, virsh, virshOk } from '../support/libvirt.js';

const tiny = (name: string, memoryMiB = 128) => `<domain type='kvm'>
  <name>${name}</name>
  <memory unit='MiB'>${memoryMiB}</memory>
  <vcpu>1</vcpu>
  <os><type arch='x86_64' machine='q35'>hvm</type></os>
  <devices><video><model type='none'/></video></devices>
</domain>`;

const created: string[] = [];

afterAll(() => {
  for (const name of created)
    if (virsh(['domstate', name]).status === 0) virsh(['undefine', '--nvram', name]);
});

describe.each<BackendName>(['dbus', 'virsh'])('%s backend', (which) => {
  let backend: Backend;
  const name = `vg-test-lv-${which}-${process.pid}`;
  created.push(name);

  beforeAll(async () => {
    requireLibvirt();
    backend = (await openBackend({ backend: which, uri: URI })).backend;
  });
  afterAll(() => backend?.close());

  it('reports the daemon version, capabilities and domain capabilities', async () => {
    const version = await backend.version();
    expect(version.text).toBe(/Running against daemon: (\S+)/.exec(virshOk(['version', '--daemon']))?.[1]);
    expect(await backend.capabilities()).toContain('<capabilities>');
    const domcaps = await backend.domainCapabilities({ virttype: 'kvm', arch: 'x86_64', machine: 'q35' });
    expect(domcaps).toContain('<domainCapabilities>');
    expect(domcaps).toContain('<domain>kvm</domain>');
  });

  it('defines, looks up, lists, reads and undefines a domain', async () => {
    const ref = await backend.define(tiny(name));
    expect(ref.name).toBe(name);
    expect(ref.uuid).toBe(virshOk(['domuuid', name]).trim());
    expect(await backend.lookup(name)).toEqual({ name, uuid: ref.uuid, active: false });
    expect(await backend.listDomains()).toContain(name);
    const xml = await backend.getXml(name, { inactive: true, secure: true });
    expect(xml).toContain(`<uuid>${ref.uuid}</uuid>`);
    expect(xml).toContain("<memory unit='KiB'>131072</memory>");
    await backend.undefine(name, { nvram: true });
    expect(await backend.lookup(name)).toBeUndefined();
    expect(virsh(['domstate', name]).status).not.toBe(0);
  });

  it('re-defines with the same UUID, and refuses one without it', async () => {
    const first = await backend.define(tiny(name));
    const withUuid = tiny(name, 256).replace('</name>', `</name><uuid>${first.uuid}</uuid>`);
    expect((await backend.define(withUuid)).uuid).toBe(first.uuid);
    const err = await backend.define(tiny(name)).catch((e: unknown) => e);
    expect(err).toMatchObject({ kind: 'invalid-xml' });
    expect((err as Error).message).toMatch(/^libvirt refused the domain XML: .*already exists with uuid/);
    await backend.undefine(name, { nvram: false });
  });

  it('maps libvirt refusing the XML to invalid-xml, with libvirt’s reason', async () => {
    const bad = tiny(name).replace('<devices>', '<features><bogus/></features><devices>');
    const err = await backend.define(bad).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(LibvirtError);
    expect(err).toMatchObject({ kind: 'invalid-xml' });
    expect((err as Error).message).toBe(
      "libvirt refused the domain XML: unsupported configuration: unexpected feature 'bogus'",
    );
    const malformed = await backend
      .define('<domain type="kvm"><name>x</name><bogus></domain>')
      .catch((e: unknown) => e);
    expect(malformed).toMatchObject({ kind: 'invalid-xml' });
    expect((malformed as Error).message).toMatch(/Opening and ending tag mismatch: bogus line 1 and domain$/);
  });

  it('maps a missing domain to not-found', async () => {
    const missing = `vg-test-lv-missing-${process.pid}`;
    expect(await backend.lookup(missing)).toBeUndefined();
    const err = await backend.getXml(missing, { inactive: true }).catch((e: unknown) => e);
    expect(err).toMatchObject({ kind: 'not-found' });
    await expect(backend.undefine(missing, { nvram: false })).rejects.toMatchObject({ kind: 'not-found' });
  });
});

describe('auto', () => {
  beforeAll(() => requireLibvirt());

  it('picks D-Bus for qemu:///system when org.libvirt answers, and says so', async () => {
    const lines: string[] = [];
    const { backend, reason } = await openBackend({ uri: URI, verbose: true, log: (l) => lines.push(l) });
    expect(backend.name).toBe('dbus');
    expect(reason).toBe('dbus: org.libvirt answered');
    expect(lines).toEqual(['backend dbus: org.libvirt answered']);
    await backend.close();
  });

  it('picks virsh for a URI libvirt-dbus does not serve', async () => {
    const uri = 'qemu:///system?socket=/run/libvirt/libvirt-sock';
    const { backend, reason } = await openBackend({ uri });
    expect(backend.name).toBe('virsh');
    expect(reason).toBe(`virsh: libvirt-dbus does not serve ${uri}`);
    expect((await backend.version()).major).toBeGreaterThanOrEqual(9);
  });
});
