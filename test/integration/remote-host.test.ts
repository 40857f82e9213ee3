/**
 * A real remote connection: `qemu+ext:///system?command=SCRIPT`, where SCRIPT execs
 * `virt-ssh-helper qemu:///system`, the program ssh runs on the far end of `qemu+ssh://` (libvirt
 * 9.0: /usr/bin/virt-ssh-helper). The client side is libvirt's remote driver, as with ssh. The CLI
 * runs with this machine's sysfs and procfs facts hidden (hidden-host.ts), so whatever it reports
 * about the host can only have come through libvirt; it must equal what the sysfs source reads
 * here, field by field. Domains are named vg-remote-*.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { readHostFacts } from '../../src/host/facts.js';
import { readLibvirtFacts } from '../../src/host/from-libvirt/facts.js';
import { VirshHostQuery } from '../../src/libvirt/host-query.js';
import { comparable } from '../support/facts-compare.js';
import { dumpInactive, requireLibvirt, undefine } from '../support/libvirt.js';
import { EXAMPLES } from '../support/paths.js';
import { virtGen, virtGenHidden } from '../support/run.js';

const HELPER = '/usr/bin/virt-ssh-helper';
const dir = mkdtempSync(path.join(os.tmpdir(), 'vg-remote-'));
const script = path.join(dir, 'fake-ssh-remote.sh');
writeFileSync(script, `#!/bin/sh\nexec ${HELPER} qemu:///system\n`, { mode: 0o700 });
const REMOTE = `qemu+ext:///system?command=${script}`;
// Not /var/lib/virt-gen: the tests run as root.
const stateEnv = { VIRT_GEN_STATE_DIR: path.join(dir, 'state') };
const NAME = 'vg-remote-pinned';

/** minimal.ts as NAME, with 1 vCPU pinned by pin: 'auto' to whatever host it is defined on. */
function pinnedConfig(): string {
  const src = readFileSync(path.join(EXAMPLES, 'minimal.ts'), 'utf8')
    .replace(/name: '[^']*'/, `name: '${NAME}'`)
    .replace(/cpu: \{[^}]*\}/, "cpu: { cores: 1, pin: 'auto' }");
  const file = path.join(dir, `${NAME}.ts`);
  writeFileSync(file, src);
  return file;
}

/** discover --json without what only sysfs knows (docs/host.md: "What libvirt cannot report"). */
function shared(json: string): unknown {
  const d = JSON.parse(json) as Record<string, unknown> & { cpu: Record<string, unknown> };
  delete d.source;
  delete d.cpu.model;
  for (const p of d.hugepages as Array<Record<string, unknown>>) p.mounts = [];
  return d;
}

beforeAll(() => {
  requireLibvirt();
  if (!existsSync(HELPER)) throw new Error(`${HELPER} is missing: apt-get install libvirt-daemon`);
});
afterAll(() => undefine(NAME));

describe('a remote host through libvirt (qemu+ext + virt-ssh-helper), this host’s sysfs hidden', () => {
  it('the hiding works: the sysfs source sees no CPUs and no hugepage pools', async () => {
    const r = await virtGenHidden(['discover', '--json', '--facts', 'sysfs']);
    expect(r.status).toBe(0);
    const d = JSON.parse(r.stdout) as { cpu: { logicalCpus: number }; hugepages: unknown[] };
    expect([d.cpu.logicalCpus, d.hugepages]).toEqual([0, []]);
  });

  it('discover -c REMOTE reports what discover reports here from sysfs', async () => {
    const remote = await virtGenHidden(['discover', '--json', '-c', REMOTE]);
    expect(remote.stderr).toBe('');
    expect(remote.status).toBe(0);
    expect(JSON.parse(remote.stdout).source).toMatchObject({ facts: 'libvirt', uri: REMOTE });
    const local = virtGen(['discover', '--json']);
    expect(shared(remote.stdout)).toEqual(shared(local.stdout));
    expect((JSON.parse(remote.stdout) as { cpu: { logicalCpus: number } }).cpu.logicalCpus).toBeGreaterThan(
      0,
    );
  });

  it('HostFacts through the remote connection equal the sysfs facts of this machine, field by field', async () => {
    const [sysfs, libvirt] = await Promise.all([
      readHostFacts('/'),
      readLibvirtFacts(new VirshHostQuery(REMOTE)),
    ]);
    expect(libvirt.pci.length).toBeGreaterThan(0);
    expect(comparable(libvirt)).toEqual(comparable(sysfs));
  });

  it('doctor -c REMOTE: what libvirt answers, and what to run on the host for the rest', async () => {
    const r = await virtGenHidden(['doctor', '--json', '-c', REMOTE]);
    const report = JSON.parse(r.stdout) as { findings: Array<{ id: string; status: string; what: string }> };
    const byId = new Map(report.findings.map((f) => [f.id, f]));
    expect(byId.get('libvirt')?.what).toMatch(/^libvirt answers \(version \d+\.\d+\.\d+\)$/);
    expect(byId.get('kvm')?.status).toBe('ok');
    // This machine has no IOMMU: known only through libvirt, since /sys/kernel/iommu_groups is hidden.
    expect(byId.get('iommu')?.status).toBe('fail');
    expect(byId.get('remote-host-files')).toMatchObject({ status: 'warn' });
    expect(r.status).toBe(1);
  });

  it("define -c REMOTE pins pin: 'auto' on the remote host's topology", async () => {
    undefine(NAME);
    const r = await virtGenHidden(['define', pinnedConfig(), '-c', REMOTE, '--backend', 'virsh'], {
      env: stateEnv,
    });
    expect(r.stderr).toBe('');
    expect(r.stdout).toContain(`created domain '${NAME}'`);
    expect(r.status).toBe(0);
    expect(dumpInactive(NAME)).toMatch(/<vcpupin vcpu='0' cpuset='\d+'\/>/);
  });

  it('define -c A -c B: each host checked and pinned for itself, one failing does not stop the other', async () => {
    undefine(NAME);
    // The local URI reads the (hidden) sysfs here: no CPUs to pin on. The remote one reads libvirt.
    const r = await virtGenHidden(['define', pinnedConfig(), '-c', 'qemu:///system', '-c', REMOTE], {
      env: stateEnv,
    });
    expect(r.stdout).toMatch(
      /summary:\n {2}FAIL {2}qemu:\/\/\/system: failed: .*cpu\.pin 'auto': no CPU topology.*\n/,
    );
    expect(r.stdout).toContain(`  ok    ${REMOTE}: created domain '${NAME}' (vCPUs pinned to host CPUs `);
    expect(r.stderr).toContain('virt-gen: 1 of 2 hosts failed (see the summary)');
    expect(r.status).toBe(1);
  });
});
