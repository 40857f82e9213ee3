/** `host plan|apply` end to end on fixture roots: diffs, one backup, idempotency, refusals. */
import { afterAll, describe, expect, it } from '@jest/globals';
import { existsSync } from 'node:fs';
import { chmod, readdir, readFile, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { parsePciAddress, type PciAddress } from '../../../src/domain/address.js';
import { readHostFacts } from '../../../src/host/facts.js';
import { applyHostPlan, planHost } from '../../../src/host/plan.js';
import { augtool } from './helpers/oracles.js';
import { cleanRoots, hostRoot, qemuConfFixture, readRootFile } from './helpers/roots.js';

afterAll(cleanRoots);

const pci = (s: string): PciAddress => parsePciAddress(s) as PciAddress;
const GUIDE_NEEDS = { pciDevices: [pci('02:00.0'), pci('02:00.1')], deviceNodes: [], readFiles: [] };
const CONF = '/etc/libvirt/qemu.conf';

describe('planHost', () => {
  it("guide host, stock qemu.conf: one change, the ACL, as a unified diff; AppArmor's abstraction is absent", async () => {
    const root = await hostRoot('guide', await qemuConfFixture('debian12-stock.conf'));
    const plan = await planHost(await readHostFacts(root), GUIDE_NEEDS, root);
    expect(plan.aclWanted).toEqual(['/dev/vfio/vfio', '/dev/vfio/1']);
    expect(plan.changes.map((c) => [c.path, c.why, c.backup])).toEqual([
      [CONF, 'cgroup_device_acl: allow /dev/vfio/vfio, /dev/vfio/1', true],
    ]);
    const diff = plan.changes[0]?.diff ?? '';
    expect(diff).toMatch(/^--- a\/etc\/libvirt\/qemu\.conf\n\+\+\+ b\/etc\/libvirt\/qemu\.conf\n@@ /);
    expect(diff).toContain('\n+cgroup_device_acl = [\n');
    expect(diff).toContain('\n+    "/dev/vfio/vfio", "/dev/vfio/1"\n');
    expect(diff.split('\n').filter((l) => l.startsWith('-') && !l.startsWith('---'))).toEqual([]);
    expect(plan.apparmor).toMatchObject({
      action: 'none',
      reason:
        '/etc/apparmor.d/abstractions/libvirt-qemu is not installed: libvirt confines QEMU without it, nothing to do',
    });
    expect(plan.notes).toContain(
      'qemu.conf: restart libvirtd (or virtqemud) after apply for the ACL to take effect',
    );
  });

  it('NIC host: the plan warns that the group is not viable, naming e1000e', async () => {
    const root = await hostRoot('nic-shared-group', await qemuConfFixture('debian12-stock.conf'));
    const plan = await planHost(
      await readHostFacts(root),
      { ...GUIDE_NEEDS, pciDevices: [pci('03:00.0'), pci('03:00.1')] },
      root,
    );
    expect(plan.warnings.join('\n')).toContain(
      'IOMMU group 13 is not viable: 0000:04:00.0 (Ethernet controller 8086:10d3) is bound to e1000e',
    );
    expect(plan.aclWanted).toEqual(['/dev/vfio/vfio', '/dev/vfio/13']);
  });

  it('a missing qemu.conf gets one with the default list and the additions', async () => {
    const root = await hostRoot('guide');
    const plan = await planHost(await readHostFacts(root), GUIDE_NEEDS, root);
    expect(plan.changes[0]?.diff.startsWith('--- /dev/null\n+++ b/etc/libvirt/qemu.conf\n')).toBe(true);
    await applyHostPlan(plan, root);
    expect((await augtool(root)).acl).toEqual([
      '/dev/null',
      '/dev/full',
      '/dev/zero',
      '/dev/random',
      '/dev/urandom',
      '/dev/ptmx',
      '/dev/kvm',
      '/dev/vfio/vfio',
      '/dev/vfio/1',
    ]);
    expect(existsSync(path.join(root, CONF + '.virt-gen.bak'))).toBe(false);
  });
});

describe('applyHostPlan', () => {
  it('writes, backs up once, keeps the mode, and a second apply changes no byte', async () => {
    const original = await qemuConfFixture('debian12-stock.conf');
    const root = await hostRoot('guide', original);
    await chmod(path.join(root, CONF), 0o600);
    const facts = await readHostFacts(root);
    const first = await applyHostPlan(await planHost(facts, GUIDE_NEEDS, root), root);
    expect(first.written).toEqual([path.join(root, CONF)]);
    expect(first.backups).toEqual([path.join(root, CONF + '.virt-gen.bak')]);
    const after = await readRootFile(root, CONF);
    const mtime = (await stat(path.join(root, CONF))).mtimeMs;
    expect((await stat(path.join(root, CONF))).mode & 0o777).toBe(0o600);

    const second = await planHost(facts, GUIDE_NEEDS, root);
    expect(second.changes).toEqual([]);
    expect(await applyHostPlan(second, root)).toEqual({ written: [], backups: [], snapshots: [] });
    expect(await readRootFile(root, CONF)).toBe(after);
    expect((await stat(path.join(root, CONF))).mtimeMs).toBe(mtime);
    expect(await readRootFile(root, CONF + '.virt-gen.bak')).toBe(original);
  });

  it('a later change keeps the first backup (the state before virt-gen) and the state it replaces', async () => {
    const original = await qemuConfFixture('one-line-acl.conf');
    const root = await hostRoot('guide', original);
    const facts = await readHostFacts(root);
    await applyHostPlan(await planHost(facts, GUIDE_NEEDS, root), root);
    const between = await readRootFile(root, CONF);
    const plan = await planHost(facts, { ...GUIDE_NEEDS, deviceNodes: ['/dev/kvmfr0'] }, root);
    expect(plan.changes[0]?.why).toBe('cgroup_device_acl: allow /dev/kvmfr0');
    const { backups } = await applyHostPlan(plan, root);
    expect(backups).toHaveLength(1);
    expect(backups[0]).toMatch(/qemu\.conf\.virt-gen\.\d{8}T\d{6}Z\.bak$/);
    expect(await readFile(backups[0] as string, 'utf8')).toBe(between);
    expect(await readRootFile(root, CONF + '.virt-gen.bak')).toBe(original);
    expect((await augtool(root)).acl.slice(-3)).toEqual(['/dev/vfio/vfio', '/dev/vfio/1', '/dev/kvmfr0']);
  });

  it('refuses to apply a plan when the file changed since planning', async () => {
    const root = await hostRoot('guide', await qemuConfFixture('debian12-stock.conf'));
    const plan = await planHost(await readHostFacts(root), GUIDE_NEEDS, root);
    await writeFile(path.join(root, CONF), 'user = "libvirt-qemu"\n');
    await expect(applyHostPlan(plan, root)).rejects.toThrow(
      '/etc/libvirt/qemu.conf changed since the plan was made',
    );
    expect(await readRootFile(root, CONF)).toBe('user = "libvirt-qemu"\n');
  });

  it('a broken qemu.conf is refused at planning, naming the line, and left untouched', async () => {
    const broken = await qemuConfFixture('broken.conf');
    const root = await hostRoot('guide', broken);
    await expect(planHost(await readHostFacts(root), GUIDE_NEEDS, root)).rejects.toThrow(
      '/etc/libvirt/qemu.conf: line 5, column 5: expecting a separator in list',
    );
    expect(await readRootFile(root, CONF)).toBe(broken);
    expect(await readdir(path.join(root, 'etc/libvirt'))).toEqual(['qemu.conf']);
  });
});
