import { describe, expect, it } from '@jest/globals';
import { parseDevfn } from '../../../src/import/map/pci.js';
import { devices, imp } from './helpers.js';

describe('PCI topology', () => {
  it('reads addr in every spelling', () => {
    expect(parseDevfn('1c.0')).toEqual({ slot: 0x1c, fn: 0 });
    expect(parseDevfn('0x1c')).toEqual({ slot: 0x1c, fn: 0 });
    expect(parseDevfn('0x2.0x1')).toEqual({ slot: 2, fn: 1 });
    expect(parseDevfn('00.1')).toEqual({ slot: 0, fn: 1 });
    expect(parseDevfn('20.0')).toBeUndefined();
    expect(parseDevfn('zz')).toBeUndefined();
  });

  it("reads the guide's ioh3420 root port", () => {
    const { domain } = imp(
      '-machine q35 -device ioh3420,bus=pcie.0,addr=1c.0,multifunction=on,port=1,chassis=1,id=root.1',
    );
    expect(devices(domain).controller?.filter((c) => c.type === 'pci')).toEqual([
      {
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
      },
    ]);
  });

  it("keeps libvirt's pci.N ids at index N and numbers the others after them", () => {
    const { domain } = imp(
      '-machine q35 -device pcie-root-port,id=rp,bus=pcie.0,addr=0x3 -device pcie-root-port,port=8,chassis=1,id=pci.1,bus=pcie.0,addr=0x2 -device vfio-pci,host=01:00.0,bus=rp',
    );
    expect(
      devices(domain)
        .controller?.filter((c) => c.type === 'pci')
        .map((c) => c.index),
    ).toEqual([2, 1]);
    expect(devices(domain).hostdev?.[0]?.address?.bus).toBe('0x02');
  });

  it('renames the bus of a device kept verbatim to the mapped controller', () => {
    const r = imp(
      '-machine q35 -device ioh3420,id=root.1,chassis=1 -device frobnicator,bus=root.1,addr=00.0',
    );
    expect(r.domain.qemuCommandline?.arg?.map((a) => a.value)).toEqual([
      '-device',
      'frobnicator,bus=pci.1,addr=00.0',
    ]);
  });
});

describe('VFIO host devices', () => {
  it("reads the guide's GPU and its audio function on the root port", () => {
    const { domain } = imp(
      '-machine q35 -device ioh3420,bus=pcie.0,addr=1c.0,multifunction=on,port=1,chassis=1,id=root.1 ' +
        '-device vfio-pci,host=02:00.0,bus=root.1,addr=00.0,multifunction=on -device vfio-pci,host=02:00.1,bus=root.1,addr=00.1',
    );
    const [gpu, audio] = devices(domain).hostdev ?? [];
    expect(gpu).toEqual({
      mode: 'subsystem',
      type: 'pci',
      managed: true,
      driver: { name: 'vfio' },
      source: { address: { domain: '0x0000', bus: '0x02', slot: '0x00', function: '0x0' } },
      address: {
        type: 'pci',
        domain: '0x0000',
        bus: '0x01',
        slot: '0x00',
        function: '0x0',
        multifunction: true,
      },
    });
    expect(audio?.source?.address?.function).toBe('0x1');
    expect(audio?.address).toEqual({
      type: 'pci',
      domain: '0x0000',
      bus: '0x01',
      slot: '0x00',
      function: '0x1',
    });
  });

  it('puts a device below a root port at slot 0 when addr is not given', () => {
    const { domain } = imp(
      '-machine q35 -device pcie-root-port,id=rp1,chassis=1 -device vfio-pci,host=0000:03:00.0,bus=rp1',
    );
    expect(devices(domain).hostdev?.[0]?.address).toEqual({
      type: 'pci',
      domain: '0x0000',
      bus: '0x01',
      slot: '0x00',
      function: '0x0',
    });
  });

  it('reads JSON devices, non-zero PCI domains, rombar and romfile', () => {
    const { domain } = imp(
      `-device '{"driver":"vfio-pci","host":"0021:de:1f.1","id":"hostdev0","bus":"pci.0","addr":"0x4","rombar":0}' -device vfio-pci,host=06:12.6,romfile=/etc/rom.bin,rombar=1,bootindex=2`,
    );
    const [a, b] = devices(domain).hostdev ?? [];
    expect(a?.source?.address).toEqual({ domain: '0x0021', bus: '0xde', slot: '0x1f', function: '0x1' });
    expect(a?.rom).toEqual({ bar: false });
    expect(a?.address?.slot).toBe('0x04');
    expect(b?.rom).toEqual({ bar: true, file: '/etc/rom.bin' });
    expect(b?.boot).toEqual({ order: 1 }); // bootindex=2, the only one: libvirt's orders count from 1
  });

  it('warns about properties without a libvirt equivalent (x-vga)', () => {
    const r = imp('-device vfio-pci,host=01:00.0,multifunction=on,x-vga=on');
    expect(r.warnings).toContainEqual(expect.stringContaining('x-vga=on not carried over'));
  });

  it('imports legacy -pcidevice as VFIO with a warning', () => {
    const r = imp('-pcidevice host=06:12.5');
    expect(devices(r.domain).hostdev?.[0]?.source?.address).toEqual({
      domain: '0x0000',
      bus: '0x06',
      slot: '0x12',
      function: '0x5',
    });
    expect(r.warnings).toContainEqual(expect.stringContaining('legacy KVM assignment imported as VFIO'));
  });

  it('refuses a host address that is not one', () => {
    expect(() => imp('-device vfio-pci,host=02:00.9x')).toThrow(
      /host: expected a host PCI address such as 02:00.0, found '02:00.9x'/,
    );
  });
});
