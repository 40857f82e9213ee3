import { afterAll, describe, expect, it } from '@jest/globals';
import { readHostFacts } from '../../../src/host/facts.js';
import { cleanRoots, hostFixture, hostRoot, putFile } from './helpers/roots.js';

afterAll(cleanRoots);

describe('readHostFacts: guide host (i7-4770K, GTX 970 in group 1)', () => {
  it('reads PCI devices with ids, class, driver, group and boot_vga', async () => {
    const f = await readHostFacts(hostFixture('guide'));
    const gpu = f.pci.find((d) => d.name === '0000:02:00.0');
    expect(gpu).toEqual({
      address: { domain: 0, bus: 2, slot: 0, function: 0 },
      name: '0000:02:00.0',
      vendor: 0x10de,
      device: 0x13c2,
      subsystemVendor: 0x1462,
      subsystemDevice: 0x3160,
      class: 0x030000,
      driver: 'vfio-pci',
      iommuGroup: 1,
      bootVga: false,
      resetMethods: ['bus'],
      canReset: true,
      // No NUMA node: the kernel's local_cpulist is every online CPU.
      localCpus: [0, 1, 2, 3, 4, 5, 6, 7],
    });
    expect(f.pci.map((d) => `${d.name} ${d.driver ?? '-'} ${d.iommuGroup}`)).toEqual([
      '0000:00:00.0 - 0',
      '0000:00:01.0 pcieport 1',
      '0000:00:02.0 i915 2',
      '0000:00:14.0 xhci_hcd 3',
      '0000:02:00.0 vfio-pci 1',
      '0000:02:00.1 vfio-pci 1',
    ]);
    expect(f.pci.find((d) => d.name === '0000:00:02.0')?.bootVga).toBe(true);
  });

  it('reads IOMMU groups and units', async () => {
    const f = await readHostFacts(hostFixture('guide'));
    expect(f.iommuGroups).toEqual([
      { id: 0, devices: ['0000:00:00.0'] },
      { id: 1, devices: ['0000:00:01.0', '0000:02:00.0', '0000:02:00.1'] },
      { id: 2, devices: ['0000:00:02.0'] },
      { id: 3, devices: ['0000:00:14.0'] },
    ]);
    expect(f.iommuUnits).toEqual(['dmar0', 'dmar1']);
  });

  it('reads USB devices, skipping interfaces', async () => {
    const f = await readHostFacts(hostFixture('guide'));
    expect(f.usb.map((u) => [u.name, u.vendor, u.product, u.productName, u.rootHub])).toEqual([
      ['1-1', 0x046d, 0xc051, 'USB-PS/2 Optical Mouse', false],
      ['1-2', 0x046d, 0xc316, 'HID compliant keyboard', false],
      ['usb1', 0x1d6b, 0x0002, 'xHCI Host Controller', true],
    ]);
  });

  it('reads the topology: 4 cores, siblings n and n+4, one L3', async () => {
    const f = await readHostFacts(hostFixture('guide'));
    expect(f.cpu.cores.map((c) => c.cpus)).toEqual([
      [0, 4],
      [1, 5],
      [2, 6],
      [3, 7],
    ]);
    expect(f.cpu.cores.map((c) => c.coreId)).toEqual([0, 1, 2, 3]);
    expect(f.cpu.l3Groups).toEqual([[0, 1, 2, 3, 4, 5, 6, 7]]);
    expect(f.cpu.hybrid).toBe(false);
    // node0 is there on every host, NUMA or not.
    expect(f.cpu.cpus[5]).toEqual({ id: 5, package: 0, die: 0, coreId: 1, siblings: [1, 5], l3: 0, node: 0 });
  });

  it('reads hugepage pools, mounts, cmdline, cpuinfo and /dev/kvm', async () => {
    const f = await readHostFacts(hostFixture('guide'));
    expect(f.memory.pools).toEqual([
      { sizeKiB: 2048, total: 2000, free: 2000, reserved: 0, surplus: 0 },
      { sizeKiB: 1048576, total: 0, free: 0, reserved: 0, surplus: 0 },
    ]);
    expect(f.memory.defaultHugepageKiB).toBe(2048);
    expect(f.memory.totalKiB).toBe(16318000);
    expect(f.mounts.filter((m) => m.fstype === 'hugetlbfs')).toEqual([
      {
        source: 'hugetlbfs',
        target: '/dev/hugepages',
        fstype: 'hugetlbfs',
        options: ['rw', 'relatime', 'pagesize=2M'],
      },
    ]);
    expect(f.mounts.find((m) => m.source === '/dev/sdb1')?.target).toBe('/media/USB Stick');
    expect(f.cmdline).toContainEqual({ key: 'intel_iommu', value: 'on' });
    expect(f.cmdline).toContainEqual({ key: 'vfio-pci.ids', value: '10de:13c2,10de:0fbb' });
    expect(f.cmdline).toContainEqual({ key: 'quiet' });
    expect(f.cpuInfo.vendor).toBe('GenuineIntel');
    expect(f.cpuInfo.flags).toContain('vmx');
    expect(f.kvm.present).toBe(true);
  });
});

describe('readHostFacts: other hosts', () => {
  it('AMD 5950X: 16 cores, siblings n and n+16, two L3 groups (CCDs)', async () => {
    const f = await readHostFacts(hostFixture('amd-2ccd'));
    expect(f.cpu.cpus).toHaveLength(32);
    expect(f.cpu.cores).toHaveLength(16);
    expect(f.cpu.cores[0]?.cpus).toEqual([0, 16]);
    expect(f.cpu.cores[15]?.cpus).toEqual([15, 31]);
    expect(f.cpu.l3Groups).toEqual([
      [0, 1, 2, 3, 4, 5, 6, 7, 16, 17, 18, 19, 20, 21, 22, 23],
      [8, 9, 10, 11, 12, 13, 14, 15, 24, 25, 26, 27, 28, 29, 30, 31],
    ]);
    expect(f.cpu.cores.map((c) => c.l3)).toEqual([0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 1, 1, 1, 1]);
    expect(f.memory.pools.find((p) => p.sizeKiB === 1048576)).toMatchObject({ total: 16, free: 16 });
    expect(f.mounts.filter((m) => m.fstype === 'hugetlbfs').map((m) => m.target)).toEqual([
      '/dev/hugepages',
      '/dev/hugepages1G',
    ]);
    expect(f.cpuInfo.vendor).toBe('AuthenticAMD');
  });

  it('hybrid i7-12700K: 8 P-cores with HT, 4 E-cores without', async () => {
    const f = await readHostFacts(hostFixture('hybrid-intel'));
    expect(f.cpu.hybrid).toBe(true);
    expect(f.cpu.cores).toHaveLength(12);
    expect(f.cpu.cores.filter((c) => c.kind === 'performance').map((c) => c.cpus)).toEqual([
      [0, 1],
      [2, 3],
      [4, 5],
      [6, 7],
      [8, 9],
      [10, 11],
      [12, 13],
      [14, 15],
    ]);
    expect(f.cpu.cores.filter((c) => c.kind === 'efficiency').map((c) => c.cpus)).toEqual([
      [16],
      [17],
      [18],
      [19],
    ]);
    expect(f.cpu.cores.map((c) => c.coreId).slice(0, 3)).toEqual([0, 4, 8]);
    expect(f.memory.pools[0]).toEqual({ sizeKiB: 2048, total: 8192, free: 8000, reserved: 100, surplus: 0 });
  });

  it('NIC host: the GPU shares group 13 with an e1000e NIC; no /dev/kvm', async () => {
    const f = await readHostFacts(hostFixture('nic-shared-group'));
    expect(f.iommuGroups.find((g) => g.id === 13)?.devices).toEqual([
      '0000:00:1c.0',
      '0000:00:1c.4',
      '0000:03:00.0',
      '0000:03:00.1',
      '0000:04:00.0',
    ]);
    expect(f.pci.find((d) => d.name === '0000:04:00.0')).toMatchObject({
      class: 0x020000,
      driver: 'e1000e',
      iommuGroup: 13,
    });
    expect(f.cpu.cores.map((c) => c.cpus)).toEqual([
      [0, 1],
      [2, 3],
      [4, 5],
      [6, 7],
    ]);
    expect(f.kvm).toEqual({ present: false });
  });

  it('IOMMU off: no groups, no units, devices without a group', async () => {
    const f = await readHostFacts(hostFixture('no-iommu'));
    expect(f.iommuGroups).toEqual([]);
    expect(f.iommuUnits).toEqual([]);
    expect(f.pci.every((d) => d.iommuGroup === undefined)).toBe(true);
    expect(f.cpu.cores.map((c) => c.cpus)).toEqual([[0], [1]]);
  });

  it('an empty root yields empty facts rather than an error', async () => {
    const f = await readHostFacts('/nonexistent-virt-gen-root');
    expect(f.pci).toEqual([]);
    expect(f.cpu.cores).toEqual([]);
    expect(f.kvm.present).toBe(false);
    expect(f.cmdline).toBeUndefined();
  });
});

describe('P/E cores from cpu_capacity', () => {
  it('a lower capacity marks E-cores when the PMU lists are absent', async () => {
    const root = await hostRoot('guide');
    for (const cpu of [0, 1, 2, 3, 4, 5, 6, 7]) {
      await putFile(
        root,
        `/sys/devices/system/cpu/cpu${cpu}/cpu_capacity`,
        [2, 3, 6, 7].includes(cpu) ? '642\n' : '1024\n',
      );
    }
    const f = await readHostFacts(root);
    expect(f.cpu.hybrid).toBe(true);
    expect(f.cpu.cores.map((c) => c.kind)).toEqual([
      'performance',
      'performance',
      'efficiency',
      'efficiency',
    ]);
    expect(f.cpu.cpus[6]?.capacity).toBe(642);
  });
});
