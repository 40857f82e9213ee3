/**
 * A host reached through libvirt: which facts source a URI picks, doctor on the facts and domain
 * capabilities libvirt gives (fixture hosts), and the plan shown for a host libvirt cannot configure.
 */
import { describe, expect, it } from '@jest/globals';
import { parsePciAddress, type PciAddress } from '../../../src/domain/address.js';
import { diagnoseRemote, parseDomainCaps } from '../../../src/host/doctor/remote.js';
import type { Finding } from '../../../src/host/doctor/finding.js';
import { chooseFactsSource, isRemoteUri } from '../../../src/host/facts-source.js';
import { readLibvirtFacts } from '../../../src/host/from-libvirt/facts.js';
import type { HostNeeds } from '../../../src/host/needs.js';
import { remotePlanLines } from '../../../src/host/remote-plan.js';
import { fixtureQuery } from './helpers/libvirt-fixture.js';

const pci = (s: string): PciAddress => parsePciAddress(s) as PciAddress;
const gpuNeeds = (gpu: string, extra: Partial<HostNeeds> = {}): HostNeeds => ({
  pciDevices: [pci(`${gpu}.0`), pci(`${gpu}.1`)],
  deviceNodes: [],
  readFiles: [],
  ...extra,
});
const statuses = (findings: Finding[]): Record<string, string> =>
  Object.fromEntries(findings.map((f) => [f.id, f.status]));

describe('which source reads the host', () => {
  it.each([
    ['qemu:///system', false],
    ['qemu:///session', false],
    ['qemu+unix:///system', false],
    ['qemu+ssh://gpu1/system', true],
    ['qemu+ssh://root@gpu1:2222/system?keyfile=/k', true],
    ['qemu+tcp://10.0.0.5/system', true],
    ['qemu://gpu1/system', true],
    ['qemu+ext:///system?command=/x', true],
    ['not a uri', false],
  ])('%s is remote: %s', (uri, remote) => {
    expect(isRemoteUri(uri)).toBe(remote);
  });

  it('a local URI reads sysfs under --root, a remote one libvirt; --facts overrides', () => {
    expect(chooseFactsSource({ uri: 'qemu:///system', root: '/mnt' }).describe).toBe('sysfs under /mnt');
    expect(chooseFactsSource({ uri: 'qemu+ssh://h/system' }).describe).toBe('libvirt at qemu+ssh://h/system');
    expect(chooseFactsSource({ uri: 'qemu:///system', facts: 'libvirt' }).name).toBe('libvirt');
    expect(chooseFactsSource({ uri: 'qemu+ssh://h/system', facts: 'sysfs' }).name).toBe('sysfs');
  });

  it('refuses an unknown --facts and --root with a remote URI, naming the option', () => {
    expect(() => chooseFactsSource({ facts: 'proc' })).toThrow('--facts proc: expected sysfs or libvirt');
    expect(() => chooseFactsSource({ uri: 'qemu+ssh://h/system', root: '/mnt' })).toThrow(
      "--root /mnt reads this machine's files; qemu+ssh://h/system is another host",
    );
  });
});

async function remoteDoctor(host: string, needs?: HostNeeds): Promise<Finding[]> {
  const query = fixtureQuery(host);
  const facts = await readLibvirtFacts(query);
  const domcaps = parseDomainCaps((await query.domainCapabilities()) as string);
  return diagnoseRemote(
    facts,
    { uri: query.uri, domcaps, libvirt: { ok: true, version: '9.0.0' } },
    needs,
    'g.ts',
  );
}

describe('doctor -c REMOTE on fixture hosts', () => {
  it('guide: ready; device reset and mounts are left to doctor on the host, which it says', async () => {
    const findings = await remoteDoctor(
      'guide',
      gpuNeeds('02:00', { hugepages: { sizeKiB: 2048, count: 1024 } }),
    );
    expect(statuses(findings)).toEqual({
      iommu: 'ok',
      vfio: 'ok',
      kvm: 'ok',
      'driver:0000:02:00.0': 'ok',
      'driver:0000:02:00.1': 'ok',
      'group:1': 'ok',
      hugepages: 'ok',
      ovmf: 'ok',
      libvirt: 'ok',
      'remote-host-files': 'warn',
    });
    expect(findings.at(-1)?.fix).toBe('on that host: virt-gen doctor g.ts');
  });

  it('nic-shared-group: the NIC in the GPU group fails, as with sysfs; no KVM, no UEFI', async () => {
    const s = statuses(await remoteDoctor('nic-shared-group', gpuNeeds('03:00')));
    expect([s['group:13'], s.kvm, s.ovmf]).toEqual(['fail', 'fail', 'fail']);
  });

  it('a short hugepage pool: the fix is libvirt allocating pages on that host', async () => {
    const findings = await remoteDoctor(
      'amd-2ccd',
      gpuNeeds('0b:00', { hugepages: { sizeKiB: 1048576, count: 20 } }),
    );
    expect(findings.find((f) => f.id === 'hugepages')?.fix).toContain(
      "virsh -c 'qemu+ssh://amd-2ccd/system' allocpages --pagesize 1G --pagecount 20",
    );
  });

  it('IOMMU on but no VFIO backend in the domain capabilities: vfio-pci is not loaded', async () => {
    const query = fixtureQuery('guide');
    const facts = await readLibvirtFacts(query);
    const domcaps = { ...parseDomainCaps((await query.domainCapabilities()) as string), vfio: false };
    const f = diagnoseRemote(facts, { uri: query.uri, domcaps }, undefined).find((x) => x.id === 'vfio');
    expect(f).toMatchObject({ status: 'fail', fix: expect.stringContaining('modprobe vfio-pci') });
  });
});

describe("a remote host's plan", () => {
  it('names the ACL nodes and the commands to run there, and writes nothing', async () => {
    const facts = await readLibvirtFacts(fixtureQuery('amd-2ccd'));
    const lines = remotePlanLines(facts, gpuNeeds('0b:00'), 'g.ts', 'qemu+ssh://amd-2ccd/system');
    expect(lines).toContain('  qemu.conf cgroup_device_acl allows /dev/vfio/vfio, /dev/vfio/27');
    expect(lines).toContain('  sudo virt-gen host apply g.ts    # make them (one backup, atomic writes)');
  });

  it('is empty for a VM that needs nothing of the host', async () => {
    const facts = await readLibvirtFacts(fixtureQuery('amd-2ccd'));
    expect(remotePlanLines(facts, { pciDevices: [], deviceNodes: [], readFiles: [] }, 'g.ts', 'u')).toEqual(
      [],
    );
  });
});
