import { describe, expect, it } from '@jest/globals';
import { devices, imp } from './helpers.js';

describe('network interfaces', () => {
  const guideNic =
    '-device virtio-net,netdev=net0,mac=de:ad:be:ef:33:4a,bus=pcie.0 -netdev tap,id=net0,ifname=vmtap0,script=./qemu-ifup,downscript=./qemu-ifdown';

  it("reads the guide's tap with an ifup script as a bridge interface on br0, with a warning", () => {
    const r = imp(`-machine q35 ${guideNic}`);
    expect(devices(r.domain).interface).toEqual([
      {
        type: 'bridge',
        source: { bridge: 'br0' },
        target: { dev: 'vmtap0' },
        mac: { address: 'de:ad:be:ef:33:4a' },
        model: { type: 'virtio' },
      },
    ]);
    expect(r.warnings).toContainEqual(
      expect.stringContaining("bridge interface on 'br0' (assumed: pass --bridge NAME)"),
    );
  });

  it('uses the bridge option when given', () => {
    const r = imp(`-machine q35 ${guideNic}`, { bridge: 'virbr7' });
    expect(devices(r.domain).interface?.[0]?.source).toEqual({ bridge: 'virbr7' });
    expect(r.warnings.some((w) => w.includes('assumed'))).toBe(false);
  });

  it('reads a tap without script as ethernet, a libvirt fd tap too', () => {
    const eth = imp('-netdev tap,id=n,ifname=tap3,script=no,downscript=no,vhost=on -device e1000e,netdev=n');
    expect(devices(eth.domain).interface?.[0]).toEqual({
      type: 'ethernet',
      driver: { name: 'vhost' },
      target: { dev: 'tap3', managed: false },
      model: { type: 'e1000e' },
    });
    const fd = imp(
      `-netdev '{"type":"tap","fd":"3","id":"hostnet0"}' -device '{"driver":"rtl8139","netdev":"hostnet0","id":"net0","mac":"00:11:22:33:44:55","bus":"pci.0","addr":"0x2"}' -display none`,
    );
    expect(devices(fd.domain).interface?.[0]).toMatchObject({
      type: 'ethernet',
      mac: { address: '00:11:22:33:44:55' },
      model: { type: 'rtl8139' },
    });
    expect(fd.warnings).toEqual([]);
  });

  it('reads user and bridge netdevs, rom settings and -nic', () => {
    const { domain } = imp(
      '-netdev user,id=u -device virtio-net-pci,netdev=u,rombar=0 -netdev bridge,id=b,br=br1 -device virtio-net-pci,netdev=b,romfile=/r.bin -nic user,model=virtio-net-pci,mac=52:54:00:00:00:01',
    );
    const [u, b, nic] = devices(domain).interface ?? [];
    expect(u?.type).toBe('user');
    expect(u?.rom).toEqual({ bar: false });
    expect(u?.$extra).toBeUndefined();
    expect(b?.source).toEqual({ bridge: 'br1' });
    expect(nic).toEqual({ type: 'user', mac: { address: '52:54:00:00:00:01' }, model: { type: 'virtio' } });
  });

  it('pairs legacy -net nic with the backend on the same vlan, and drops -net none', () => {
    const { domain } = imp(
      '-net nic,macaddr=00:11:22:33:44:55,vlan=0,model=rtl8139,name=net0 -net user,vlan=0,name=hostnet0 -net none',
    );
    expect(devices(domain).interface).toEqual([
      { type: 'user', mac: { address: '00:11:22:33:44:55' }, model: { type: 'rtl8139' } },
    ]);
    expect(domain.qemuCommandline).toBeUndefined();
  });
});

describe('USB', () => {
  it("reads the guide's -usbdevice host:VVVV:PPPP as optional USB hostdevs", () => {
    const { domain } = imp('-usb -usbdevice host:046d:c051 -usbdevice host:046d:c316');
    expect(devices(domain).hostdev).toEqual([
      {
        mode: 'subsystem',
        type: 'usb',
        managed: true,
        source: { startupPolicy: 'optional', vendor: { id: '0x046d' }, product: { id: '0xc051' } },
      },
      {
        mode: 'subsystem',
        type: 'usb',
        managed: true,
        source: { startupPolicy: 'optional', vendor: { id: '0x046d' }, product: { id: '0xc316' } },
      },
    ]);
    expect(devices(domain).controller ?? []).toEqual([]);
  });

  it('reads usb-host by bus/address, by /dev/bus/usb path and by ids, on a controller', () => {
    const { domain } = imp(
      `-device qemu-xhci,id=usb -device usb-host,hostbus=14,hostaddr=6,bus=usb.0,port=1 ` +
        `-device '{"driver":"usb-host","hostdevice":"/dev/bus/usb/014/006","guest-reset":true,"guest-resets-all":false}' -device usb-host,vendorid=0x1234,productid=0xabcd`,
    );
    expect(devices(domain).controller).toEqual([{ type: 'usb', index: 0, model: 'qemu-xhci' }]);
    const [a, b, c] = devices(domain).hostdev ?? [];
    expect(a?.source?.address).toEqual({ bus: '14', device: '6' });
    expect(a?.address).toEqual({ type: 'usb', bus: '0', port: '1' });
    expect(b?.source?.address).toEqual({ bus: '14', device: '6' });
    expect(c?.source?.vendor).toEqual({ id: '0x1234' });
  });

  it('reads -usbdevice tablet, host:BUS.ADDR and disk:', () => {
    const { domain } = imp('-usb -usbdevice tablet -usbdevice host:14.6 -usbdevice disk:/tmp/usbdisk.img');
    expect(devices(domain).input).toEqual([{ type: 'tablet', bus: 'usb' }]);
    expect(devices(domain).hostdev?.[0]?.source?.address?.bus).toBe('14');
    expect(devices(domain).disk?.[0]).toMatchObject({
      source: { file: '/tmp/usbdisk.img' },
      target: { dev: 'sda', bus: 'usb' },
    });
  });

  it('says there is no USB controller when nothing uses USB', () => {
    expect(devices(imp('-m 64').domain).controller).toEqual([{ type: 'usb', model: 'none' }]);
  });
});

describe("QEMU's implicit NIC", () => {
  it('is a user-mode NIC of the machine default model when no network option is given', () => {
    const pc = imp('-m 1G -display none');
    expect(pc.domain.devices?.interface).toEqual([{ type: 'user', model: { type: 'e1000' } }]);
    expect(pc.warnings.join('\n')).toContain('no network option');
    const q35 = imp('-machine q35 -m 1G -display none');
    expect(q35.domain.devices?.interface).toEqual([{ type: 'user', model: { type: 'e1000e' } }]);
  });

  it('is not there with -nodefaults, -net none, or any -netdev/-nic/-net', () => {
    for (const args of ['-nodefaults', '-net none', '-nic none', '-netdev user,id=n0']) {
      expect(imp(`-m 1G -display none ${args}`).domain.devices?.interface).toBeUndefined();
    }
  });
});
