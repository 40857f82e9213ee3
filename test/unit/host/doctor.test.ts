/** `doctor` on the fixture hosts: each finding and the verdict (exit code). */
import { afterAll, describe, expect, it } from '@jest/globals';
import { parsePciAddress, type PciAddress } from '../../../src/domain/address.js';
import {
  diagnose,
  doctorExitCode,
  formatDoctorText,
  runDoctor,
  type Finding,
} from '../../../src/host/doctor.js';
import { readDoctorEnv } from '../../../src/host/doctor/env.js';
import { readHostFacts } from '../../../src/host/facts.js';
import type { HostNeeds } from '../../../src/host/needs.js';
import { cleanRoots, hostRoot, putFile, qemuConfFixture } from './helpers/roots.js';

afterAll(cleanRoots);

const pci = (s: string): PciAddress => parsePciAddress(s) as PciAddress;
const needsFor = (gpu: string, extra: Partial<HostNeeds> = {}): HostNeeds => ({
  pciDevices: [pci(`${gpu}.0`), pci(`${gpu}.1`)],
  deviceNodes: [],
  readFiles: [],
  ...extra,
});

async function doctorOn(host: string, needs?: HostNeeds, conf = 'debian12-stock.conf') {
  const root = await hostRoot(host, await qemuConfFixture(conf));
  return runDoctor(await readHostFacts(root), root, needs ? { needs } : {});
}

const byId = (findings: Finding[], id: string): Finding | undefined => findings.find((f) => f.id === id);
const statuses = (findings: Finding[]): Record<string, string> =>
  Object.fromEntries(findings.map((f) => [f.id, f.status]));

describe('doctor', () => {
  it('guide host, GPU in group 1, 2000 × 2M hugepages: ready, with the pending ACL as a warning', async () => {
    const report = await doctorOn('guide', needsFor('02:00', { hugepages: { sizeKiB: 2048, count: 2000 } }));
    expect(statuses(report.findings)).toEqual({
      iommu: 'ok',
      // The guide's intel_iommu=on; iommu=pt is optional, not asked for.
      'boot-cmdline': 'ok',
      kvm: 'ok',
      'driver:0000:02:00.0': 'ok',
      'driver:0000:02:00.1': 'ok',
      'group:1': 'ok',
      hugepages: 'ok',
      hugetlbfs: 'ok',
      'qemu-conf': 'ok',
      'host-plan': 'warn',
      // The fixture's AppArmor is on, without libvirt's abstraction: a host fact, config or not.
      apparmor: 'warn',
      ovmf: 'ok',
    });
    expect(byId(report.findings, 'group:1')?.what).toBe(
      'IOMMU group 1 is viable (0000:00:01.0, 0000:02:00.0, 0000:02:00.1)',
    );
    expect(byId(report.findings, 'host-plan')?.fix).toBe(
      'review with `virt-gen host plan CONFIG`, then run `virt-gen host apply CONFIG` as root',
    );
    expect(report.ready).toBe(true);
    expect(doctorExitCode(report)).toBe(0);
  });

  it('without a config: the host-wide checks only', async () => {
    const report = await doctorOn('guide');
    expect(report.findings.map((f) => f.id)).toEqual(['iommu', 'kvm', 'qemu-conf', 'apparmor', 'ovmf']);
    expect(report.ready).toBe(true);
  });

  it('NIC host: not viable (names e1000e), no /dev/kvm, HPET, ignore_msrs off: exit 1', async () => {
    const report = await doctorOn('nic-shared-group', needsFor('03:00'));
    const group = byId(report.findings, 'group:13');
    expect(group?.status).toBe('fail');
    expect(group?.what).toBe(
      'IOMMU group 13 is not viable: 0000:04:00.0 (Ethernet controller 8086:10d3) is bound to e1000e',
    );
    // The audio function is passed through, so libvirt detaches it at start: only the NIC really blocks.
    expect(byId(report.findings, 'driver:0000:03:00.1')?.status).toBe('warn');
    expect(byId(report.findings, 'kvm')?.status).toBe('fail');
    expect(byId(report.findings, 'clocksource')?.status).toBe('warn');
    expect(byId(report.findings, 'ignore-msrs')?.status).toBe('warn');
    expect(report.ready).toBe(false);
    expect(doctorExitCode(report)).toBe(1);
  });

  it('IOMMU off: fails with the kernel argument to add; no OVMF', async () => {
    const report = await doctorOn('no-iommu');
    expect(byId(report.findings, 'iommu')).toEqual({
      id: 'iommu',
      status: 'fail',
      what: 'IOMMU is off: /sys/kernel/iommu_groups is empty',
      why: 'VFIO passes devices through by IOMMU group; without an IOMMU there are none, and no device can be passed through',
      fix: 'enable VT-d in the firmware setup and add intel_iommu=on (and iommu=pt) to the kernel command line, then reboot',
    });
    expect(byId(report.findings, 'ovmf')?.status).toBe('fail');
    expect(report.ready).toBe(false);
  });

  it('IOMMU off, GPU on nouveau: bind advice with the ids; the IOMMU finding is not repeated as a plan failure', async () => {
    const report = await doctorOn('no-iommu', needsFor('01:00'));
    expect(byId(report.findings, 'driver:0000:01:00.0')?.fix).toContain(
      'options vfio-pci ids=10de:128b,10de:0e0f',
    );
    expect(byId(report.findings, 'iommu')?.status).toBe('fail');
    expect(byId(report.findings, 'host-plan')).toBeUndefined();
    expect(byId(report.findings, 'boot-vga:0000:01:00.0')?.fix).toContain('initcall_blacklist=sysfb_init');
  });

  it('hybrid host: 16 GiB of 2M pages do not fit in the free pool', async () => {
    const report = await doctorOn(
      'hybrid-intel',
      needsFor('01:00', { hugepages: { sizeKiB: 2048, count: 8192 } }),
    );
    expect(byId(report.findings, 'hugepages')).toMatchObject({
      status: 'fail',
      what: 'only 7900 free 2M hugepages (8192 allocated, 100 reserved); the VM needs 8192',
    });
    expect(byId(report.findings, 'hugepages')?.fix).toContain(
      'echo 8484 > /sys/kernel/mm/hugepages/hugepages-2048kB/nr_hugepages',
    );
  });

  it('AMD host: the reset bug warning, the boot GPU warning without the sysfb advice it already follows, 1G pages', async () => {
    const report = await doctorOn(
      'amd-2ccd',
      needsFor('0b:00', { hugepages: { sizeKiB: 1048576, count: 16 } }),
    );
    expect(byId(report.findings, 'reset:0000:0b:00.0')?.what).toBe(
      '0000:0b:00.0 (VGA compatible controller 1002:73bf) is an AMD GPU with reset_method "bus"',
    );
    expect(byId(report.findings, 'boot-vga:0000:0b:00.0')?.fix).not.toContain('initcall_blacklist');
    expect(byId(report.findings, 'hugepages')?.status).toBe('ok');
    expect(byId(report.findings, 'hugetlbfs')?.what).toBe(
      'hugetlbfs for 1G pages is mounted at /dev/hugepages1G',
    );
    expect(report.ready).toBe(true);
  });

  it('1G pages without a 1G mount fail with the mount command', async () => {
    const report = await doctorOn('guide', needsFor('02:00', { hugepages: { sizeKiB: 1048576, count: 4 } }));
    expect(byId(report.findings, 'hugepages')?.status).toBe('fail');
    expect(byId(report.findings, 'hugetlbfs')?.fix).toContain(
      'mount -t hugetlbfs -o pagesize=1G hugetlbfs /dev/hugepages1G',
    );
  });

  it('qemu.conf: QEMU as root is a warning; a broken file fails', async () => {
    const rootUser = await doctorOn('guide', undefined, 'one-line-acl.conf');
    expect(byId(rootUser.findings, 'qemu-conf:user-root')).toMatchObject({
      status: 'warn',
      what: '/etc/libvirt/qemu.conf sets user = "root"',
    });
    const broken = await doctorOn('guide', needsFor('02:00'), 'broken.conf');
    expect(byId(broken.findings, 'qemu-conf')?.status).toBe('fail');
    expect(byId(broken.findings, 'qemu-conf')?.what).toContain(
      'line 5, column 5: expecting a separator in list',
    );
    expect(broken.ready).toBe(false);
  });

  it('extra device nodes and ROM files: missing, present, bad signature; pending rules for them fail', async () => {
    const root = await hostRoot('guide', await qemuConfFixture('guide-vfio.conf'));
    await putFile(root, '/usr/share/vgabios/good.rom', '\u0055\u00aa rest');
    await putFile(root, '/var/lib/bad.rom', 'NVFLASH');
    const needs = needsFor('02:00', {
      deviceNodes: ['/dev/kvmfr0'],
      readFiles: ['/usr/share/vgabios/good.rom', '/var/lib/bad.rom', '/nope.rom'],
    });
    // 0x55 0xAA as bytes, not as UTF-8 text.
    await import('node:fs/promises').then((fs) =>
      fs.writeFile(`${root}/usr/share/vgabios/good.rom`, Buffer.from([0x55, 0xaa, 1, 2])),
    );
    const report = await runDoctor(await readHostFacts(root), root, { needs });
    expect(statuses(report.findings)).toMatchObject({
      'node:/dev/kvmfr0': 'fail',
      'rom:/usr/share/vgabios/good.rom': 'ok',
      'rom:/var/lib/bad.rom': 'warn',
      'rom:/nope.rom': 'fail',
      'host-plan': 'fail',
    });
  });

  it('a /dev node that is a regular file fails on the live host (kvmfr loaded too late)', async () => {
    const root = await hostRoot('guide', await qemuConfFixture('debian12-stock.conf'));
    await putFile(root, '/dev/kvmfr0', '');
    const facts = await readHostFacts(root);
    const needs = needsFor('02:00', { deviceNodes: ['/dev/kvmfr0'] });
    const env = { ...(await readDoctorEnv(facts, root, { needs })), live: true };
    expect(diagnose(facts, env, needs).findings.find((f) => f.id === 'node:/dev/kvmfr0')?.what).toBe(
      '/dev/kvmfr0 is a regular file, not a device',
    );
  });

  it('libvirt reachable or not, through the callback', async () => {
    const root = await hostRoot('guide', await qemuConfFixture('debian12-stock.conf'));
    const facts = await readHostFacts(root);
    const up = await runDoctor(facts, root, { checkLibvirt: async () => ({ ok: true, version: '9.0.0' }) });
    expect(byId(up.findings, 'libvirt')?.what).toBe('libvirt answers (version 9.0.0)');
    const down = await runDoctor(facts, root, {
      checkLibvirt: async () => Promise.reject(new Error('no socket')),
    });
    expect(byId(down.findings, 'libvirt')).toMatchObject({
      status: 'fail',
      what: 'libvirt does not answer: Error: no socket',
    });
  });

  it('text output: one line per finding, why and fix under problems, a verdict', async () => {
    const text = formatDoctorText(await doctorOn('nic-shared-group', needsFor('03:00')));
    expect(text).toContain('FAIL  /dev/kvm does not exist\n      why: ');
    expect(text).toContain('ok    IOMMU is on: 2 IOMMU groups (dmar0)\n');
    expect(text).toMatch(/\nnot ready: \d+ problems to fix, \d+ warnings\n$/);
  });
});
