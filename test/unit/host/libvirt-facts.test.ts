/**
 * The libvirt facts source on the fixture hosts the sysfs source is tested on: libvirt's answers
 * (test/fixtures/libvirt-hosts/, libvirt's XML shapes) must give the same facts as the sysfs trees
 * (test/fixtures/hosts/), field by field, up to what libvirt cannot report (origin.unknown).
 */
import { describe, expect, it } from '@jest/globals';
import path from 'node:path';
import { buildOnHost } from '../../../src/build-domain.js';
import { writeDomainXml } from '../../../src/domain/write.js';
import { discover } from '../../../src/host/discover.js';
import { readHostFacts } from '../../../src/host/facts.js';
import { readLibvirtFacts } from '../../../src/host/from-libvirt/facts.js';
import { comparable } from '../../support/facts-compare.js';
import { EXAMPLES } from '../../support/paths.js';
import { fixtureQuery } from './helpers/libvirt-fixture.js';
import { hostFixture } from './helpers/roots.js';

const HOSTS = ['guide', 'amd-2ccd', 'hybrid-intel', 'nic-shared-group', 'no-iommu'];

describe.each(HOSTS)('fixture host %s: libvirt and sysfs give the same facts', (host) => {
  it('field by field, up to what libvirt cannot report', async () => {
    const [sysfs, libvirt] = await Promise.all([
      readHostFacts(hostFixture(host)),
      readLibvirtFacts(fixtureQuery(host)),
    ]);
    expect(comparable(libvirt)).toEqual(comparable(sysfs));
  });

  it('says where the facts came from and what it could not read', async () => {
    const facts = await readLibvirtFacts(fixtureQuery(host));
    expect(facts.origin).toEqual({
      source: 'libvirt',
      uri: `qemu+ssh://${host}/system`,
      unknown: expect.arrayContaining(['pci-reset', 'boot-vga', 'mounts', 'cmdline']),
    });
  });

  it('reads the node devices in one batch, not one connection per device', async () => {
    const query = fixtureQuery(host);
    await readLibvirtFacts(query);
    expect(query.calls.filter((c) => c.startsWith('nodedev-dumpxml')).length).toBeLessThanOrEqual(2);
  });
});

describe('libvirt facts where they matter', () => {
  it('the GPU, its functions and its shared group on nic-shared-group', async () => {
    const d = discover(await readLibvirtFacts(fixtureQuery('nic-shared-group')));
    expect(d.gpus.map((g) => [g.address, g.functions.map((f) => f.address), g.iommuGroup?.viable])).toEqual([
      ['0000:03:00.0', ['0000:03:00.0', '0000:03:00.1'], false],
    ]);
    expect(d.gpus[0]?.iommuGroup?.offenders).toEqual([
      '0000:04:00.0 (Ethernet controller 8086:10d3) on e1000e',
    ]);
    // libvirt has no boot_vga: discover does not pretend to know.
    expect(d.gpus[0]?.bootVga).toBeUndefined();
  });

  it("pin: 'auto' pins the same host CPUs from either source (modern.ts on the two-CCD AMD)", async () => {
    const config = path.join(EXAMPLES, 'modern.ts');
    const [fromSysfs, fromLibvirt] = await Promise.all([
      buildOnHost(config, hostFixture('amd-2ccd')),
      buildOnHost(config, '/', () => readLibvirtFacts(fixtureQuery('amd-2ccd'))),
    ]);
    expect(fromLibvirt.domain.cputune?.vcpupin?.length).toBe(12);
    expect(writeDomainXml(fromLibvirt.domain)).toBe(writeDomainXml(fromSysfs.domain));
  });

  it('hugepage pools: totals from the capabilities cells, free counts from freepages', async () => {
    const facts = await readLibvirtFacts(fixtureQuery('hybrid-intel'));
    expect(facts.memory.pools).toEqual([
      { sizeKiB: 2048, total: 8192, free: 8000, reserved: 0, surplus: 0 },
      { sizeKiB: 1048576, total: 0, free: 0, reserved: 0, surplus: 0 },
    ]);
  });
});
