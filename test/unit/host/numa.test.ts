/**
 * NUMA-aware placement on fixture hosts: the rules are checked as properties of the generated domain
 * (test/support/placement-rules.ts), over many guest shapes, not by echoing output.
 */
import { beforeAll, describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import { resolveConfig } from '../../../src/config/validate.js';
import { generate } from '../../../src/generate/index.js';
import { readHostFacts, type HostFacts } from '../../../src/host/facts.js';
import { hostDeviceNode, hostGenerateContext } from '../../../src/host/generate-context.js';
import { parsePciAddress } from '../../../src/domain/address.js';
import { checkRules } from '../../support/placement-rules.js';
import { hostFixture } from './helpers/roots.js';

const hosts: Record<string, HostFacts> = {};
const GPU: Record<string, string> = { 'numa-gpu1': '81:00.0', 'numa-gpu0': '17:00.0', 'only-1g': '01:00.0' };

beforeAll(async () => {
  for (const name of Object.keys(GPU)) hosts[name] = await readHostFacts(hostFixture(name));
});

function gen(host: string, extra: Record<string, unknown>) {
  const facts = hosts[host] as HostFacts;
  const vm = resolveConfig({ name: 'vg-runtime-t', memory: 8192, gpu: { host: GPU[host] }, ...extra }, '/');
  return { facts, ...generate(vm, hostGenerateContext(facts)) };
}

const gpuNode = (host: string): number | undefined =>
  hostDeviceNode(hosts[host] as HostFacts, parsePciAddress(`0000:${GPU[host]}`)!);

describe('NUMA facts', () => {
  it('reads nodes, their CPUs and per-node pools, and the GPU node and local CPUs', () => {
    const f = hosts['numa-gpu1'] as HostFacts;
    expect(f.numa?.map((n) => n.id)).toEqual([0, 1]);
    expect(f.numa?.[1]?.cpus).toEqual([8, 9, 10, 11, 12, 13, 14, 15, 24, 25, 26, 27, 28, 29, 30, 31]);
    expect(f.numa?.[1]?.pools.find((p) => p.sizeKiB === 1048576)?.free).toBe(16);
    const gpu = f.pci.find((d) => d.name === '0000:81:00.0');
    expect(gpu?.numaNode).toBe(1);
    expect(gpu?.localCpus).toEqual(f.numa?.[1]?.cpus);
    // Every CPU and core carries its node, from the node cpulists.
    expect(f.cpu.cpus.every((c) => c.node === (c.id % 16 < 8 ? 0 : 1))).toBe(true);
    expect(gpuNode('numa-gpu1')).toBe(1);
    expect(gpuNode('numa-gpu0')).toBe(0);
    // One node: nothing to choose.
    expect(gpuNode('only-1g')).toBeUndefined();
  });
});

describe.each(['numa-gpu1', 'numa-gpu0'])('pin: auto on %s', (host) => {
  it('every guest that fits on the GPU node follows every rule', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 7 }), fc.integer({ min: 1, max: 2 }), (cores, threads) => {
        const { facts, domain } = gen(host, { cpu: { cores, threads, pin: 'auto' }, hugepages: true });
        const rules = checkRules(facts, domain, gpuNode(host));
        expect(rules).toEqual({
          siblingsTogether: 'yes',
          hostCoreKeptForEmulator: 'yes',
          oneL3WhenItFits: 'yes',
          vcpusOnGpuNode: 'yes',
          emulatorOnGpuNode: 'yes',
          memoryOnGpuNode: 'yes',
          poolHoldsVm: 'yes',
        });
      }),
      { numRuns: 30 },
    );
  });

  it('a guest larger than the node: a cpu.pin warning naming the choice, memory on both nodes', () => {
    const { domain, notes } = gen(host, { cpu: { cores: 10, threads: 2, pin: 'auto' } });
    const warning = notes.find((n) => n.field === 'cpu.pin' && n.level === 'warning');
    expect(warning?.message).toMatch(
      /node \d \(the GPU's\) has 7 beside the host's: it also gets 3 core\(s\) of node \d/,
    );
    expect(warning?.message).toContain("cpu.numa: 'spread'");
    expect(domain.numatune?.memory).toEqual({ mode: 'strict', nodeset: '0-1' });
    expect(domain.cpu?.numa).toBeUndefined();
  });

  it("cpu.numa: 'spread' gives the guest one cell per host node, each bound to its node", () => {
    const { facts, domain } = gen(host, { cpu: { cores: 10, threads: 2, pin: 'auto', numa: 'spread' } });
    const cells = domain.cpu?.numa?.cell ?? [];
    expect(cells).toHaveLength(2);
    expect(cells.reduce((a, c) => a + (c.memory ?? 0), 0)).toBe(8192);
    const memnodes = domain.numatune?.memnode ?? [];
    // Each cell's vCPUs are pinned to CPUs of the host node its memory is bound to.
    for (const cell of cells) {
      const node = Number(memnodes.find((m) => m.cellid === cell.id)?.nodeset);
      const nodeCpus = facts.numa?.find((n) => n.id === node)?.cpus ?? [];
      const vcpus = (cell.cpus ?? '').split(/[,-]/).length > 0 ? expandList(cell.cpus ?? '') : [];
      for (const v of vcpus) {
        const pin = Number(domain.cputune?.vcpupin?.find((p) => p.vcpu === v)?.cpuset);
        expect(nodeCpus).toContain(pin);
      }
    }
  });
});

function expandList(list: string): number[] {
  return list.split(',').flatMap((part) => {
    const [a, b] = part.split('-').map(Number) as [number, number | undefined];
    return Array.from({ length: (b ?? a) - a + 1 }, (_, i) => a + i);
  });
}

describe('hugepages: true picks a pool that holds the VM', () => {
  it('numa-gpu1: 1G pages from the GPU node (node 1 has 16 free)', () => {
    const { domain, notes } = gen('numa-gpu1', {
      memory: 16384,
      hugepages: true,
      cpu: { cores: 4, pin: 'auto' },
    });
    expect(domain.memoryBacking?.hugepages?.page?.[0]?.size).toBe(1048576);
    expect(notes.some((n) => n.field === 'hugepages' && n.level === 'warning')).toBe(false);
  });

  it('numa-gpu0: 2M on node 0, not the 1G pages that exist only on node 1', () => {
    const { facts, domain } = gen('numa-gpu0', {
      memory: 16384,
      hugepages: true,
      cpu: { cores: 4, pin: 'auto' },
    });
    expect(domain.memoryBacking?.hugepages?.page?.[0]?.size).toBe(2048);
    expect(checkRules(facts, domain, 0).poolHoldsVm).toBe('yes');
  });

  it('only-1g: the only free pool is 1G, not the default 2M size', () => {
    const { facts, domain } = gen('only-1g', { memory: 8192, hugepages: true, cpu: { cores: 4 } });
    expect(domain.memoryBacking?.hugepages?.page?.[0]?.size).toBe(1048576);
    expect(checkRules(facts, domain, undefined).poolHoldsVm).toBe('yes');
  });

  it('no pool can: a warning with the pages to reserve, the node and the sysfs file', () => {
    const { notes } = gen('numa-gpu1', { memory: 32768, hugepages: true, cpu: { cores: 4, pin: 'auto' } });
    const w = notes.find((n) => n.field === 'hugepages');
    expect(w?.level).toBe('warning');
    expect(w?.message).toContain('16 more 1G pages on node 1');
    expect(w?.message).toContain('/sys/devices/system/node/node1/hugepages/hugepages-1048576kB/nr_hugepages');
    expect(w?.message).toContain('hugepagesz=1G');
  });

  it('with runtime.allocateHugepages, the runtime plan carries the per-node pages', () => {
    const { domain, notes } = gen('numa-gpu1', {
      memory: 32768,
      hugepages: true,
      cpu: { cores: 4, pin: 'auto' },
      runtime: { allocateHugepages: true },
    });
    expect(notes.find((n) => n.field === 'hugepages')?.level).toBe('info');
    const plan = domain.metadata?.$extra?.children?.[0];
    const pages = plan?.children.find((c) => typeof c !== 'string' && c.name === 'vgr:hugepages');
    expect(pages).toMatchObject({ attrs: { 'size-kib': '2048' } });
    expect(JSON.stringify(pages)).toContain('"node":"1","count":"16384"');
  });
});

describe('discover on a NUMA host', () => {
  it("shows the GPU's node and each node's CPUs and own pools; nothing NUMA on a one-node host", async () => {
    const { discover, formatDiscoveryText } = await import('../../../src/host/discover.js');
    const d = discover(hosts['numa-gpu1'] as HostFacts);
    expect(d.gpus[0]?.numaNode).toBe(1);
    expect(d.numa?.[1]).toEqual({
      node: 1,
      cpus: '8-15,24-31',
      memoryMiB: 65536,
      hugepages: [
        { size: '2M', total: 4096, free: 4096 },
        { size: '1G', total: 16, free: 16 },
      ],
    });
    expect(formatDiscoveryText(d)).toContain(
      'node 1: CPUs 8-15,24-31, 65536 MiB; hugepages 2M 4096/4096 free, 1G 16/16 free',
    );
    const single = discover(hosts['only-1g'] as HostFacts);
    expect(single.numa).toBeUndefined();
    expect(single.gpus[0]?.numaNode).toBeUndefined();
  });
});

describe("doctor's hugepage check follows the node the memory is bound to", () => {
  const finding = async (extra: Record<string, unknown>) => {
    const { hostNeedsOf } = await import('../../../src/host/needs-from-vm.js');
    const { checkHugepages } = await import('../../../src/host/doctor/memory.js');
    const facts = hosts['numa-gpu0'] as HostFacts;
    const vm = resolveConfig(
      {
        name: 'vg-runtime-t',
        memory: 8192,
        hugepages: '1G',
        gpu: { host: GPU['numa-gpu0'] },
        cpu: { cores: 4, pin: 'auto' },
        ...extra,
      },
      '/',
    );
    const { domain } = generate(vm, hostGenerateContext(facts));
    return checkHugepages(facts, hostNeedsOf(vm, domain, facts)).find((f) => f.id === 'hugepages');
  };

  it('1G pages that exist only on the other node do not count', async () => {
    const f = await finding({});
    expect(f?.status).toBe('fail');
    expect(f?.what).toContain('only 0 free 1G hugepages on node 0');
    expect(f?.fix).toContain('/sys/devices/system/node/node0/hugepages/hugepages-1048576kB/nr_hugepages');
  });

  it('with runtime.allocateHugepages the shortage is what the hook fills at start', async () => {
    const f = await finding({ runtime: { allocateHugepages: true } });
    expect(f?.status).toBe('ok');
    expect(f?.what).toContain("virt-gen's hook allocates the 8 the VM needs at each start");
  });
});
