import { describe, expect, it } from '@jest/globals';
import { resolveConfig } from '../../../src/config/validate.js';
import { generateDomain } from '../../../src/generate/index.js';
import { readRuntimePlan } from '../../../src/hook/plan.js';
import { parseXml } from '../../../src/domain/xml-read.js';
import { writeDomainXml } from '../../../src/domain/write.js';

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

describe('cpu.cpuset', () => {
  it("is the vCPUs' CPUs for the runtime hook: the host keeps the others, the governor acts on these", () => {
    const config = {
      name: 'vm',
      memory: 1024,
      cpu: { cores: 2, threads: 2, cpuset: '2-3,6-7' },
      runtime: { isolateCpus: true, governor: 'performance' },
    };
    const d = generateDomain(resolveConfig(config, '/'), { onlineCpus: [0, 1, 2, 3, 4, 5, 6, 7] });
    expect(d.vcpu).toEqual({ placement: 'static', cpuset: '2-3,6-7', value: 4 });
    expect(d.cputune).toBeUndefined();
    expect(readRuntimePlan(parseXml(writeDomainXml(d)))).toMatchObject({
      isolate: { hostCpus: '0-1,4-5' },
      governor: { name: 'performance', cpus: '2-3,6-7' },
    });
  });
});
