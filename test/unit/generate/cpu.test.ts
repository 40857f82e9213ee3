import { describe, expect, it } from '@jest/globals';
import { resolveConfig } from '../../../src/config/validate.js';
import { generateDomain } from '../../../src/generate/index.js';

const vm = (cpu: Record<string, unknown>) => resolveConfig({ name: 'vm', memory: 1024, cpu }, '/');

describe('vendor-specific CPU features', () => {
  it('requires topoext on an AMD host with SMT, so Windows sees thread siblings', () => {
    const d = generateDomain(vm({ cores: 4, threads: 2 }), { cpuVendor: 'AuthenticAMD' });
    expect(d.cpu?.feature).toEqual([{ policy: 'require', name: 'topoext' }]);
  });

  it('never on Intel (require would fail there), nor without SMT, nor offline', () => {
    expect(
      generateDomain(vm({ cores: 4, threads: 2 }), { cpuVendor: 'GenuineIntel' }).cpu?.feature,
    ).toBeUndefined();
    expect(generateDomain(vm({ cores: 4 }), { cpuVendor: 'AuthenticAMD' }).cpu?.feature).toBeUndefined();
    expect(generateDomain(vm({ cores: 4, threads: 2 })).cpu?.feature).toBeUndefined();
  });

  it("keeps the config's own topoext policy", () => {
    const d = generateDomain(vm({ cores: 4, threads: 2, features: { topoext: 'disable' } }), {
      cpuVendor: 'AuthenticAMD',
    });
    expect(d.cpu?.feature).toEqual([{ policy: 'disable', name: 'topoext' }]);
  });
});
