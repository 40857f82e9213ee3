/**
 * Refusals of the device fields a command line brings (user and tap NICs, the display's port and
 * adapter, TPM model and version, mdev, IDE disks): each names its field, and each was checked
 * against libvirt 9.0 (define --validate) or is QEMU's rule at start.
 */
import { describe, expect, it } from '@jest/globals';
import { base, problems } from './helpers/problems.js';

const uuid = '4b20d080-1b54-4048-81ae-217846d8a1b4';

describe('device refusals', () => {
  it.each<[string, object, string]>([
    [
      'a NIC connected nowhere',
      { network: { mac: '52:54:00:00:00:01' } },
      'network: needs exactly one of bridge (a host bridge such as "br0"), network (a libvirt network), user: true (QEMU user-mode networking) or tap alone (a host tap device)',
    ],
    [
      'user and bridge at once',
      { network: { user: true, bridge: 'br0' } },
      'network: needs exactly one of bridge (a host bridge such as "br0"), network (a libvirt network), user: true (QEMU user-mode networking) or tap alone (a host tap device)',
    ],
    [
      'user: false',
      { network: { user: false } },
      'network.user: must be true (user-mode networking), got false',
    ],
    [
      'a tap for user-mode networking',
      { network: { user: true, tap: 'vmtap0' } },
      'network.tap: user-mode networking has no host tap device (leave tap out, or use tap alone)',
    ],
    [
      'tap: true beside a bridge',
      { network: { bridge: 'br0', tap: true } },
      'network.tap: true (a tap libvirt creates and connects to nothing) goes alone, not with bridge',
    ],
    [
      'a bare tap named as libvirt names its own',
      { network: { tap: 'vnet3' } },
      'network.tap: "vnet3" starts with a prefix libvirt keeps for names it makes (vnet, macvtap, macvlan)',
    ],
    [
      'an unknown NIC model',
      { network: { user: true, model: 'ne2k_isa' } },
      'network.model: "ne2k_isa" is not one of "virtio", "e1000e", "e1000", "rtl8139", "vmxnet3"',
    ],
    [
      'a VNC port below 5900 (QEMU says VNC ports as display numbers from 5900)',
      { display: { type: 'vnc', port: 5800 } },
      'display.port: 5800 is below 5900: QEMU numbers VNC displays from port 5900 (display :1 is 5901)',
    ],
    [
      'a privileged SPICE port (QEMU does not run as root)',
      { display: { type: 'spice', port: 80 } },
      'display.port: 80 is below 1024, which only root may bind, and QEMU runs unprivileged',
    ],
    [
      'a host name as listen address',
      { display: { type: 'spice', listen: 'localhost' } },
      'display.listen: "localhost" is not an IP address (e.g. "127.0.0.1", "0.0.0.0", "::")',
    ],
    [
      'a port without a server',
      { display: { type: 'none', port: 5901 } },
      'display: port and listen belong to a SPICE or VNC server; type is "none"',
    ],
    [
      'a display object without type',
      { display: { port: 5901 } },
      'display.type: is required (one of none, spice, vnc)',
    ],
    [
      'an unknown video model',
      { display: { type: 'vnc', video: 'vmvga' } },
      'display.video: "vmvga" is not one of "none", "vga", "qxl", "virtio", "bochs", "ramfb", "cirrus"',
    ],
    [
      'TPM 1.2 on CRB (libvirt: "Unsupported interface \'tpm-crb\' for TPM 1.2")',
      { tpm: { version: '1.2' } },
      'tpm.version: "1.2" needs model "tis" (the CRB interface is TPM 2.0 only)',
    ],
    [
      'a relative RNG source',
      { rng: { source: 'urandom' } },
      'rng.source: "urandom" is not an absolute path (libvirt resolves paths on the host, not next to the config)',
    ],
    [
      'an mdev that is not a UUID',
      { mdev: ['gvt-g-1'] },
      'mdev[0]: "gvt-g-1" is not a UUID (as in /sys/bus/mdev/devices/<uuid>)',
    ],
    [
      'one mdev twice',
      { mdev: [uuid, { uuid: uuid.toUpperCase() }] },
      `mdev[1]: duplicate of mdev[0] (${uuid.toUpperCase()}): a mediated device has one user`,
    ],
    [
      'an mdev display without a display (libvirt: "graphics device is needed")',
      { gpu: { host: '02:00.0' }, mdev: [{ uuid, display: true }] },
      "mdev[0].display: shows the vGPU through SPICE or VNC, which needs a display ('spice' or 'vnc'); display is 'none'",
    ],
    [
      'an IDE disk on q35 (libvirt: "IDE controllers are unsupported for this QEMU binary or machine type")',
      { disks: [{ path: '/vm/a.img', bus: 'ide' }] },
      'disks[0].bus: "ide" needs an i440fx machine; q35 ("q35") has no IDE controller: use "sata" (AHCI)',
    ],
    [
      'a NIC booting at a disk’s place',
      { disks: [{ path: '/vm/a.img', boot: 1 }], network: { network: 'default', boot: 1 } },
      'network.boot: 1 is also the boot order of disks[0] (each device boots at its own place)',
    ],
    [
      'a PCI device booting at a NIC’s place',
      { network: { network: 'default', boot: 2 }, pci: [{ host: '03:00.0', boot: 2 }] },
      'pci[0].boot: 2 is also the boot order of network (each device boots at its own place)',
    ],
    [
      'one USB port twice',
      {
        usb: [
          { bus: 3, device: 5 },
          { bus: 3, device: 5 },
        ],
      },
      'usb[1]: duplicate of usb[0] (bus 3 device 5): libvirt passes a USB device once',
    ],
    [
      'a USB address without its device',
      { usb: [{ bus: 3 }] },
      'usb[0].device: is required (a whole number)',
    ],
    [
      'no USB controller, but a tablet and a USB device',
      { usbController: 'none', tablet: true, usb: ['046d:c051'] },
      'usbController: is "none", but tablet, usb need USB: choose a controller or leave them out',
    ],
    [
      'no USB controller, but a USB disk',
      { usbController: 'none', disks: [{ path: '/srv/stick.img', bus: 'usb' }] },
      'usbController: is "none", but disks[0] needs USB: choose a controller or leave them out',
    ],
  ])('%s', (_why, field, message) => {
    expect(problems({ ...base, ...field })).toContainEqual(message);
  });

  it('no USB controller: no tablet by default, even with a display', () => {
    expect(problems({ ...base, display: 'vnc', usbController: 'none' })).toEqual([]);
    expect(problems({ ...base, usbController: 'ohci' })[0]).toMatch(/^usbController: "ohci" is not one of/);
  });

  it.each<[string, object]>([
    ['a user-mode NIC', { network: { user: true, model: 'e1000' } }],
    ['the user’s own tap', { network: { tap: 'vmtap0', mac: '52:54:00:ab:cd:ef' } }],
    ['a tap libvirt makes', { network: { tap: true, model: 'vmxnet3' } }],
    ['a fixed SPICE port', { display: { type: 'spice', port: 5905, listen: '127.0.0.1' } }],
    ['an adapter without a server', { display: { type: 'none', video: 'vga' } }],
    ['TPM 1.2 on TIS', { tpm: { model: 'tis', version: '1.2' } }],
    ['builtin RNG', { rng: { source: 'builtin' } }],
    ['an mdev with its display', { display: 'spice', mdev: [{ uuid, display: true }] }],
  ])('accepts %s', (_why, field) => {
    expect(problems({ ...base, ...field })).toEqual([]);
  });
});
