/**
 * `disks[].target` (a disk's guest name), `boot` (`<os><boot dev>`) and `scsi.iothread` as a
 * thread number: the refusals, each naming
 * its field (checked against libvirt 9.0: "target 'sda' duplicated for disk sources …", "Only 1 IDE
 * controller is supported", "per-device boot elements cannot be used together with os/boot
 * elements"), and the names and boot elements the generator writes.
 */
import { describe, expect, it } from '@jest/globals';
import { explicitTargets } from '../../../src/config/disk-names.js';
import { resolveConfig } from '../../../src/config/validate.js';
import { generateDomain } from '../../../src/generate/index.js';
import { base, problems } from './helpers/problems.js';

const img = (n: string, more: object = {}) => ({ path: `/vm/${n}.img`, ...more });
const iso = (n: string, more: object = {}) => ({ path: `/iso/${n}.iso`, device: 'cdrom', ...more });

describe('disks[].target and boot refusals', () => {
  it.each<[string, object, string]>([
    [
      'a virtio name on SATA',
      { disks: [img('a', { bus: 'sata', target: 'vda' })] },
      'disks[0].target: "vda" is not a sata disk name ("sd" and one letter: sda, sdb, …)',
    ],
    [
      'a partition, not a disk',
      { disks: [img('a', { target: 'sda1' })] },
      'disks[0].target: "sda1" is not a scsi disk name ("sd" and one letter: sda, sdb, …)',
    ],
    [
      'capitals',
      { disks: [img('a', { bus: 'virtio', target: 'vdA' })] },
      'disks[0].target: "vdA" is not a virtio disk name ("vd" and one letter: vda, vdb, …)',
    ],
    [
      // libvirt 9.0 spends hours adding AHCI controllers for sdzzzzz: one letter only.
      'several letters',
      { disks: [img('a', { target: 'sdzzzzz' })] },
      'disks[0].target: "sdzzzzz" is not a scsi disk name ("sd" and one letter: sda, sdb, …)',
    ],
    [
      'a second IDE controller',
      { machine: 'pc', disks: [img('a', { bus: 'ide', target: 'hde' })] },
      'disks[0].target: "hde" is past IDE\'s four places (hda–hdd; libvirt: "Only 1 IDE controller is supported")',
    ],
    [
      'one name twice, across buses',
      { disks: [img('a', { bus: 'sata', target: 'sdb' }), img('b', { bus: 'scsi', target: 'sdb' })] },
      'disks[1].target: "sdb" is also the name of disks[0]',
    ],
    ['not a string', { disks: [img('a', { target: 3 })] }, 'disks[0].target: 3 is not a string'],
    [
      // libvirt 9.0 puts sdh on a second SCSI controller it adds as LSI Logic (devices-define.test.ts).
      'a SCSI name past sdg',
      { disks: [img('a', { bus: 'scsi', target: 'sdh' })] },
      'disks[0].target: "sdh" is past the virtio-scsi controller\'s seven names (sda–sdg): libvirt would add an LSI Logic controller for it',
    ],
    [
      'an unknown kind',
      { boot: ['cdrom', 'usb'] },
      'boot[1]: "usb" is not one of "hd", "cdrom", "network", "fd"',
    ],
    [
      'a kind twice',
      { boot: ['hd', 'cdrom', 'hd'] },
      'boot: lists "hd" twice (each kind is tried once, at its first place)',
    ],
    ['an empty list', { boot: [] }, 'boot: is empty: name a device kind ("hd", "cdrom"…), or leave boot out'],
    ['not a list', { boot: 'cdrom' }, 'boot: "cdrom" is not a list'],
    [
      'beside per-device orders',
      {
        boot: ['cdrom'],
        disks: [img('a', { boot: 2 })],
        network: [{ network: 'default' }, { bridge: 'br0', boot: 1 }],
      },
      'boot: cannot be given with disks[0].boot, network[1].boot: libvirt refuses boot device kinds ' +
        'beside per-device boot orders; keep one (per-device orders name the exact device, and are what OVMF (UEFI) reads)',
    ],
  ])('%s', (_why, field, message) => {
    expect(problems({ ...base, ...field })).toContainEqual(message);
  });

  it('refuses a fifth IDE disk named by default, naming it', () => {
    const five = ['a', 'b', 'c', 'd', 'e'].map((n) => img(n, { bus: 'ide' }));
    expect(problems({ ...base, disks: five })).toEqual([
      'disks[4]: would be hde: IDE has four places (hda–hdd), all taken',
    ]);
  });
});

it('refuses a SCSI disk named by default past sdg, where SATA disks took sd names too', () => {
  const disks = [iso('a'), ...['b', 'c', 'd', 'e', 'f', 'g', 'h'].map((n) => img(n))];
  expect(problems({ ...base, disks })).toEqual([
    "disks[7]: would be sdh: past the virtio-scsi controller's seven names (sda–sdg, which disks on SATA and USB share): give it a free one with target, or put a disk on another bus",
  ]);
  // Named on SATA past the SCSI names, the CD-ROM leaves sda–sdg to the SCSI disks.
  expect(problems({ ...base, disks: [iso('a', { target: 'sdh' }), ...disks.slice(1)] })).toEqual([]);
});

describe('disk names and boot kinds in the generated domain', () => {
  const generated = (fields: object) => generateDomain(resolveConfig({ ...base, ...fields }, '/c', 'vm.ts'));
  const names = (fields: object) =>
    generated(fields).devices?.disk?.map((d) => `${d.target?.bus}:${d.target?.dev}`);

  it('names by bus in list order: sd* shared by SCSI, SATA and USB, vd* on virtio', () => {
    const disks = [img('a'), img('b', { bus: 'virtio' }), iso('c'), img('d', { bus: 'usb' })];
    expect(names({ disks })).toEqual(['scsi:sda', 'virtio:vda', 'sata:sdb', 'usb:sdc']);
  });

  it("gives a disk its own name, and the others skip it wherever it is: the guide's sdc CD-ROM", () => {
    const disks = [img('a'), img('b', { target: 'sda' }), iso('win', { target: 'sdc' }), img('d')];
    expect(names({ disks })).toEqual(['scsi:sdb', 'scsi:sda', 'sata:sdc', 'scsi:sdd']);
  });

  it('writes boot in its order as <os><boot dev>, and no <os><boot> without it', () => {
    const os = generated({ boot: ['cdrom', 'hd', 'network'], disks: [img('a'), iso('b')] }).os;
    expect(os?.boot).toEqual([{ dev: 'cdrom' }, { dev: 'hd' }, { dev: 'network' }]);
    expect(generated({ disks: [img('a')] }).os?.boot).toBeUndefined();
  });
});

describe('scsi.iothread as a thread number', () => {
  const controller = (fields: object) =>
    generateDomain(resolveConfig({ ...base, ...fields }, '/c', 'vm.ts')).devices?.controller?.find(
      (c) => c.type === 'scsi',
    );

  it('puts the controller on that I/O thread; true is thread 1, false none', () => {
    const disks = [img('a')];
    expect(controller({ disks, iothreads: 2, scsi: { iothread: 2 } })?.driver?.iothread).toBe(2);
    expect(controller({ disks, scsi: { iothread: true } })?.driver?.iothread).toBe(1);
    expect(controller({ disks, scsi: { iothread: false } })?.driver?.iothread).toBeUndefined();
  });

  it('makes that many I/O threads by default, and refuses fewer', () => {
    const vm = resolveConfig({ ...base, disks: [img('a')], scsi: { iothread: 3 } }, '/c', 'vm.ts');
    expect(vm.iothreads).toBe(3);
    expect(problems({ ...base, iothreads: 1, scsi: { iothread: 2 } })).toEqual([
      'iothreads: is 1, but scsi.iothread needs I/O thread 2: set iothreads ≥ 2 or scsi.iothread: false',
    ]);
    expect(problems({ ...base, scsi: { iothread: 0 } })).toEqual([
      'scsi.iothread: 0 is not a whole number from 1 to 64',
    ]);
  });
});

describe('which disks must say their name (the reverse of the default names)', () => {
  const sata = (actual: string | undefined) => ({ bus: 'sata' as const, actual });

  it('none where the defaults match, the first that differs, then as few as it takes', () => {
    expect(explicitTargets([sata('sda'), sata('sdb')])).toEqual([false, false]);
    // sdb first: it says its name, and the other then takes sda by default.
    expect(explicitTargets([sata('sdb'), sata('sda')])).toEqual([true, false]);
    // A gap (sdc after sda): only the one past it.
    expect(explicitTargets([sata('sda'), sata('sdc'), sata('sdd')])).toEqual([false, true, true]);
    expect(explicitTargets([sata('sda'), { bus: 'virtio', actual: 'vdb' }])).toEqual([false, true]);
  });

  it('leaves a disk without a name it can keep to whatever default it gets', () => {
    expect(explicitTargets([sata(undefined), sata('sda')])).toEqual([false, true]);
  });
});
