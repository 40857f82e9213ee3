/**
 * The point of defining through libvirt: QEMU runs as libvirt's unprivileged user, not root.
 * A domain without host devices, defined by virt-gen, started by libvirt, checked with ps.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { defineDomain } from '../../src/define/define.js';
import type { Backend } from '../../src/libvirt/backend.js';
import { openBackend } from '../../src/libvirt/select.js';
import { run } from '../support/run.js';
import { requireLibvirt, URI, virsh, virshOk } from '../support/libvirt.js';

const name = `vg-define-qemu-user-${process.pid}`;
const stateDir = mkdtempSync(path.join(os.tmpdir(), 'vg-qemu-user-'));
let backend: Backend;

// TCG with a named CPU model, so that it starts on any machine that runs QEMU: KVM under a nested
// hypervisor may refuse host-passthrough (AMD: "failed to set MSR 0x10a"), and /dev/kvm may be
// absent. Who QEMU runs as does not depend on the accelerator. q35, no disk, no graphics (no
// <graphics> element at all), no video, 1 vCPU, 128 MiB.
const XML = `<domain type="qemu">
  <name>${name}</name>
  <memory unit="MiB">128</memory>
  <vcpu>1</vcpu>
  <os><type arch="x86_64" machine="q35">hvm</type></os>
  <cpu mode="custom" match="exact"><model fallback="forbid">qemu64</model></cpu>
  <devices><video><model type="none"/></video></devices>
</domain>`;

beforeAll(async () => {
  requireLibvirt();
  backend = (await openBackend({ uri: URI })).backend;
});

afterAll(async () => {
  if (virsh(['domstate', name]).status === 0) {
    virsh(['destroy', name]);
    virsh(['undefine', '--nvram', name]);
  }
  await backend?.close();
  rmSync(stateDir, { recursive: true, force: true });
});

describe('a domain virt-gen defined', () => {
  it('runs its QEMU as a user other than root', async () => {
    const result = await defineDomain({ xml: XML, configPath: '/etc/virt-gen/tiny.ts', backend, stateDir });
    expect(result).toMatchObject({ action: 'created', lost: [] });

    virshOk(['start', name]);
    expect(virshOk(['domstate', name]).trim()).toBe('running');
    const pid = readFileSync(`/run/libvirt/qemu/${name}.pid`, 'utf8').trim();
    expect(pid).toMatch(/^\d+$/);
    const ps = run('ps', ['-o', 'user=', '-p', pid]);
    expect(ps.status).toBe(0);
    const user = ps.stdout.trim();
    expect(user).not.toBe('root');
    expect(user).not.toBe('');
    expect(readFileSync(`/proc/${pid}/status`, 'utf8')).not.toMatch(/^Uid:\s+0\s/m);

    expect(await backend.lookup(name)).toMatchObject({ active: true });
    // Running changes nothing in the persistent definition: still virt-gen's, and a new one waits
    // for the next start.
    const define = (xml: string) =>
      defineDomain({ xml, configPath: '/etc/virt-gen/tiny.ts', backend, stateDir });
    expect(await define(XML)).toMatchObject({ action: 'unchanged', provenance: 'virt-gen' });
    const updated = await define(XML.replace('<vcpu>1</vcpu>', '<vcpu>2</vcpu>'));
    expect(updated).toMatchObject({ action: 'updated', provenance: 'virt-gen', lost: [] });
    expect(updated.warnings).toEqual([
      `'${name}' is running: the new definition takes effect when it is next started`,
    ]);
    virshOk(['destroy', name]);
    await backend.undefine(name, { nvram: true });
    expect(virsh(['domstate', name]).status).not.toBe(0);
  }, 60_000);
});
