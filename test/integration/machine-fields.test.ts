/**
 * The machine-level config fields (CPU model, NUMA cells, vCPU cpuset, genid, SMBIOS, memory backing)
 * on the real libvirt: `virt-gen xml` (the built CLI) of configs using them gives XML that libvirt's
 * schema accepts and that libvirt defines with validation and keeps as written. And the reasons
 * behind the validator's refusals, asked of libvirt itself: what it refuses, and what it would
 * silently change (cells that leave vCPUs out, cells whose memory is not `<memory>`).
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { cpSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { dumpInactive, requireLibvirt, virsh } from '../support/libvirt.js';
import { ConfigDefiner } from '../support/libvirt-configs.js';
import { EXAMPLES, REPO } from '../support/paths.js';
import { virtGen } from '../support/run.js';

const libvirt = new ConfigDefiner('vg-machine-fields', "firmware: 'bios', display: 'none', network: false");
const dir = libvirt.dir;
const UUID = '5d3a1c2e-9f7b-4c1a-8e2d-3b4c5d6e7f80';

beforeAll(requireLibvirt);
afterAll(() => libvirt.cleanup());

describe('machine fields on libvirt', () => {
  it('a custom CPU, NUMA cells, a cpuset, genid, SMBIOS tables and memory backing define as written', () => {
    const back = libvirt.defineConfig(
      'vg-machine-fields-all',
      `uuid: '${UUID}', memory: '4 GiB', genid: true, hugepages: '2M', ` +
        `memoryBacking: { locked: true, shared: true, preallocate: true }, ` +
        `cpu: { cores: 4, threads: 2, mode: 'custom', model: 'Haswell-noTSX', features: { hle: 'disable' }, ` +
        `cpuset: '2-7,10-15', numa: [{ cpus: '0-3', memory: '1 GiB' }, { cpus: '4-7', memory: 3072 }] }, ` +
        `smbios: { bios: { vendor: 'AMI', date: '01/02/2020', release: '5.17' }, ` +
        `system: { manufacturer: 'Dell', product: 'OptiPlex 7080', uuid: '${UUID}' }, ` +
        `baseBoard: { manufacturer: 'Dell', serial: 'BB1' }, chassis: { asset: 'A-1' } }`,
    );
    // Every number as libvirt keeps it: 4 GiB is the cells' sum, so <memory> is unchanged.
    expect(back).toContain("<memory unit='KiB'>4194304</memory>");
    expect(back).toMatch(/<genid>[0-9a-f-]{36}<\/genid>/);
    expect(back).toMatch(
      /<memoryBacking>\s*<hugepages>\s*<page size='2048' unit='KiB'\/>\s*<\/hugepages>\s*<nosharepages\/>\s*<locked\/>\s*<access mode='shared'\/>\s*<allocation mode='immediate'\/>/,
    );
    expect(back).toContain("<vcpu placement='static' cpuset='2-7,10-15'>8</vcpu>");
    expect(back).toContain("<model fallback='forbid'>Haswell-noTSX</model>");
    expect(back).toContain("<feature policy='disable' name='hle'/>");
    expect(back).toContain("<cell id='0' cpus='0-3' memory='1048576' unit='KiB'/>");
    expect(back).toContain("<cell id='1' cpus='4-7' memory='3145728' unit='KiB'/>");
    expect(back).toContain("<entry name='release'>5.17</entry>");
    expect(back).toContain(`<entry name='uuid'>${UUID}</entry>`);
    expect(back).toContain("<entry name='asset'>A-1</entry>");
    expect(back).toContain("<smbios mode='sysinfo'/>");
  });

  it("QEMU's max CPU, the host's SMBIOS and a fixed genid define as written", () => {
    const genid = '8c1f2e3d-4b5a-6978-8a9b-0c1d2e3f4a5b';
    const back = libvirt.defineConfig(
      'vg-machine-fields-host',
      `memory: 1024, genid: '${genid}', smbios: 'host', cpu: { cores: 2, mode: 'maximum' }`,
    );
    expect(back).toContain(`<genid>${genid}</genid>`);
    expect(back).toContain("<smbios mode='host'/>");
    expect(back).toMatch(/<cpu mode='maximum'/);
  });
});

describe('virt-gen define with cpu.cpuset (guide host fixture)', () => {
  it('refuses a cpuset naming CPUs the host does not have, before touching libvirt', () => {
    const root = path.join(dir, 'guide-root');
    cpSync(path.join(REPO, 'test', 'fixtures', 'hosts', 'guide'), root, { recursive: true });
    const name = 'vg-machine-cpuset';
    const config = path.join(dir, `${name}.ts`);
    const src = readFileSync(path.join(EXAMPLES, 'gaming.ts'), 'utf8')
      .replace(/name: '[^']*'/, `name: '${name}'`)
      .replace('pin: [0, 1, 2, 3, 4, 5, 6, 7],', "cpuset: '0-9',");
    writeFileSync(config, src);
    libvirt.track(name);
    const r = virtGen(['define', config, '--root', root], {
      env: { VIRT_GEN_STATE_DIR: path.join(dir, 'state') },
    });
    expect(r.stderr).toContain(
      'cpu.cpuset is pinned to CPU 8-9, which this host does not have (online CPUs: 0-7)',
    );
    expect(r.status).toBe(1);
    expect(virsh(['domstate', name]).status).not.toBe(0);
  });
});

describe('virt-gen define with a named CPU model', () => {
  it("warns when this host's CPU cannot run the model (libvirt defines it; QEMU would refuse to start)", () => {
    const root = path.join(dir, 'guide-root-model');
    cpSync(path.join(REPO, 'test', 'fixtures', 'hosts', 'guide'), root, { recursive: true });
    const models = virsh(['domcapabilities', '--virttype', 'kvm']).stdout;
    // A model this host's QEMU knows but its CPU cannot run, as libvirt reports it here.
    const unusable = /<model usable='no'[^>]*>([^<]+)<\/model>/.exec(models)?.[1];
    // Every CPU lacks some newer model's features (QEMU 7.2 lists 50 and more).
    expect(unusable).toBeDefined();
    const name = 'vg-machine-cpu-model';
    const config = path.join(dir, `${name}.ts`);
    writeFileSync(
      config,
      `import { defineVm } from 'virt-gen';\nexport default defineVm({ name: '${name}', memory: 256, ` +
        `firmware: 'bios', hyperv: false, display: 'none', network: false, ` +
        `cpu: { cores: 1, mode: 'custom', model: '${unusable}' } });\n`,
    );
    libvirt.track(name);
    const r = virtGen(['define', config, '--root', root], {
      env: { VIRT_GEN_STATE_DIR: path.join(dir, 'state-model') },
    });
    expect(r.stderr).toContain(`cpu.model: this host's CPU lacks features of "${unusable}"`);
    expect(r.status).toBe(0);
    expect(dumpInactive(name)).toContain(`<model fallback='forbid'>${unusable}</model>`);
  });
});

describe('why the validator refuses: libvirt 9.0 itself', () => {
  const domain = (name: string, inner: string, vcpus = 4, memKiB = 2097152) =>
    `<domain type='kvm'><name>${name}</name><memory unit='KiB'>${memKiB}</memory>` +
    `<vcpu placement='static'>${vcpus}</vcpu>${inner}` +
    `<os><type arch='x86_64' machine='q35'>hvm</type></os></domain>`;
  const cells = (...c: string[]) => `<cpu><numa>${c.join('')}</numa></cpu>`;

  it.each([
    [
      'a BIOS date other than mm/dd/yyyy (smbios.bios.date)',
      "<sysinfo type='smbios'><bios><entry name='date'>2020-01-31</entry></bios></sysinfo>",
      "Invalid BIOS 'date' format",
    ],
    [
      "a system UUID other than the domain's (smbios.system.uuid)",
      `<uuid>${UUID}</uuid><sysinfo type='smbios'><system><entry name='uuid'>${UUID.replace(/0$/, '1')}</entry></system></sysinfo>`,
      'UUID mismatch between <uuid> and <sysinfo>',
    ],
    [
      'cells sharing a vCPU (cpu.numa[].cpus)',
      cells(
        "<cell id='0' cpus='0-2' memory='1048576' unit='KiB'/>",
        "<cell id='1' cpus='2-3' memory='1048576' unit='KiB'/>",
      ),
      'NUMA cells 1 and 0 have overlapping vCPU ids',
    ],
  ])('refuses %s', (_what, inner, message) => {
    const r = libvirt.define('vg-machine-refused', domain('vg-machine-refused', inner));
    expect(r.status).not.toBe(0);
    expect(r.stderr).toContain(message);
  });

  it("silently takes the cells' sum for <memory> and puts left-out vCPUs in cell 0", () => {
    const name = 'vg-machine-cells-changed';
    const inner = cells(
      "<cell id='0' cpus='0-1' memory='1048576' unit='KiB'/>",
      "<cell id='1' cpus='2' memory='524288' unit='KiB'/>",
    );
    expect(libvirt.define(name, domain(name, inner)).status).toBe(0);
    const back = dumpInactive(name);
    expect(back).toContain("<memory unit='KiB'>1572864</memory>");
    expect(back).toContain("<cell id='0' cpus='0-1,3' memory='1048576' unit='KiB'/>");
  });
});
