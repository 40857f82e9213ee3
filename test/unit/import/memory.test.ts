import { describe, expect, it } from '@jest/globals';
import { writeDomainXml } from '../../../src/domain/document.js';
import { imp } from './helpers.js';

describe('guest memory', () => {
  it('reads -m in MiB, with suffixes and size=', () => {
    expect(imp('-m 4000').domain.memory).toEqual({ unit: 'MiB', value: 4000 });
    expect(imp('-m 4G').domain.memory).toEqual({ unit: 'MiB', value: 4096 });
    expect(imp('-m size=219136k').domain.memory).toEqual({ unit: 'MiB', value: 214 });
    expect(imp('-m size=219100k').domain.memory).toEqual({ unit: 'KiB', value: 219100 });
  });

  it("uses QEMU's 128 MiB when -m is absent", () => {
    expect(imp('-smp 1').domain.memory).toEqual({ unit: 'MiB', value: 128 });
  });

  it('keeps maxmem and slots as <maxMemory>', () => {
    const { domain } = imp('-m size=8G,slots=16,maxmem=16G');
    expect(domain.memory).toEqual({ unit: 'MiB', value: 8192 });
    expect(domain.maxMemory).toEqual({ slots: 16, unit: 'KiB', value: 16777216 });
    // In libvirt's place, before <memory>, not after </qemu:commandline> as an unknown element was.
    expect(writeDomainXml(domain)).toMatch(
      /<name>test<\/name>\s*<maxMemory slots="16" unit="KiB">16777216<\/maxMemory>\s*<memory /,
    );
    // libvirt refuses memory hotplug without a NUMA node: QEMU's implicit one is written.
    expect(domain.cpu?.numa?.cell).toEqual([{ id: 0, cpus: '0', memory: 8388608, unit: 'KiB' }]);
  });

  it('reads -mem-path on hugetlbfs with -mem-prealloc as hugepages', () => {
    expect(imp('-m 4000 -mem-prealloc -mem-path /dev/hugepages').domain.memoryBacking).toEqual({
      hugepages: {},
    });
    expect(imp('-mem-path /dev/hugepages1G').domain.memoryBacking).toEqual({
      hugepages: { page: [{ size: 1048576, unit: 'KiB' }] },
    });
    expect(imp('-mem-path /srv/ram -mem-prealloc').domain.memoryBacking).toEqual({
      source: { type: 'file' },
      allocation: { mode: 'immediate' },
    });
  });

  it("reads libvirt's RAM backend object: hugepages, file, shared, prealloc", () => {
    const huge = imp(
      `-machine pc,memory-backend=pc.ram -object '{"qom-type":"memory-backend-file","id":"pc.ram","mem-path":"/dev/hugepages2M/libvirt/qemu/-1-G","x-use-canonical-path-for-ramblock-id":false,"prealloc":true,"size":224395264}' -display none -nodefaults`,
    );
    expect(huge.domain.memoryBacking).toEqual({ hugepages: { page: [{ size: 2048, unit: 'KiB' }] } });
    expect(huge.warnings).toEqual([]);
    const set = imp(
      `-machine pc,memory-backend=pc.ram -object '{"qom-type":"memory-backend-file","id":"pc.ram","mem-path":"/var/lib/libvirt/qemu/ram/x/pc.ram","share":true,"prealloc":true,"size":1073741824}'`,
    );
    expect(set.domain.memoryBacking).toEqual({
      source: { type: 'file' },
      access: { mode: 'shared' },
      allocation: { mode: 'immediate' },
    });
  });

  it('reads the NUMA policy of the RAM backend as <numatune>', () => {
    const { domain } = imp(
      `-machine pc,memory-backend=pc.ram -object '{"qom-type":"memory-backend-ram","id":"pc.ram","size":134217728,"host-nodes":[0,1,2,3],"policy":"bind"}'`,
    );
    expect(domain.numatune).toEqual({ memory: { mode: 'strict', nodeset: '0-3' } });
  });

  it('reads mem-lock=on as <locked/> and treats off as the default', () => {
    expect(imp('-overcommit mem-lock=on').domain.memoryBacking).toEqual({ locked: {} });
    expect(imp('-overcommit mem-lock=off -realtime mlock=off').domain.memoryBacking).toBeUndefined();
  });
});
