/**
 * `--config out.ts`: the config written for an imported domain loads through virt-gen's own config
 * pipeline, and generates a domain that carries what the command line carried.
 */
import { describe, expect, it } from '@jest/globals';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadVm } from '../../../src/config/index.js';
import type { Domain } from '../../../src/domain/model.js';
import { generateDomain } from '../../../src/generate/index.js';
import { toLiteral } from '../../../src/import/config-source.js';
import { domainToConfigSource, importArgs } from '../../../src/import/index.js';
import { domainToConfig } from '../../../src/import/to-config/index.js';
import { parseDomainXml } from '../../../src/domain/read.js';
import { guideFile, imp } from './helpers.js';

/** Loads config source text as `virt-gen xml` would, and generates its domain. */
async function generateFrom(source: string): Promise<Domain> {
  const dir = mkdtempSync(join(tmpdir(), 'virt-gen-config-'));
  try {
    const file = join(dir, 'vm.ts');
    writeFileSync(file, source);
    return generateDomain(await loadVm(file));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** What a QEMU command line carries, for comparing two domains. */
function carried(d: Domain): Record<string, unknown> {
  const dev = d.devices ?? {};
  return {
    memory: d.memory,
    hugepages: !!d.memoryBacking?.hugepages,
    vcpus: d.vcpu?.value,
    topology: d.cpu?.topology,
    cpuMode: d.cpu?.mode,
    hyperv: { ...d.features?.hyperv, mode: undefined },
    hypervclock: d.clock?.timer?.find((t) => t.name === 'hypervclock')?.present,
    kvmHidden: d.features?.kvm?.hidden?.state ?? false,
    loader: d.os?.loader,
    nvram: d.os?.nvram,
    iothreads: d.iothreads?.value,
    scsi: dev.controller?.filter((c) => c.type === 'scsi').map((c) => c.driver),
    rootPort: dev.controller?.filter((c) => c.model_?.name === 'ioh3420').map((c) => [c.target, c.address]),
    hostdevs: dev.hostdev?.map((h) => [
      h.type,
      h.source?.address,
      h.source?.vendor,
      h.source?.product,
      h.address,
    ]),
    disks: dev.disk?.map((k) => [
      k.device,
      k.target?.bus,
      k.source,
      k.driver?.cache,
      k.driver?.io,
      k.driver?.discard,
    ]),
    nics: dev.interface?.map((i) => [i.type, i.source, i.mac, i.model, i.target?.dev]),
    sound: dev.sound?.map((s) => s.model),
    audio: dev.audio?.map((a) => a.type),
    video: dev.video?.map((v) => v.model?.type).filter((t) => t !== 'none'),
    graphics: dev.graphics?.map((g) => g.type),
    qemuArgs: d.qemuCommandline?.arg,
  };
}

describe('config source', () => {
  it('writes plain data as a literal in the project style', () => {
    expect(toLiteral({ a: "it's", 'b-c': [1, 2], d: { slot: 28, spinlocks: 8191, port: 1 } })).toBe(
      "{\n  a: 'it\\'s',\n  'b-c': [1, 2],\n  d: {\n    slot: 0x1c,\n    spinlocks: 0x1fff,\n    port: 1,\n  },\n}",
    );
  });

  it("turns the guide's vm-env.args into the guide's config", () => {
    const r = importArgs(readFileSync(guideFile('vm-env.args'), 'utf8'), { fileName: 'vm-env.args' });
    const { config } = domainToConfig(r.domain);
    expect(config).toMatchObject({
      name: 'vm-env',
      memory: 4000,
      hugepages: true,
      cpu: { sockets: 1, cores: 4, threads: 2 },
      hyperv: {
        features: ['relaxed', 'vapic', 'spinlocks', 'time'],
        spinlocks: 8191,
        vendorId: 'Nvidia43FIX',
      },
      firmware: {
        loader: '/usr/share/edk2.git/ovmf-x64/OVMF_CODE-pure-efi.fd',
        varsTemplate: '/home/user/vm/OVMF_VARS-pure-efi.fd',
      },
      gpu: {
        host: '0000:02:00.0',
        functions: [0, 1],
        rootPort: { model: 'ioh3420', slot: 0x1c, chassis: 1, port: 1, multifunction: true },
      },
      iothreads: 1,
      scsi: { queues: 4, iothread: true, ioeventfd: true },
      usb: ['046d:c051', '046d:c316'],
      sound: { model: 'ich6', audio: { type: 'pulseaudio' } },
      network: [{ bridge: 'br0', mac: 'de:ad:be:ef:33:4a', model: 'virtio', tap: 'vmtap0' }],
      display: 'none',
      clock: 'utc',
      qemuArgs: ['-global', 'isa-debugcon.iobase=0x402', '-debugcon', 'file:/tmp/qemu_vga.ovmf.log'],
    });
    expect(config.kvmHidden).toBeUndefined(); // the default, true
  });

  it('generates, through the config pipeline, a domain carrying what vm-env.args carried', async () => {
    const r = importArgs(readFileSync(guideFile('vm-env.args'), 'utf8'), { fileName: 'vm-env.args' });
    const source = domainToConfigSource(r.domain, r.warnings, { source: 'vm-env.args' });
    expect(source).toContain("import { defineVm } from 'virt-gen';");
    expect(source).toContain('audio buffer length 1451 µs'); // what the config cannot say is listed
    const generated = await generateFrom(source);
    expect(carried(generated)).toEqual(carried(r.domain));
  });

  it('says QEMU defaults explicitly where the config defaults differ', async () => {
    const r = imp(
      '-m 2G -smp 4 -drive file=/var/lib/libvirt/images/a.qcow2,if=virtio,format=qcow2 -netdev bridge,id=n,br=br1 -device e1000e,netdev=n -vnc :1',
    );
    const { config } = domainToConfig(r.domain);
    expect(config).toMatchObject({
      cpu: { sockets: 4, cores: 1 },
      hyperv: false,
      kvmHidden: false,
      firmware: 'bios',
      disks: [
        {
          path: '/var/lib/libvirt/images/a.qcow2',
          bus: 'virtio',
          format: 'qcow2',
          cache: 'writeback',
          discard: 'ignore',
        },
      ],
      network: [{ bridge: 'br1', model: 'e1000e' }],
      display: { type: 'vnc', port: 5901 },
    });
    const generated = await generateFrom(domainToConfigSource(r.domain, r.warnings));
    const disk = generated.devices?.disk?.[0];
    // No io: QEMU's threads, which the config writes only when cache 'none' would make it native.
    expect(config.disks?.[0]?.io).toBeUndefined();
    expect([disk?.driver?.cache, disk?.driver?.io, disk?.driver?.discard]).toEqual([
      'writeback',
      undefined,
      'ignore',
    ]);
    expect(generated.features?.hyperv).toBeUndefined();
    expect(generated.features?.kvm?.hidden).toBeUndefined();
  });

  it('lists what it cannot express, and uses the imported XML as template when asked', () => {
    const r = imp(
      '-machine isapc -cpu Skylake-Client -smbios type=1,manufacturer=ACME -netdev user,id=u -device virtio-net-pci,netdev=u -display none',
    );
    const source = domainToConfigSource(r.domain, r.warnings, { template: './vm.xml' });
    expect(source).toContain("template: './vm.xml'");
    expect(source).toContain(' * Not expressible in the config, kept from the template (./vm.xml):');
    expect(source).toContain(
      'machine "isapc" is not an x86 PC machine (q35 or i440fx): the config makes a q35 VM',
    );
    expect(source).toContain("network: [\n    {\n      user: true,\n      model: 'virtio',");
  });
});

describe('firmware of a domain made elsewhere (adopt)', () => {
  const osOf = (os: string): Domain =>
    parseDomainXml(`<domain type='kvm'><name>x</name><memory unit='KiB'>1048576</memory>${os}</domain>`);

  it("reads virt-install's <os firmware='efi'> as firmware: 'efi', not 'bios'", () => {
    const efi = osOf("<os firmware='efi'><type arch='x86_64' machine='q35'>hvm</type></os>");
    expect(domainToConfig(efi).config.firmware).toBe('efi');
  });

  it('reads a domain with neither firmware nor a pflash loader as BIOS', () => {
    const bios = osOf("<os><type arch='x86_64' machine='q35'>hvm</type></os>");
    expect(domainToConfig(bios).config.firmware).toBe('bios');
  });
});
