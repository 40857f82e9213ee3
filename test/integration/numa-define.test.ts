/**
 * What NUMA placement and the runtime plan add to a domain, accepted and kept by the real libvirt:
 * virt-gen's XML for the dual-socket fixture host (GPU on node 1, a guest over both nodes with
 * `cpu.numa: 'spread'`, hugepages, runtime) is valid by libvirt's schema, defines, and comes back
 * from `dumpxml` with its `<numatune>`, guest cells and runtime plan.
 */
import { afterAll, beforeAll, expect, it } from '@jest/globals';
import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseXml } from '../../src/domain/xml-read.js';
import { readRuntimePlan } from '../../src/hook/plan.js';
import { defineXml, dumpInactive, requireLibvirt, undefine } from '../support/libvirt.js';
import { validateDomainXml, virtGen } from '../support/run.js';

const NAME = `vg-runtime-numa-${process.pid}`;
const dir = mkdtempSync(path.join(os.tmpdir(), 'vg-runtime-numa-'));
let xml: string;

beforeAll(() => {
  requireLibvirt();
  const config = path.join(dir, 'vm.ts');
  writeFileSync(
    config,
    `import { defineVm } from 'virt-gen';\nexport default defineVm({ name: '${NAME}', memory: 8192, hugepages: true, ` +
      `cpu: { cores: 10, threads: 2, pin: 'auto', numa: 'spread' }, gpu: { host: '81:00.0' }, ` +
      `runtime: { isolateCpus: true, allocateHugepages: true, governor: 'performance' } });\n`,
  );
  const r = virtGen(['xml', config, '--root', path.join('test', 'fixtures', 'hosts', 'numa-gpu1')]);
  expect(r.status).toBe(0);
  xml = r.stdout;
});
afterAll(() => undefine(NAME));

it("is valid by libvirt's schema, defines, and keeps numatune, cells and the runtime plan", () => {
  const file = path.join(dir, 'vm.xml');
  writeFileSync(file, xml);
  expect(validateDomainXml(file).status).toBe(0);
  defineXml(NAME, xml);
  const back = dumpInactive(NAME);
  expect(back).toContain("<memory mode='strict' nodeset='0-1'/>");
  expect(back).toMatch(/<memnode cellid='0' mode='strict' nodeset='1'\/>/);
  expect(back).toMatch(/<cell id='1' cpus='14-19' memory='\d+' unit='KiB'\/>/);
  expect(readRuntimePlan(parseXml(back))).toEqual(readRuntimePlan(parseXml(xml)));
  expect(readRuntimePlan(parseXml(back))?.isolate).toBeDefined();
});
