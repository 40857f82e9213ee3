import { describe, expect, it } from '@jest/globals';
import { parseFileSource } from '../../../src/import/map/disk-source.js';
import { diskLetters } from '../../../src/import/map/disks.js';
import { devices, imp } from './helpers.js';

describe('disks over -drive if=none', () => {
  it("reads the guide's raw block disk on virtio-scsi with its iothread", () => {
    const { domain } = imp(
      '-object iothread,id=io1 ' +
        '-drive if=none,id=drive0,file=/dev/bcache/by-uuid/84ea,format=raw,aio=native,cache=none,cache.direct=on,discard=unmap ' +
        '-device virtio-scsi-pci,id=scsi0,ioeventfd=on,iothread=io1,num_queues=4,bus=pcie.0 -device scsi-hd,drive=drive0,id=scsihd0',
    );
    expect(domain.iothreads).toEqual({ value: 1 });
    expect(devices(domain).controller?.filter((c) => c.type === 'scsi')).toEqual([
      { type: 'scsi', index: 0, model: 'virtio-scsi', driver: { iothread: 1, queues: 4, ioeventfd: true } },
    ]);
    expect(devices(domain).disk).toEqual([
      {
        type: 'block',
        device: 'disk',
        driver: { name: 'qemu', type: 'raw', cache: 'none', io: 'native', discard: 'unmap' },
        source: { dev: '/dev/bcache/by-uuid/84ea' },
        target: { dev: 'sda', bus: 'scsi' },
        address: { type: 'drive', controller: '0', bus: '0', target: '0', unit: '0' },
      },
    ]);
  });

  it('reads cache modes, write-cache and error policies', () => {
    const cache = (opts: string, dev = 'ide-hd'): string | undefined =>
      devices(imp(`-drive if=none,id=d,file=/x.img,${opts} -device ${dev},drive=d`).domain).disk?.[0]?.driver
        ?.cache;
    expect(cache('cache=writeback')).toBe('writeback');
    expect(cache('cache=directsync')).toBe('directsync');
    expect(cache('cache.direct=on')).toBe('none');
    expect(cache('cache.direct=on', 'ide-hd,write-cache=off')).toBe('directsync');
    expect(cache('cache.no-flush=on')).toBe('unsafe');
    const d = devices(imp('-drive file=/x.img,if=ide,werror=enospc,rerror=ignore').domain).disk?.[0];
    expect(d?.driver).toMatchObject({ error_policy: 'enospace', rerror_policy: 'ignore' });
    expect(d?.driver?.$extra).toBeUndefined();
  });

  it('reads a -blockdev format node over a protocol node', () => {
    const { domain } = imp(
      `-blockdev '{"driver":"file","filename":"/var/lib/libvirt/images/basic.qcow2","node-name":"s","auto-read-only":true,"discard":"unmap","cache":{"direct":true,"no-flush":false},"aio":"io_uring"}' ` +
        `-blockdev '{"node-name":"f","read-only":false,"driver":"qcow2","file":"s","discard":"unmap","cache":{"direct":true,"no-flush":false}}' ` +
        `-device '{"driver":"virtio-blk-pci","bus":"pci.0","addr":"0x4","drive":"f","id":"virtio-disk0","bootindex":1,"write-cache":"on"}'`,
    );
    const [d] = devices(domain).disk ?? [];
    expect(d).toEqual({
      type: 'file',
      device: 'disk',
      driver: { name: 'qemu', type: 'qcow2', discard: 'unmap', cache: 'none', io: 'io_uring' },
      source: { file: '/var/lib/libvirt/images/basic.qcow2' },
      target: { dev: 'vda', bus: 'virtio' },
      boot: { order: 1 },
      address: { type: 'pci', domain: '0x0000', bus: '0x00', slot: '0x04', function: '0x0' },
    });
  });

  it('reads an inline file child and a host_cdrom', () => {
    const { domain } = imp(
      `-blockdev driver=raw,node-name=r,file.driver=host_device,file.filename=/dev/sdb -device virtio-blk-pci,drive=r ` +
        `-blockdev '{"driver":"host_cdrom","filename":"/dev/cdrom","node-name":"c","read-only":true}' -device '{"driver":"ide-cd","bus":"ide.1","unit":0,"drive":"c"}'`,
    );
    const [vd, cd] = devices(domain).disk ?? [];
    expect(vd?.source).toEqual({ dev: '/dev/sdb' });
    expect(vd?.type).toBe('block');
    expect(cd).toMatchObject({
      type: 'block',
      device: 'cdrom',
      readonly: {},
      target: { dev: 'hdc', bus: 'ide' },
    });
  });

  it('leaves a device whose drive does not exist as written, with a warning', () => {
    const r = imp('-device scsi-hd,drive=nope');
    expect(devices(r.domain).disk).toBeUndefined();
    expect(r.domain.qemuCommandline?.arg?.map((a) => a.value)).toEqual(['-device', 'scsi-hd,drive=nope']);
  });
});

describe('legacy drive options', () => {
  it('reads -drive if=ide|virtio|floppy and media=cdrom', () => {
    const { domain } = imp(
      '-drive file=/dev/HostVG/G1,format=raw,if=ide,bus=0,unit=0 -drive file=/tmp/data.img,format=raw,if=virtio ' +
        '-drive if=ide,media=cdrom,bus=1,unit=0 -drive file=/dev/fd0,if=floppy,unit=1',
    );
    expect(
      devices(domain).disk?.map((d) => [
        d.type,
        d.device,
        d.target?.dev,
        d.target?.bus,
        d.source?.file ?? d.source?.dev,
      ]),
    ).toEqual([
      ['block', 'disk', 'hda', 'ide', '/dev/HostVG/G1'],
      ['file', 'disk', 'vda', 'virtio', '/tmp/data.img'],
      ['file', 'cdrom', 'hdc', 'ide', undefined],
      ['block', 'floppy', 'fdb', 'fdc', '/dev/fd0'],
    ]);
  });

  it('reads -hda and -cdrom: IDE on pc, SATA on q35, index 2 for the CD-ROM', () => {
    const pc = imp('-hda /img/a.qcow2 -cdrom /iso/w.iso');
    expect(devices(pc.domain).disk?.map((d) => [d.device, d.target?.dev, d.target?.bus])).toEqual([
      ['disk', 'hda', 'ide'],
      ['cdrom', 'hdc', 'ide'],
    ]);
    const q35 = imp('-machine q35 -cdrom /home/user/vm/windows_10_professional.iso');
    expect(devices(q35.domain).disk?.[0]).toEqual({
      type: 'file',
      device: 'cdrom',
      source: { file: '/home/user/vm/windows_10_professional.iso' },
      readonly: {},
      target: { dev: 'sdc', bus: 'sata' },
      address: { type: 'drive', controller: '0', bus: '0', target: '0', unit: '2' },
    });
  });

  it('names disks in order after the fixed positions', () => {
    expect(diskLetters(0)).toBe('a');
    expect(diskLetters(25)).toBe('z');
    expect(diskLetters(26)).toBe('aa');
    const { domain } = imp('-drive file=/a,if=ide -cdrom /c.iso -drive file=/b,if=ide');
    expect(devices(domain).disk?.map((d) => d.target?.dev)).toEqual(['hda', 'hdb', 'hdc']);
  });
});

describe('network disk sources', () => {
  const hosts = (file: string): unknown => parseFileSource(file).source?.host;

  it('reads nbd in the pseudo-protocol and URI forms', () => {
    expect(parseFileSource('nbd:example.org:6000:exportname=bar').source).toMatchObject({
      protocol: 'nbd',
      name: 'bar',
    });
    expect(hosts('nbd:example.org:6000')).toEqual([{ name: 'example.org', port: '6000' }]);
    expect(hosts('nbd:unix:/var/run/nbdsock:exportname=bar')).toEqual([
      { transport: 'unix', socket: '/var/run/nbdsock' },
    ]);
    expect(hosts('nbd://[::1]:6000/bar')).toEqual([{ name: '::1', port: '6000' }]);
  });

  it('reads rbd with escaped monitors, snapshot and config', () => {
    const s = parseFileSource(
      String.raw`rbd:pool/image@foo:auth_supported=none:mon_host=[\:\:1]\:6321\;example.org\:6789:conf=/c.conf`,
    );
    expect(s.source?.name).toBe('pool/image');
    expect(s.source).toMatchObject({
      host: [
        { name: '::1', port: '6321' },
        { name: 'example.org', port: '6789' },
      ],
      snapshot: { name: 'foo' },
      config: { file: '/c.conf' },
    });
    expect(s.source?.$extra).toBeUndefined();
  });

  it('reads iscsi with a default LUN and a decoded target, noting a password it drops', () => {
    expect(parseFileSource('iscsi://example.org:6000/iqn.1992-01.com.example').source?.name).toBe(
      'iqn.1992-01.com.example/0',
    );
    const auth = parseFileSource('iscsi://me:secret@example.org:6000/iqn.1992-01.com.example%3Astorage/1');
    expect(auth.source?.name).toBe('iqn.1992-01.com.example:storage/1');
    expect(auth.note).toMatch(/define a libvirt secret/);
  });

  it('reads gluster over tcp and unix, sheepdog, and http', () => {
    expect(parseFileSource('gluster://example.org:6000/Volume1/Image').source?.name).toBe('Volume1/Image');
    expect(hosts('gluster+unix:///Volume2/Image?socket=/path/to/sock')).toEqual([
      { transport: 'unix', socket: '/path/to/sock' },
    ]);
    expect(parseFileSource('sheepdog:example.org:6000:image').source).toMatchObject({
      protocol: 'sheepdog',
      name: 'image',
    });
    expect(parseFileSource('https://example.org/d.iso').source).toMatchObject({
      protocol: 'https',
      name: '/d.iso',
    });
  });

  it('reads plain paths as files, /dev paths as block devices', () => {
    expect(parseFileSource('/var/lib/x.img')).toEqual({ type: 'file', source: { file: '/var/lib/x.img' } });
    expect(parseFileSource('/dev/sdb')).toEqual({ type: 'block', source: { dev: '/dev/sdb' } });
  });
});
