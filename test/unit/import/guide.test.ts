/**
 * The guide's command lines (../shared/guide) import to the domain EQUIVALENCE.md describes, row by
 * row, and libvirt's schema accepts every result.
 */
import { describe, expect, it } from '@jest/globals';
import { readFileSync } from 'node:fs';
import { importArgs, type ImportResult } from '../../../src/import/index.js';
import { guideFile, validateDomainXml, xmlOf } from './helpers.js';

const load = (name: string, options = {}): ImportResult =>
  importArgs(readFileSync(guideFile(name), 'utf8'), { fileName: name, ...options });

/** Rows 1–22 of EQUIVALENCE.md that vm.args and vm-env.args share. */
function expectGuideDomain(r: ImportResult): void {
  const d = r.domain;
  const dev = d.devices ?? {};
  // 1: KVM on q35
  expect(d.type).toBe('kvm');
  expect(d.os?.type).toEqual({ arch: 'x86_64', machine: 'q35', value: 'hvm' });
  // 2: host-passthrough, kvm hidden
  expect(d.cpu?.mode).toBe('host-passthrough');
  expect(d.features?.kvm?.hidden).toEqual({ state: true });
  // 3-4: Hyper-V
  expect(d.features?.hyperv).toEqual({
    mode: 'custom',
    relaxed: { state: true },
    vapic: { state: true },
    spinlocks: { state: true, retries: 8191 },
    vendor_id: { state: true, value: 'Nvidia43FIX' },
  });
  // 5: hypervclock
  expect(d.clock?.timer).toEqual([{ name: 'hypervclock', present: true }]);
  // 6: topology
  expect(d.vcpu?.value).toBe(8);
  expect(d.cpu?.topology).toEqual({ sockets: 1, dies: 1, cores: 4, threads: 2 });
  // 8-9: memory and hugepages
  expect(d.memory).toEqual({ unit: 'MiB', value: 4000 });
  expect(d.memoryBacking).toEqual({ hugepages: {} });
  // 10: the ioh3420 root port at 00:1c.0
  expect(dev.controller?.find((c) => c.type === 'pci')).toEqual({
    type: 'pci',
    index: 1,
    model: 'pcie-root-port',
    model_: { name: 'ioh3420' },
    target: { chassis: 1, port: '0x1' },
    address: {
      type: 'pci',
      domain: '0x0000',
      bus: '0x00',
      slot: '0x1c',
      function: '0x0',
      multifunction: true,
    },
  });
  // 11-12: GPU and its audio on that port's bus, functions 0 and 1
  const pci = (dev.hostdev ?? []).filter((h) => h.type === 'pci');
  expect(
    pci.map((h) => [h.managed, h.driver?.name, h.source?.address?.bus, h.source?.address?.function]),
  ).toEqual([
    [true, 'vfio', '0x02', '0x0'],
    [true, 'vfio', '0x02', '0x1'],
  ]);
  expect(pci.map((h) => h.address)).toEqual([
    { type: 'pci', domain: '0x0000', bus: '0x01', slot: '0x00', function: '0x0', multifunction: true },
    { type: 'pci', domain: '0x0000', bus: '0x01', slot: '0x00', function: '0x1' },
  ]);
  // 13: OVMF
  expect(d.os?.loader).toEqual({
    readonly: true,
    type: 'pflash',
    path: '/usr/share/edk2.git/ovmf-x64/OVMF_CODE-pure-efi.fd',
  });
  expect(d.os?.nvram?.template).toMatch(/OVMF_VARS-pure-efi\.fd$/);
  // 14-15: iothread and virtio-scsi
  expect(d.iothreads).toEqual({ value: 1 });
  expect(dev.controller?.find((c) => c.type === 'scsi')).toEqual({
    type: 'scsi',
    index: 0,
    model: 'virtio-scsi',
    driver: { iothread: 1, queues: 4, ioeventfd: true },
  });
  // 16-17: the raw block disk and the CD-ROM
  const [disk, cdrom] = dev.disk ?? [];
  expect(disk).toMatchObject({
    type: 'block',
    device: 'disk',
    driver: { name: 'qemu', type: 'raw', cache: 'none', io: 'native', discard: 'unmap' },
    source: { dev: '/dev/bcache/by-uuid/84ea4a08-eed7-4651-93b6-24d5ed6d570a' },
    target: { bus: 'scsi' },
  });
  expect(cdrom).toMatchObject({ type: 'file', device: 'cdrom', readonly: {}, target: { bus: 'sata' } });
  expect(cdrom?.source?.file).toMatch(/windows_10_professional\.iso$/);
  // 19: USB devices by vendor:product
  const usb = (dev.hostdev ?? []).filter((h) => h.type === 'usb');
  expect(usb.map((h) => [h.source?.vendor?.id, h.source?.product?.id])).toEqual([
    ['0x046d', '0xc051'],
    ['0x046d', '0xc316'],
  ]);
  // 20: -soundhw hda
  expect(dev.sound).toEqual([{ model: 'ich6' }]);
  // 22: the tap on br0
  expect(dev.interface).toEqual([
    {
      type: 'bridge',
      source: { bridge: 'br0' },
      target: { dev: 'vmtap0' },
      mac: { address: 'de:ad:be:ef:33:4a' },
      model: { type: 'virtio' },
    },
  ]);
  expect(dev.memballoon).toEqual({ model: 'none' });
}

describe("the guide's vm.args (one line)", () => {
  const r = load('vm.args');

  it('imports to the domain of EQUIVALENCE.md rows 1-22', () => {
    expectGuideDomain(r);
    expect(r.domain.name).toEqual({ value: 'vm' });
  });

  it('has QXL video with a SPICE display while installing (row 18), and no audio environment', () => {
    expect(r.domain.devices?.video).toEqual([{ model: { type: 'qxl' } }]);
    expect(r.domain.devices?.graphics).toEqual([{ type: 'spice', autoport: true }]);
    expect(r.domain.devices?.audio).toBeUndefined();
  });

  it('notes the monitor (row 23), the assumed bridge and the NVRAM template, and keeps nothing verbatim', () => {
    expect(r.domain.qemuCommandline).toBeUndefined();
    expect(
      r.warnings.some((w) => w.startsWith('-monitor stdio') && w.includes('libvirt owns the monitor')),
    ).toBe(true);
    expect(r.warnings.some((w) => w.includes("'br0' (assumed"))).toBe(true);
    expect(r.warnings.some((w) => w.includes('<nvram template>'))).toBe(true);
  });

  it('validates against libvirt’s schema', () => {
    const v = validateDomainXml(xmlOf(r));
    expect(v.output).toContain('validates');
    expect(v.ok).toBe(true);
  });
});

describe("the guide's vm-env.args (libvirt's multi-line form with the audio environment)", () => {
  const r = load('vm-env.args', { bridge: 'br0' });

  it('imports to the same domain', () => {
    expectGuideDomain(r);
    expect(r.domain.name).toEqual({ value: 'vm-env' });
  });

  it('has no video and no display in the final, unprivileged setup (row 18)', () => {
    expect(r.domain.devices?.video).toEqual([{ model: { type: 'none' } }]);
    expect(r.domain.devices?.graphics).toBeUndefined();
  });

  it('reads QEMU_AUDIO_DRV=pa QEMU_PA_SAMPLES=128 as a pulseaudio backend (row 21)', () => {
    expect(r.domain.devices?.audio).toEqual([
      { id: 1, type: 'pulseaudio', input: { bufferLength: 1451 }, output: { bufferLength: 1451 } },
    ]);
  });

  it('keeps the debug console in <qemu:commandline> (row 24)', () => {
    expect(r.domain.qemuCommandline?.arg?.map((a) => a.value)).toEqual([
      '-global',
      'isa-debugcon.iobase=0x402',
      '-debugcon',
      'file:/tmp/qemu_vga.ovmf.log',
    ]);
    expect(r.warnings).toContainEqual(
      expect.stringMatching(
        /^-debugcon file:\/tmp\/qemu_vga\.ovmf\.log \(argument \d+, line 30, column 1\): kept in <qemu:commandline>$/,
      ),
    );
  });

  it('validates against libvirt’s schema', () => {
    const xml = xmlOf(r);
    expect(xml).toContain('<vendor_id state="on" value="Nvidia43FIX"/>');
    expect(xml).toContain('<qemu:arg value="-debugcon"/>');
    expect(validateDomainXml(xml).ok).toBe(true);
  });
});

describe("the guide's qemu-start.sh, read as a script (never run)", () => {
  const r = load('qemu-start.sh', { name: 'gaming', pwd: '/home/user/vm' });

  it('imports to the same domain, pinned to CPUs 0-7 by its taskset (row 7), with its audio environment', () => {
    expectGuideDomain(r);
    expect(r.domain.vcpu).toEqual({ placement: 'static', value: 8, cpuset: '0-7' });
    expect(r.domain.devices?.audio?.[0]?.type).toBe('pulseaudio');
  });

  it('reads $(pwd) as the folder given, and says what it assumed and dropped', () => {
    expect(r.domain.os?.nvram).toEqual({ template: '/home/user/vm/OVMF_VARS-pure-efi.fd' });
    expect(r.domain.devices?.disk?.find((d) => d.device === 'cdrom')?.source).toEqual({
      file: '/home/user/vm/windows_10_professional.iso',
    });
    expect(r.warnings).toContain(
      "$(pwd) in the script read as /home/user/vm (the script's folder; --pwd DIR to change it)",
    );
    expect(r.warnings).toContain("'sudo' dropped: libvirt starts QEMU as its own unprivileged user");
    expect(r.warnings).toContain("the QEMU command of the script's line 43 was imported");
  });

  it('validates against libvirt’s schema', () => {
    expect(validateDomainXml(xmlOf(r)).ok).toBe(true);
  });
});

describe('start scripts in general', () => {
  const script = (body: string) => importArgs(`#!/bin/bash\n${body}`, { pwd: '/vm' });

  it('follows ${BRACED} and bare variables, single quotes literal, continuations joined', () => {
    const r = script(
      'MEM=2048\nCPU=\'host,kvm=off\'\nOPTS="-m ${MEM} \\\n  -cpu $CPU"\nexec qemu-system-x86_64 $OPTS -name guest=scripted\n',
    );
    expect(r.domain.memory).toEqual({ unit: 'MiB', value: 2048 });
    expect(r.domain.features?.kvm?.hidden).toEqual({ state: true });
    expect(r.domain.name?.value).toBe('scripted');
  });

  it('unwraps sudo with options and sh -c, keeping the inner quoting', () => {
    const r = script('sudo -E -u qemu sh -c \'qemu-system-x86_64 -m 1024 -name "guest=quoted"\'\n');
    expect(r.domain.memory).toEqual({ unit: 'MiB', value: 1024 });
    expect(r.domain.name?.value).toBe('quoted');
  });

  it('a script that never starts QEMU is an error that says so', () => {
    expect(() => script('echo hello\n')).toThrow('no line of this script starts QEMU');
  });
});
