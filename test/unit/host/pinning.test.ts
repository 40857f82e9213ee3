import { beforeAll, describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import { readHostFacts, type HostFacts } from '../../../src/host/facts.js';
import { autoPin, checkCpuset, checkPins } from '../../../src/host/pinning.js';
import { hostFixture } from './helpers/roots.js';

const hosts: Record<string, HostFacts> = {};
beforeAll(async () => {
  for (const name of ['guide', 'amd-2ccd', 'hybrid-intel', 'nic-shared-group', 'no-iommu']) {
    hosts[name] = await readHostFacts(hostFixture(name));
  }
});
const topo = (name: string) => (hosts[name] as HostFacts).cpu;

describe('autoPin on the guide host (4 cores × 2, siblings n and n+4)', () => {
  it('6 vCPUs (3 cores × 2) go to cores 1-3 with their siblings; core 0 stays with the host', () => {
    const p = autoPin(topo('guide'), { cores: 3, threads: 2 });
    expect(p.vcpus).toEqual([1, 5, 2, 6, 3, 7]);
    expect(p.guestCores).toEqual([
      [1, 5],
      [2, 6],
      [3, 7],
    ]);
    expect(p.emulator).toEqual([0, 4]);
    expect(p.iothreads).toEqual([0, 4]);
    expect(p.hostCpus).toEqual([0, 4]);
    expect(p.warnings).toEqual([]);
  });

  it("8 vCPUs (the guide's 4 × 2) do not fit beside the host's core: a clear error", () => {
    expect(() => autoPin(topo('guide'), { cores: 4, threads: 2 })).toThrow(
      "cpu.pin 'auto': the guest needs 4 cores × 2 threads, but this host has 4 cores and 1 is kept for the host " +
        "and QEMU's emulator threads: at most 3 cores × 2 threads fit. Lower cpu.cores to 3",
    );
  });

  it('hostCores: 0 gives the guest every core, as the guide did, and says the emulator shares them', () => {
    const p = autoPin(topo('guide'), { cores: 4, threads: 2 }, { hostCores: 0 });
    expect(p.vcpus).toEqual([0, 4, 1, 5, 2, 6, 3, 7]);
    expect(p.emulator).toEqual([0, 1, 2, 3, 4, 5, 6, 7]);
    expect(p.warnings).toEqual(["no host core is kept: QEMU's emulator threads share the guest's CPUs"]);
  });

  it('two host cores: emulator on the first, I/O threads on the second', () => {
    const p = autoPin(topo('guide'), { cores: 2, threads: 2 }, { hostCores: 2 });
    expect(p.vcpus).toEqual([2, 6, 3, 7]);
    expect(p.emulator).toEqual([0, 4]);
    expect(p.iothreads).toEqual([1, 5]);
  });

  it('one thread per guest core uses the first sibling and says so', () => {
    const p = autoPin(topo('guide'), { cores: 2, threads: 1 });
    expect(p.vcpus).toEqual([1, 2]);
    expect(p.warnings[0]).toContain('the other thread of each pinned core stays with the host');
  });
});

describe('autoPin on other hosts', () => {
  it('AMD two CCDs: an 8-core guest gets the whole second CCD (the host core is on the first)', () => {
    const p = autoPin(topo('amd-2ccd'), { cores: 8, threads: 2 });
    expect(p.vcpus).toEqual([8, 24, 9, 25, 10, 26, 11, 27, 12, 28, 13, 29, 14, 30, 15, 31]);
    expect(p.emulator).toEqual([0, 16]);
    expect(p.warnings).toEqual([]);
  });

  it('AMD: a 4-core guest stays in one CCD too', () => {
    const p = autoPin(topo('amd-2ccd'), { cores: 4, threads: 2 });
    expect(new Set(p.vcpus.map((c) => (c % 16 < 8 ? 0 : 1)))).toEqual(new Set([1]));
  });

  it('AMD: 12 cores cannot stay in one L3 and the plan says so', () => {
    const p = autoPin(topo('amd-2ccd'), { cores: 12, threads: 2 });
    expect(p.vcpus).toHaveLength(24);
    expect(p.vcpus).not.toContain(0);
    expect(p.warnings).toContain('the guest spans 2 L3 caches: fewer cores would keep it in one');
  });

  it('hybrid: P-cores only, siblings together', () => {
    const p = autoPin(topo('hybrid-intel'), { cores: 6, threads: 2 });
    expect(p.vcpus).toEqual([2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13]);
    expect(p.emulator).toEqual([0, 1]);
  });

  it('hybrid: all 8 P-cores for the guest, the host keeps an E-core', () => {
    const p = autoPin(topo('hybrid-intel'), { cores: 8, threads: 2 });
    expect(p.vcpus).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15]);
    expect(p.emulator).toEqual([16]);
    expect(p.warnings[0]).toContain('the host keeps E-core CPUs 16 instead of its first core');
  });

  it('hybrid: single-thread guest cores fill P-cores first, then E-cores with a warning', () => {
    const p = autoPin(topo('hybrid-intel'), { cores: 9, threads: 1 });
    expect(p.vcpus).toEqual([2, 4, 6, 8, 10, 12, 14, 16, 17]);
    expect(p.warnings.some((w) => w.includes('it also gets E-cores'))).toBe(true);
  });

  it('adjacent siblings (0-1, 2-3, …)', () => {
    expect(autoPin(topo('nic-shared-group'), { cores: 3, threads: 2 }).vcpus).toEqual([2, 3, 4, 5, 6, 7]);
  });

  it('a host without SMT cannot give 2 threads per core', () => {
    expect(() => autoPin(topo('no-iommu'), { cores: 1, threads: 2 })).toThrow('set cpu.threads to 1');
  });

  it('refuses a guest shape that is not whole positive numbers', () => {
    expect(() => autoPin(topo('guide'), { cores: 0, threads: 2 })).toThrow(
      'cpu.cores: 0 is not a positive whole number',
    );
  });

  it('property: pins are distinct host CPUs, guest siblings on one host core, never on the host cores', () => {
    fc.assert(
      fc.property(
        fc.constantFrom('guide', 'amd-2ccd', 'hybrid-intel', 'nic-shared-group'),
        fc.integer({ min: 1, max: 16 }),
        fc.integer({ min: 1, max: 2 }),
        (host, cores, threads) => {
          const t = topo(host);
          let p;
          try {
            p = autoPin(t, { cores, threads });
          } catch {
            return;
          }
          expect(p.vcpus).toHaveLength(cores * threads);
          expect(new Set(p.vcpus).size).toBe(p.vcpus.length);
          const coreOf = new Map(t.cpus.map((c) => [c.id, c.siblings.join()]));
          for (let k = 0; k < cores; k++) {
            const sib = p.vcpus.slice(k * threads, (k + 1) * threads).map((c) => coreOf.get(c));
            expect(new Set(sib).size).toBe(1);
          }
          for (const c of p.hostCpus) expect(p.vcpus).not.toContain(c);
          for (const c of p.emulator) if (p.hostCpus.length > 0) expect(p.vcpus).not.toContain(c);
        },
      ),
    );
  });
});

describe('checkPins', () => {
  it('accepts the plan autoPin makes', () => {
    const p = autoPin(topo('guide'), { cores: 3, threads: 2 });
    const r = checkPins(
      topo('guide'),
      { cores: 3, threads: 2 },
      { vcpus: p.vcpus.map((c) => [c]), emulator: p.emulator },
    );
    expect(r).toEqual({ errors: [], warnings: [] });
  });

  it("warns when the guide's pins (vCPU n on CPU n) split guest siblings across host cores", () => {
    const r = checkPins(
      topo('guide'),
      { cores: 4, threads: 2 },
      { vcpus: [0, 1, 2, 3, 4, 5, 6, 7].map((c) => [c]), emulator: [0, 1, 2, 3, 4, 5, 6, 7] },
    );
    expect(r.errors).toEqual([]);
    expect(r.warnings[0]).toBe(
      "vCPUs 0 and 1 are thread siblings in the guest but host CPUs 0 and 1 are not (CPU 0's siblings are 0,4; CPU 1's siblings are 1,5)",
    );
    expect(r.warnings).toContain(
      'the emulator threads share host CPUs 0-7 with vCPUs: pin them to the cores kept for the host',
    );
  });

  it('errors for CPUs the host does not have', () => {
    const r = checkPins(topo('guide'), { cores: 1, threads: 2 }, { vcpus: [[1], [9]] });
    expect(r.errors).toEqual(['vCPU 1 is pinned to CPU 9, which this host does not have (online CPUs: 0-7)']);
    expect(checkCpuset(topo('guide'), [2, 3, 8, 9, 10])).toEqual([
      'cpu.cpuset is pinned to CPU 8-10, which this host does not have (online CPUs: 0-7)',
    ]);
    expect(checkCpuset(topo('guide'), [2, 3, 6, 7])).toEqual([]);
  });

  it('counts vCPUs and notices shared CPUs, P/E mixing and L3 spans', () => {
    expect(checkPins(topo('guide'), { cores: 1, threads: 1 }, { vcpus: [[1], [2]] }).errors).toEqual([
      'cpu.pin lists 2 vCPUs but the guest has 1',
    ]);
    expect(checkPins(topo('guide'), { cores: 2, threads: 1 }, { vcpus: [[1], [1]] }).warnings).toContain(
      'vCPUs 0 and 1 are both pinned to CPU 1',
    );
    expect(
      checkPins(topo('hybrid-intel'), { cores: 2, threads: 1 }, { vcpus: [[2], [16]] }).warnings,
    ).toContain('the vCPUs mix P-cores and E-cores');
    expect(checkPins(topo('amd-2ccd'), { cores: 2, threads: 1 }, { vcpus: [[1], [9]] }).warnings).toContain(
      'the vCPUs span 2 L3 caches',
    );
    expect(checkPins(topo('guide'), { cores: 2, threads: 1 }, { vcpus: [[1]] }).warnings).toContain(
      'vCPUs 1-1 are not pinned',
    );
  });
});
