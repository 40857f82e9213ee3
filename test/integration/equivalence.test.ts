/**
 * EQUIVALENCE.md, rows 1–22, checked on the real libvirt: examples/gaming.ts is defined, then
 * `virsh dumpxml` shows the XML column and `virsh domxml-to-native qemu-argv` the argv column.
 * Known limits (EQUIVALENCE.md, top): USB hostdevs by vendor:product are checked in dumpxml only,
 * and are dropped from the copy that is converted to argv.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import path from 'node:path';
import { parseDomainXml } from '../../src/domain/document.js';
import type { Domain } from '../../src/domain/model.js';
import { defineXml, dumpInactive, nativeArgv, requireLibvirt, undefine } from '../support/libvirt.js';
import { EXAMPLES } from '../support/paths.js';
import { virtGen } from '../support/run.js';

const NAME = 'vg-test-equivalence';
const NATIVE = 'vg-test-equivalence-argv';

let dom: Domain;
let argv: string[];
let json: Array<Record<string, unknown>>;

function generatedXml(): string {
  const r = virtGen(['xml', path.join(EXAMPLES, 'gaming.ts')]);
  if (r.status !== 0) throw new Error(r.stderr);
  return r.stdout.replace('<name>gaming</name>', `<name>${NAME}</name>`);
}

/** The value following each occurrence of `flag` in argv. */
const after = (flag: string): string[] => argv.flatMap((a, i) => (a === flag ? [argv[i + 1] as string] : []));

beforeAll(() => {
  requireLibvirt();
  const xml = generatedXml();
  defineXml(NAME, xml);
  dom = parseDomainXml(dumpInactive(NAME));
  const withoutUsb = xml
    .replace(/<hostdev mode="subsystem" type="usb"[\s\S]*?<\/hostdev>\s*/g, '')
    .replace(`<name>${NAME}</name>`, `<name>${NATIVE}</name>`);
  defineXml(NATIVE, withoutUsb);
  argv = nativeArgv(NATIVE);
  json = [...after('-device'), ...after('-object'), ...after('-blockdev'), ...after('-audiodev')]
    .filter((a) => a.startsWith('{'))
    .map((a) => JSON.parse(a) as Record<string, unknown>);
});

afterAll(() => {
  undefine(NAME);
  undefine(NATIVE);
});

const devices = (): NonNullable<Domain['devices']> => dom.devices ?? {};
const hasJson = (props: Record<string, unknown>): boolean =>
  json.some((o) => Object.entries(props).every(([k, v]) => JSON.stringify(o[k]) === JSON.stringify(v)));

describe('EQUIVALENCE.md rows 1–22 on libvirt', () => {
  it('1: KVM on q35', () => {
    expect(dom.type).toBe('kvm');
    expect(dom.os?.type?.machine).toMatch(/^pc-q35-/);
    expect(after('-machine')[0]).toMatch(/^pc-q35-/);
    expect(after('-accel')).toEqual(['kvm']);
  });

  it('2: host CPU with KVM hidden', () => {
    expect(dom.cpu?.mode).toBe('host-passthrough');
    expect(dom.features?.kvm?.hidden?.state).toBe(true);
    expect(after('-cpu')[0]).toMatch(/^host,.*kvm=off/);
  });

  it('3: Hyper-V relaxed, vapic, spinlocks 0x1fff', () => {
    const hv = dom.features?.hyperv;
    expect(hv?.mode).toBe('custom');
    expect(hv?.relaxed?.state).toBe(true);
    expect(hv?.vapic?.state).toBe(true);
    expect(hv?.spinlocks).toEqual({ state: true, retries: 8191 });
    const cpu = after('-cpu')[0] ?? '';
    for (const f of ['hv-relaxed=on', 'hv-vapic=on', 'hv-spinlocks=0x1fff'])
      expect(cpu.split(',')).toContain(f);
  });

  it('4: vendor id Nvidia43FIX', () => {
    expect(dom.features?.hyperv?.vendor_id).toEqual({ state: true, value: 'Nvidia43FIX' });
    expect((after('-cpu')[0] ?? '').split(',')).toContain('hv-vendor-id=Nvidia43FIX');
  });

  it('5: Hyper-V clock', () => {
    expect(dom.clock?.timer).toContainEqual({ name: 'hypervclock', present: true });
    expect((after('-cpu')[0] ?? '').split(',')).toContain('hv-time=on');
  });

  it('6: 8 vCPUs as 1 socket × 4 cores × 2 threads', () => {
    expect(dom.vcpu?.value).toBe(8);
    expect(dom.cpu?.topology).toEqual({ sockets: 1, dies: 1, cores: 4, threads: 2 });
    expect(after('-smp')).toEqual(['8,sockets=1,dies=1,cores=4,threads=2']);
  });

  it('7: vCPUs 0..7 pinned (taskset -c 0-7), emulator too', () => {
    expect(dom.cputune?.vcpupin).toEqual(
      [0, 1, 2, 3, 4, 5, 6, 7].map((i) => ({ vcpu: i, cpuset: String(i) })),
    );
    expect(dom.cputune?.emulatorpin).toEqual({ cpuset: '0-7' });
  });

  it('8: 4000 MiB', () => {
    expect(dom.memory).toEqual({ unit: 'KiB', value: 4000 * 1024 });
    expect(after('-m')).toEqual(['4000']);
  });

  it('9: hugepages, preallocated', () => {
    expect(dom.memoryBacking?.hugepages).toBeDefined();
    expect(hasJson({ 'qom-type': 'memory-backend-file', prealloc: true })).toBe(true);
    const backend = json.find((o) => o['qom-type'] === 'memory-backend-file');
    expect(String(backend?.['mem-path'])).toMatch(/^\/dev\/hugepages\//);
  });

  it('10: ioh3420 root port at 00:1c.0, multifunction, chassis 1, port 1', () => {
    const rp = devices().controller?.find((c) => c.model_?.name === 'ioh3420');
    expect(rp).toMatchObject({ type: 'pci', model: 'pcie-root-port', target: { chassis: 1, port: '0x1' } });
    expect(rp?.address).toMatchObject({ bus: '0x00', slot: '0x1c', function: '0x0', multifunction: true });
    expect(
      hasJson({ driver: 'ioh3420', port: 1, chassis: 1, bus: 'pcie.0', multifunction: true, addr: '0x1c' }),
    ).toBe(true);
  });

  it('11–12: GPU 02:00.0 and audio 02:00.1 on one multifunction slot behind that port', () => {
    const rp = devices().controller?.find((c) => c.model_?.name === 'ioh3420');
    const bus = '0x' + (rp?.index ?? -1).toString(16).padStart(2, '0');
    const pci = devices().hostdev?.filter((h) => h.type === 'pci') ?? [];
    expect(
      pci.map((h) => [h.managed, h.driver?.name, h.source?.address?.bus, h.source?.address?.function]),
    ).toEqual([
      [true, 'vfio', '0x02', '0x0'],
      [true, 'vfio', '0x02', '0x1'],
    ]);
    expect(pci.map((h) => h.address)).toEqual([
      { type: 'pci', domain: '0x0000', bus, slot: '0x00', function: '0x0', multifunction: true },
      { type: 'pci', domain: '0x0000', bus, slot: '0x00', function: '0x1' },
    ]);
    const portId = (json.find((o) => o.driver === 'ioh3420')?.id as string) ?? 'missing';
    expect(
      hasJson({ driver: 'vfio-pci', host: '0000:02:00.0', bus: portId, multifunction: true, addr: '0x0' }),
    ).toBe(true);
    expect(hasJson({ driver: 'vfio-pci', host: '0000:02:00.1', bus: portId, addr: '0x0.0x1' })).toBe(true);
  });

  it('13: OVMF code read-only + per-VM variables from the template', () => {
    expect(dom.os?.loader).toMatchObject({
      readonly: true,
      type: 'pflash',
      path: '/usr/share/OVMF/OVMF_CODE_4M.fd',
    });
    expect(dom.os?.nvram?.template).toBe('/usr/share/OVMF/OVMF_VARS_4M.fd');
    const pflash = json.filter((o) => String(o['node-name']).match(/^libvirt-pflash\d-format$/));
    expect(pflash.map((o) => o['read-only'])).toEqual([true, false]);
  });

  it('14: one I/O thread', () => {
    expect(dom.iothreads?.value).toBe(1);
    expect(hasJson({ 'qom-type': 'iothread', id: 'iothread1' })).toBe(true);
  });

  it('15: virtio-scsi on the iothread, 4 queues, ioeventfd', () => {
    const scsi = devices().controller?.find((c) => c.type === 'scsi');
    expect(scsi).toMatchObject({ model: 'virtio-scsi', driver: { iothread: 1, queues: 4, ioeventfd: true } });
    expect(hasJson({ driver: 'virtio-scsi-pci', iothread: 'iothread1', num_queues: 4 })).toBe(true);
  });

  it('16: the raw block disk, cache none, native AIO, discard unmap, on SCSI', () => {
    const disk = devices().disk?.find((d) => d.device === 'disk');
    expect(disk).toMatchObject({
      type: 'block',
      driver: { name: 'qemu', type: 'raw', cache: 'none', io: 'native', discard: 'unmap' },
      source: { dev: '/dev/bcache/by-uuid/84ea4a08-eed7-4651-93b6-24d5ed6d570a' },
      target: { bus: 'scsi' },
    });
    const storage = json.find((o) => o.driver === 'host_device');
    expect(storage).toMatchObject({ aio: 'native', discard: 'unmap', cache: { direct: true } });
    expect(json.some((o) => o.driver === 'scsi-hd')).toBe(true);
  });

  it('17: the install ISO as a read-only CD-ROM', () => {
    const cd = devices().disk?.find((d) => d.device === 'cdrom');
    expect(cd).toMatchObject({ type: 'file', source: { file: '/home/user/vm/windows_10_professional.iso' } });
    expect(cd?.readonly).toEqual({});
    // -cdrom is QEMU's drive index 2: on q35's AHCI, sdc (port 2).
    expect(cd?.target).toMatchObject({ dev: 'sdc', bus: 'sata' });
    expect(json.some((o) => o.driver === 'ide-cd' || o.driver === 'scsi-cd')).toBe(true);
  });

  it('18: final VM: no emulated video, no graphics', () => {
    expect(devices().video).toEqual([{ model: { type: 'none' } }]);
    expect(devices().graphics).toBeUndefined();
    expect(after('-display')).toEqual(['none']);
    expect(json.some((o) => /vga|qxl/.test(String(o.driver)))).toBe(false);
  });

  it('19: USB devices 046d:c051 and 046d:c316 (dumpxml only)', () => {
    const usb = devices().hostdev?.filter((h) => h.type === 'usb') ?? [];
    expect(usb.map((h) => [h.managed, h.source?.vendor?.id, h.source?.product?.id])).toEqual([
      [true, '0x046d', '0xc051'],
      [true, '0x046d', '0xc316'],
    ]);
  });

  it('20: HDA sound (ich6)', () => {
    expect(devices().sound?.[0]?.model).toBe('ich6');
    expect(json.some((o) => o.driver === 'intel-hda')).toBe(true);
    expect(json.some((o) => o.driver === 'hda-duplex')).toBe(true);
  });

  it('21: PulseAudio backend', () => {
    expect(devices().audio?.[0]).toMatchObject({ id: 1, type: 'pulseaudio' });
    expect(hasJson({ id: 'audio1', driver: 'pa' })).toBe(true);
  });

  it('22: virtio NIC on bridge br0 with the guide MAC and tap name', () => {
    expect(devices().interface?.[0]).toMatchObject({
      type: 'bridge',
      mac: { address: 'de:ad:be:ef:33:4a' },
      source: { bridge: 'br0' },
      target: { dev: 'vmtap0' },
      model: { type: 'virtio' },
    });
    expect(hasJson({ driver: 'virtio-net-pci', mac: 'de:ad:be:ef:33:4a' })).toBe(true);
    expect(after('-netdev').some((n) => n.includes('"type":"tap"'))).toBe(true);
  });

  it('24: the debug console passes through <qemu:commandline>', () => {
    expect(argv.join(' ')).toContain(
      '-global isa-debugcon.iobase=0x402 -debugcon file:/tmp/qemu_vga.ovmf.log',
    );
  });
});
