/** The remainder template (src/import/remainder.ts) on small hand-written pairs. */
import { describe, expect, it } from '@jest/globals';
import { parseDomainXml } from '../../../src/domain/read.js';
import { writeDomainXml } from '../../../src/domain/write.js';
import { importRemainder } from '../../../src/import/remainder.js';

const dom = (devices: string, machine = 'q35'): string =>
  `<domain type='kvm'><name>vm</name><os><type arch='x86_64' machine='${machine}'>hvm</type></os><devices>${devices}</devices></domain>`;

const remainderOf = (imported: string, generated: string) =>
  importRemainder(parseDomainXml(imported), parseDomainXml(generated));

describe('importRemainder', () => {
  it('keeps a device the config does not generate whole, and an attribute it leaves out', () => {
    const r = remainderOf(
      dom(`<disk type='file' device='disk'><source file='/a.img'/><target dev='vda' bus='virtio'/><address type='pci' bus='0x05' slot='0x00'/></disk>
           <serial type='pty'><target port='0'/></serial>`),
      dom(`<disk type='file' device='disk'><source file='/a.img'/><target dev='vda' bus='virtio'/></disk>`),
    );
    expect(r.kept).toEqual([
      'devices/disk[type=file][device=disk][source/file=/a.img]/address[type=pci]',
      'devices/serial[type=pty][target/port=0]',
    ]);
    expect(r.lost).toEqual([]);
    const xml = writeDomainXml(r.template ?? {});
    expect(xml).toContain('<source file="/a.img"/>'); // the disk's identity, for the overlay
    expect(r.template?.devices?.disk?.[0]?.target).toBeUndefined(); // what the config says is not repeated
    expect(xml).not.toContain('<name>');
  });

  it('keeps the second of two look-alikes at its rank, the first as a bare stub', () => {
    const r = remainderOf(
      dom(
        `<interface type='user'><model type='e1000'/></interface><interface type='user'><model type='virtio'/></interface>`,
      ),
      dom(`<interface type='user'><model type='e1000'/></interface>`),
    );
    expect(r.kept).toEqual(['devices/interface[type=user]#2']);
    expect(r.template?.devices?.interface).toEqual([
      { type: 'user' },
      { type: 'user', model: { type: 'virtio' } },
    ]);
    expect(r.lost).toEqual([]);
  });

  it('reports what the config sets otherwise as lost, and keeps nothing of it', () => {
    const r = remainderOf(
      dom(`<video><model type='vga'/></video>`, 'pc'),
      dom(`<video><model type='virtio'/></video>`),
    );
    expect(r.template).toBeUndefined();
    expect(r.kept).toEqual([]);
    expect(r.lost).toEqual(['os/type/@machine=pc', 'devices/video/model/@type=vga']);
  });

  it('does not keep what libvirt refuses beside the config: IDE on q35, a socket beside a port', () => {
    const r = remainderOf(
      dom(
        `<disk type='file' device='cdrom'><source file='/x.iso'/><target dev='hdc' bus='ide'/></disk>
           <graphics type='vnc' socket='/run/vm.vnc'/>`,
        'pc',
      ),
      dom(`<graphics type='vnc' autoport='yes'/>`),
    );
    expect(r.template).toBeUndefined();
    expect(r.lost).toContain('devices/disk[type=file][device=cdrom][source/file=/x.iso]/target/@bus=ide');
    expect(r.lost).toContain('devices/graphics[type=vnc]/@socket=/run/vm.vnc');
  });

  it('leaves the drive address of a disk the config moves to another bus (IDE to SATA on q35)', () => {
    const disk = (bus: string, address: string) =>
      `<disk type='file' device='cdrom'><source file='/x.iso'/><target dev='hdc' bus='${bus}'/>${address}</disk>`;
    const r = remainderOf(
      dom(disk('ide', "<address type='drive' controller='0' bus='1' target='0' unit='0'/>"), 'pc'),
      dom(disk('sata', '')),
    );
    expect(r.template?.devices?.disk).toBeUndefined();
    expect(r.lost).toContain('devices/disk[type=file][device=cdrom][source/file=/x.iso]/address[type=drive]');
  });
});
