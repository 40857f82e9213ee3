/** NUMA cells from libvirt's capabilities and per-node free pages: a two-node host. */
import { expect, it } from '@jest/globals';
import {
  numaNodes,
  parseCapabilities,
  parseFreePages,
  parseFreePagesByNode,
} from '../../../src/host/from-libvirt/capabilities.js';

// Two cells as libvirt 9.0 writes them (formatcaps.rst), CPU 3 offline (no socket_id).
const CAPS = `<capabilities><host>
  <cpu><arch>x86_64</arch><vendor>AMD</vendor><pages unit='KiB' size='4'/><pages unit='KiB' size='2048'/></cpu>
  <topology><cells num='2'>
    <cell id='0'><memory unit='KiB'>8000000</memory>
      <pages unit='KiB' size='4'>1000</pages><pages unit='KiB' size='2048'>512</pages>
      <cpus num='2'><cpu id='0' socket_id='0' die_id='0' core_id='0' siblings='0'/>
        <cpu id='1' socket_id='0' die_id='0' core_id='1' siblings='1'/></cpus></cell>
    <cell id='1'><memory unit='KiB'>8100000</memory>
      <pages unit='KiB' size='4'>1000</pages><pages unit='KiB' size='2048'>256</pages>
      <cpus num='2'><cpu id='2' socket_id='1' die_id='0' core_id='0' siblings='2'/><cpu id='3'/></cpus></cell>
  </cells></topology>
</host></capabilities>`;

const FREE = 'Node 0:\n4KiB: 900\n2048KiB: 500\n\nNode 1:\n4KiB: 800\n2048KiB: 6\n\n';

it('cells become nodes with their online CPUs, memory and pools', () => {
  expect(numaNodes(parseCapabilities(CAPS), parseFreePagesByNode(FREE))).toEqual([
    {
      id: 0,
      cpus: [0, 1],
      totalKiB: 8000000,
      pools: [{ sizeKiB: 2048, total: 512, free: 500, reserved: 0, surplus: 0 }],
    },
    {
      id: 1,
      cpus: [2],
      totalKiB: 8100000,
      pools: [{ sizeKiB: 2048, total: 256, free: 6, reserved: 0, surplus: 0 }],
    },
  ]);
});

it('host-wide pools and memory are the sums over the cells', () => {
  const caps = parseCapabilities(CAPS);
  expect([...caps.pageTotals]).toEqual([[2048, 768]]);
  expect(caps.memoryKiB).toBe(16100000);
  expect([...parseFreePages(FREE)]).toEqual([
    [4, 1700],
    [2048, 506],
  ]);
  expect(caps.cpus.map((c) => [c.id, c.package])).toEqual([
    [0, 0],
    [1, 0],
    [2, 1],
  ]);
});

it('free pages without a Node line (a host without NUMA) count as node 0', () => {
  expect([...(parseFreePagesByNode('4KiB: 10\n2048KiB: 3\n').get(0) ?? [])]).toEqual([
    [4, 10],
    [2048, 3],
  ]);
});
