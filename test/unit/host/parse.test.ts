import { describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import { formatCpuList, parseCpuList } from '../../../src/host/cpulist.js';
import {
  cmdlineValue,
  hugetlbfsPageKiB,
  parseCmdline,
  parseCpuInfo,
  parseMounts,
} from '../../../src/host/procfs.js';

describe('cpulist', () => {
  it('parses the kernel format and libvirt exclusions', () => {
    expect(parseCpuList('0-3,8-11\n')).toEqual([0, 1, 2, 3, 8, 9, 10, 11]);
    expect(parseCpuList('0,4')).toEqual([0, 4]);
    expect(parseCpuList('\n')).toEqual([]);
    expect(parseCpuList('0-7,^4')).toEqual([0, 1, 2, 3, 5, 6, 7]);
  });

  it('refuses what is not a cpulist, naming it', () => {
    expect(() => parseCpuList('0-x')).toThrow('"0-x" is not a CPU list');
    expect(() => parseCpuList('5-3')).toThrow('runs backwards');
  });

  it('formats the shortest form and round-trips', () => {
    expect(formatCpuList([3, 1, 2, 0, 8, 10, 11])).toBe('0-3,8,10-11');
    fc.assert(
      fc.property(fc.uniqueArray(fc.integer({ min: 0, max: 255 })), (cpus) => {
        expect(parseCpuList(formatCpuList(cpus))).toEqual([...cpus].sort((a, b) => a - b));
      }),
    );
  });
});

describe('procfs parsers', () => {
  it('splits the kernel command line, with quotes', () => {
    const args = parseCmdline('ro quiet "acpi_osi=Windows 2020" intel_iommu=on intel_iommu=off\n');
    expect(args).toEqual([
      { key: 'ro' },
      { key: 'quiet' },
      { key: 'acpi_osi', value: 'Windows 2020' },
      { key: 'intel_iommu', value: 'on' },
      { key: 'intel_iommu', value: 'off' },
    ]);
    expect(cmdlineValue(args, 'intel_iommu')).toBe('off');
  });

  it('reads hugetlbfs page sizes as the kernel writes them', () => {
    const mounts = parseMounts(
      'a /dev/hugepages hugetlbfs rw,pagesize=2M 0 0\nb /dev/hp1g hugetlbfs rw,pagesize=1024M 0 0\nc /x hugetlbfs rw 0 0\n',
    );
    expect(mounts.map(hugetlbfsPageKiB)).toEqual([2048, 1048576, undefined]);
  });

  it('reads cpuinfo flags and vendor', () => {
    expect(parseCpuInfo('processor\t: 0\nvendor_id\t: AuthenticAMD\nflags\t\t: fpu svm pdpe1gb\n')).toEqual({
      vendor: 'AuthenticAMD',
      flags: ['fpu', 'svm', 'pdpe1gb'],
    });
  });
});
