/** `discover`: GPUs with functions and groups, topology, pools; and the starter config. */
import { describe, expect, it } from '@jest/globals';
import { discover, formatDiscoveryText } from '../../../src/host/discover.js';
import { readHostFacts } from '../../../src/host/facts.js';
import { starterChoices, starterConfigSource } from '../../../src/host/starter-config.js';
import { hostFixture } from './helpers/roots.js';

describe('discover', () => {
  it('guide host: both GPUs, their functions and groups; topology; pools; USB', async () => {
    const d = discover(await readHostFacts(hostFixture('guide')));
    expect(
      d.gpus.map((g) => [
        g.address,
        g.ids,
        g.bootVga,
        g.functions.map((f) => f.address),
        g.iommuGroup?.id,
        g.iommuGroup?.viable,
      ]),
    ).toEqual([
      ['0000:00:02.0', '8086:0412', true, ['0000:00:02.0'], 2, true],
      ['0000:02:00.0', '10de:13c2', false, ['0000:02:00.0', '0000:02:00.1'], 1, true],
    ]);
    expect(d.cpu).toMatchObject({
      logicalCpus: 8,
      cores: 4,
      threadsPerCore: 2,
      hybrid: false,
      l3Groups: ['0-7'],
    });
    expect(d.hugepages[0]).toEqual({
      size: '2M',
      sizeKiB: 2048,
      total: 2000,
      free: 2000,
      reserved: 0,
      mounts: ['/dev/hugepages'],
    });
    expect(d.usb.map((u) => u.ids)).toEqual(['046d:c051', '046d:c316']);
    expect(JSON.parse(JSON.stringify(d))).toEqual(d);
  });

  it('NIC host: the group is shown not viable, with the offender', async () => {
    const d = discover(await readHostFacts(hostFixture('nic-shared-group')));
    expect(d.gpus[0]?.iommuGroup?.offenders).toEqual([
      '0000:04:00.0 (Ethernet controller 8086:10d3) on e1000e',
    ]);
    expect(formatDiscoveryText(d)).toContain('    IOMMU group 13: NOT viable\n');
  });

  it('text: the hybrid CPU shows P and E cores', async () => {
    const text = formatDiscoveryText(discover(await readHostFacts(hostFixture('hybrid-intel'))));
    expect(text).toContain(
      'CPU: 12th Gen Intel(R) Core(TM) i7-12700K: 12 cores, 20 threads (hybrid: P- and E-cores)',
    );
    expect(text).toContain('0-1P 2-3P');
    expect(text).toContain('16E 17E 18E 19E');
  });
});

describe('starter config', () => {
  it("guide host: the passthrough GPU (not the boot iGPU), 3 cores × 2 pinned, the 2M pool's 4000 MiB", async () => {
    const c = starterChoices(await readHostFacts(hostFixture('guide')));
    expect(c.gpu?.device.name).toBe('0000:02:00.0');
    expect(c.cpu).toMatchObject({ cores: 3, threads: 2 });
    expect(c.memoryMiB).toBe(4000);
    expect(c.hugepages).toBe('2M');
  });

  it('NIC host: no pool, half the RAM', async () => {
    expect(starterChoices(await readHostFacts(hostFixture('nic-shared-group')))).toMatchObject({
      memoryMiB: 7 * 1024,
    });
  });

  it('AMD host: 8 cores in one CCD, the 16 GiB of 1G pages', async () => {
    const src = starterConfigSource(await readHostFacts(hostFixture('amd-2ccd')), 'gaming');
    expect(src).toContain("import { defineVm } from 'virt-gen';");
    expect(src).toContain(
      "  name: 'gaming',\n  memory: '16 GiB',\n  hugepages: '1G', // from the host's pool of free 1G pages",
    );
    expect(src).toContain('    cores: 8,\n    threads: 2,\n    // vCPUs on host CPUs 8-15,24-31');
    expect(src).toContain("  gpu: { host: '0b:00.0' },");
  });

  it('hybrid host: every P-core, the host keeps an E-core', async () => {
    const c = starterChoices(await readHostFacts(hostFixture('hybrid-intel')));
    expect(c.cpu).toMatchObject({ cores: 8, threads: 2 });
    expect(c.cpu?.plan.hostCpus).toEqual([16]);
  });

  it('guide host: the whole source', async () => {
    expect(starterConfigSource(await readHostFacts(hostFixture('guide'))))
      .toBe(`// A starter config written by \`virt-gen discover --config\`: review every value, then
// \`virt-gen doctor THIS_FILE\` and \`virt-gen define THIS_FILE\`.
import { defineVm } from 'virt-gen';

export default defineVm({
  name: 'win-gaming',
  memory: 4000, // MiB
  hugepages: '2M', // from the host's pool of free 2M pages
  cpu: {
    cores: 3,
    threads: 2,
    // vCPUs on host CPUs 1-3,5-7 (whole cores, one L3 cache); the host keeps 0,4
    pin: 'auto',
  },
  // 02:00.0 [10de:13c2], 02:00.1 [10de:0fbb]; IOMMU group 1
  gpu: { host: '02:00.0' },
  disks: [
    { path: '/var/lib/libvirt/images/win-gaming.qcow2' },
    { path: '/var/lib/libvirt/images/windows.iso', device: 'cdrom' },
  ],
  // USB devices of this host; uncomment the ones to pass through:
  // usb: [
  //   '046d:c051', // Logitech USB-PS/2 Optical Mouse
  //   '046d:c316', // Logitech HID compliant keyboard
  // ],
});
`);
  });
});

describe('starter config through the config loader', () => {
  it.each(['guide', 'amd-2ccd', 'hybrid-intel', 'nic-shared-group', 'no-iommu'])(
    '%s: loads and validates',
    async (host) => {
      const { loadVm } = await import('../../../src/config/index.js');
      const { writeFile, mkdtemp, rm } = await import('node:fs/promises');
      const { tmpdir } = await import('node:os');
      const dir = await mkdtemp(`${tmpdir()}/virt-gen-starter-`);
      try {
        const file = `${dir}/vm.ts`;
        await writeFile(file, starterConfigSource(await readHostFacts(hostFixture(host))));
        const vm = await loadVm(file);
        expect(vm.name).toBe('win-gaming');
        expect(vm.cpu.pin).toBe('auto');
        expect(vm.gpus).toHaveLength(1);
      } finally {
        await rm(dir, { recursive: true, force: true });
      }
    },
  );
});
