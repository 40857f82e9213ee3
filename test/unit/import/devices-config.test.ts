/**
 * Command lines' devices said in the config's own fields (network kinds, display port and adapter,
 * tablet, TPM, RNG, mdev, IDE disks and `-boot d`), and the domain the config generates carrying them.
 */
import { describe, expect, it } from '@jest/globals';
import { resolveConfig } from '../../../src/config/validate.js';
import type { VmConfig } from '../../../src/config/types.js';
import type { Domain } from '../../../src/domain/model.js';
import { parseDomainXml } from '../../../src/domain/read.js';
import { generateDomain } from '../../../src/generate/index.js';
import { movedDisksLeaveTheirPlace } from '../../../src/generate/template.js';
import { domainToConfig } from '../../../src/import/to-config/index.js';
import { imp } from './helpers.js';

const configOf = (line: string) => domainToConfig(imp(line).domain);
const generate = (config: VmConfig): Domain => generateDomain(resolveConfig(config, '/configs', 'vm.ts'));

describe('network kinds', () => {
  it("says a user-mode NIC as user: true, with QEMU's model", () => {
    const { config } = configOf('-m 1G -nic user,model=e1000');
    expect(config.network).toEqual([{ user: true, model: 'e1000' }]);
    expect(generate(config).devices?.interface).toEqual([{ type: 'user', model: { type: 'e1000' } }]);
  });

  it('says a tap without a bridge as tap alone: the user’s own device, opened as it is', () => {
    const line =
      '-m 1G -netdev tap,id=n,ifname=vmtap0,script=no,downscript=no -device virtio-net-pci,netdev=n,mac=52:54:00:ab:cd:ef';
    const { config } = configOf(line);
    expect(config.network).toEqual([{ tap: 'vmtap0', mac: '52:54:00:ab:cd:ef', model: 'virtio' }]);
    expect(generate(config).devices?.interface).toEqual([
      {
        type: 'ethernet',
        mac: { address: '52:54:00:ab:cd:ef' },
        target: { dev: 'vmtap0', managed: false },
        model: { type: 'virtio' },
      },
    ]);
  });

  it("says libvirt's own unconnected tap as tap: true", () => {
    const dev = parseDomainXml(
      "<domain type='kvm'><name>x</name><memory>1048576</memory><devices><interface type='ethernet'><model type='vmxnet3'/></interface></devices></domain>",
    );
    const { config } = domainToConfig(dev);
    expect(config.network).toEqual([{ tap: true, model: 'vmxnet3' }]);
    expect(generate(config).devices?.interface).toEqual([{ type: 'ethernet', model: { type: 'vmxnet3' } }]);
  });
});

describe('display', () => {
  it('keeps a fixed SPICE port and listen address, and QEMU’s VGA beside SPICE', () => {
    const line = '-m 1G -spice port=5905,addr=127.0.0.1,disable-ticketing=on';
    const { config } = configOf(line);
    expect(config.display).toEqual({ type: 'spice', port: 5905, listen: '127.0.0.1', video: 'vga' });
    const dev = generate(config).devices;
    expect(dev?.graphics).toEqual([
      { type: 'spice', autoport: false, port: 5905, listen_: [{ type: 'address', address: '127.0.0.1' }] },
    ]);
    expect(dev?.video).toEqual([{ model: { type: 'vga' } }]);
  });

  it('keeps -vnc :1 as port 5901, VGA being VNC’s default adapter', () => {
    expect(configOf('-m 1G -vnc :1').config.display).toEqual({ type: 'vnc', port: 5901 });
  });

  it('keeps an emulated adapter without a display server (-vga std -display none)', () => {
    const { config } = configOf('-m 1G -vga std -display none');
    expect(config.display).toEqual({ type: 'none', video: 'vga' });
    expect(generate(config).devices?.graphics).toBeUndefined();
  });

  it("names what the config does not say of a server (QEMU's -k), never dropping it silently", () => {
    const { config, notes } = configOf('-m 1G -vnc :2 -k de');
    expect(config.display).toEqual({ type: 'vnc', port: 5902 });
    expect(notes).toContain("vnc keymap 'de'");
  });

  it('says the bare word when all is the default, as before', () => {
    expect(configOf('-m 1G -vga qxl -spice port=0,disable-ticketing=on').config.display).toBe('spice');
    expect(configOf('-m 1G -vga none -display none').config.display).toBe('none');
  });
});

describe('input', () => {
  it('keeps a USB tablet without a display, and virtio keyboard and mouse without evdev', () => {
    const line =
      '-m 1G -vga none -display none -usb -device usb-tablet -device virtio-keyboard-pci -device virtio-mouse-pci';
    const { config } = configOf(line);
    expect(config.tablet).toBe(true);
    expect(config.evdev).toEqual({ virtioInput: true });
    const types = (generate(config).devices?.input ?? []).map((i) => `${i.type}:${i.bus}`).sort();
    expect(types).toEqual(['keyboard:virtio', 'mouse:virtio', 'tablet:usb']);
  });

  it('leaves the tablet out where it is the display’s default', () => {
    expect(configOf('-m 1G -vga qxl -spice port=5930 -usb -device usb-tablet').config.tablet).toBeUndefined();
  });
});

describe('TPM, RNG and mdev', () => {
  it("keeps a TIS TPM and a virtio RNG fed by QEMU's builtin source", () => {
    const dom = parseDomainXml(
      "<domain type='kvm'><name>x</name><memory>1048576</memory><devices><tpm model='tpm-tis'><backend type='emulator' version='2.0'/></tpm><rng model='virtio'><backend model='builtin'/></rng></devices></domain>",
    );
    const { config } = domainToConfig(dom);
    expect([config.tpm, config.rng]).toEqual([{ model: 'tis' }, { source: 'builtin' }]);
    const dev = generate(config).devices;
    expect(dev?.tpm).toEqual([{ model: 'tpm-tis', backend: { type: 'emulator', version: '2.0' } }]);
    expect(dev?.rng).toEqual([{ model: 'virtio', backend: { model: 'builtin' } }]);
  });

  it('says the defaults as true: TPM 2.0 on CRB, /dev/urandom', () => {
    const dom = parseDomainXml(
      "<domain type='kvm'><name>x</name><memory>1048576</memory><devices><tpm model='tpm-crb'><backend type='emulator' version='2.0'/></tpm><rng model='virtio'><backend model='random'>/dev/urandom</backend></rng></devices></domain>",
    );
    const { config } = domainToConfig(dom);
    expect([config.tpm, config.rng]).toEqual([true, true]);
    expect(generate(config).devices?.rng).toEqual([
      { model: 'virtio', backend: { model: 'random', path: '/dev/urandom' } },
    ]);
  });

  it('keeps a GVT-g mediated device by its UUID', () => {
    const uuid = '4b20d080-1b54-4048-81ae-217846d8a1b4';
    const { config } = configOf(
      `-m 1G -vga none -display none -device vfio-pci,sysfsdev=/sys/bus/mdev/devices/${uuid},display=off`,
    );
    expect(config.mdev).toEqual([uuid]);
    expect(generate(config).devices?.hostdev).toEqual([
      { mode: 'subsystem', type: 'mdev', model: 'vfio-pci', source: { address: { uuid } } },
    ]);
  });
});

describe('USB devices by where they are plugged', () => {
  it('keeps -usbdevice host:BUS.ADDR as { bus, device }', () => {
    const { config, notes } = configOf(
      '-m 1G -usb -usbdevice host:3.5 -device usb-host,hostbus=1,hostaddr=12',
    );
    // -device comes before the legacy -usbdevice in the imported domain.
    expect(config.usb).toEqual([
      { bus: 1, device: 12 },
      { bus: 3, device: 5 },
    ]);
    expect(notes.join('\n')).not.toContain('USB device at bus');
    const sources = (generate(config).devices?.hostdev ?? []).map((h) => h.source?.address);
    expect(sources).toEqual([
      { bus: '1', device: '12' },
      { bus: '3', device: '5' },
    ]);
  });
});

describe('disks from i440fx command lines', () => {
  it('keeps IDE disks on IDE, with the i440fx machine', () => {
    const { config, notes } = configOf('-m 1G -hda /srv/vm/debian.img -cdrom /srv/iso/debian-12.iso');
    expect(config.machine).toBe('pc');
    expect(config.disks?.map((d) => [d.path, d.device, d.bus])).toEqual([
      ['/srv/vm/debian.img', 'disk', 'ide'],
      ['/srv/iso/debian-12.iso', 'cdrom', 'ide'],
    ]);
    expect(notes.join('\n')).not.toContain('sata');
    const dom = generate(config);
    expect(dom.os?.type?.machine).toBe('pc');
    expect(dom.devices?.disk?.map((d) => d.target?.bus)).toEqual(['ide', 'ide']);
  });

  it('puts IDE disks on SATA when the machine is q35, and says so', () => {
    const r = imp('-m 1G -hda /srv/vm/debian.img');
    r.domain.os = { ...r.domain.os, type: { ...r.domain.os?.type, machine: 'pc-q35-7.2' } };
    const { config, notes } = domainToConfig(r.domain);
    expect(config.disks?.map((d) => d.bus)).toEqual(['sata']);
    expect(notes).toContain('disk /srv/vm/debian.img: on ide, which q35 has not; the config puts it on sata');
  });

  it("says -boot d as boot: ['cdrom'], which generates <os><boot dev='cdrom'/> again", () => {
    const { config, notes } = configOf('-m 1G -hda /vm/a.img -cdrom /iso/b.iso -boot d');
    expect(config.boot).toEqual(['cdrom']);
    expect(config.disks?.map((d) => d.boot)).toEqual([undefined, undefined]);
    expect(notes.join('\n')).not.toContain('<boot');
    expect(generate(config).os?.boot).toEqual([{ dev: 'cdrom' }]);
  });

  it("says -boot order=ndc in its order, and leaves libvirt's default (hd alone) out", () => {
    const { config } = configOf(
      '-m 1G -hda /vm/a.img -cdrom /iso/b.iso -nic user,model=e1000 -boot order=ndc',
    );
    expect(config.boot).toEqual(['network', 'cdrom', 'hd']);
    expect(config.network).toEqual([{ user: true, model: 'e1000' }]);
    expect(generate(config).os?.boot?.map((b) => b.dev)).toEqual(['network', 'cdrom', 'hd']);
    expect(configOf('-m 1G -hda /vm/a.img -boot c').config.boot).toBeUndefined();
  });

  it("keeps QEMU's names where the config would name otherwise: -cdrom is hdc, after hda", () => {
    const { config } = configOf('-m 1G -hda /vm/a.img -cdrom /iso/b.iso');
    const names = (c: typeof config) => generate(c).devices?.disk?.map((d) => d.target?.dev);
    // The defaults would make the CD-ROM hdb: it says its name, the disk (hda) needs not.
    expect(config.disks?.map((d) => d.target)).toEqual([undefined, 'hdc']);
    expect(names(config)).toEqual(['hda', 'hdc']);
    // The same disks on SATA under their own names: only the one the defaults would rename says it.
    const sata = configOf(
      '-m 1G -device ahci,id=s -drive file=/vm/a.img,if=none,id=a -device ide-hd,drive=a,bus=s.0 ' +
        '-drive file=/iso/b.iso,if=none,id=b,media=cdrom -device ide-cd,drive=b,bus=s.2',
    ).config;
    expect(sata.disks?.map((d) => d.target)).toEqual([undefined, 'sdc']);
    expect(names(sata)).toEqual(['sda', 'sdc']);
  });

  it('keeps the boot order of a passed-through NVMe drive (bootindex)', () => {
    const { config } = configOf('-m 1G -device vfio-pci,host=03:00.0,bootindex=1');
    expect(config.pci).toEqual([{ host: '0000:03:00.0', boot: 1 }]);
    expect(generate(config).devices?.hostdev?.[0]?.boot).toEqual({ order: 1 });
  });

  it('keeps a block device as a block disk', () => {
    const { config } = configOf('-m 1G -drive file=/dev/sdb,if=ide,media=disk,cache=none');
    expect(config.disks?.[0]).toMatchObject({ path: '/dev/sdb', bus: 'ide', cache: 'none' });
    expect(generate(config).devices?.disk?.[0]).toMatchObject({ type: 'block', source: { dev: '/dev/sdb' } });
  });
});

describe('a template with <os><boot> under a config that orders its devices', () => {
  it("drops the template's <os><boot> (libvirt refuses both)", () => {
    const r = imp('-m 1G -hda /vm/a.img -cdrom /iso/b.iso -boot d');
    const { boot: _kinds, disks = [], ...config } = domainToConfig(r.domain).config;
    const ordered = { ...config, disks: disks.map((d, i) => (i === 1 ? { ...d, boot: 1 } : d)) };
    const withTemplate = generateDomain(resolveConfig(ordered, '/configs', 'vm.ts'), {}, r.domain);
    expect(r.domain.os?.boot).toEqual([{ dev: 'cdrom' }]);
    expect(withTemplate.os?.boot).toBeUndefined();
    expect(withTemplate.devices?.disk?.[1]?.boot).toEqual({ order: 1 });
  });

  it('keeps it when the config orders nothing', () => {
    const r = imp('-m 1G -hda /vm/a.img -boot dc');
    expect(r.domain.os?.boot).toEqual([{ dev: 'cdrom' }, { dev: 'hd' }]);
    const vm = resolveConfig({ ...domainToConfig(r.domain).config, disks: [] }, '/configs', 'vm.ts');
    expect(generateDomain(vm, {}, r.domain).os?.boot).toEqual([{ dev: 'cdrom' }, { dev: 'hd' }]);
  });
});

describe('a template disk the config moves to another bus', () => {
  it("leaves the template's IDE drive address behind (libvirt: bus must be 0 for sata)", () => {
    const template = imp('-m 1G -hda /vm/a.img -cdrom /iso/b.iso').domain;
    // The user moves the imported i440fx VM to q35, its IDE disks to SATA.
    const config = domainToConfig(template).config;
    const generated = generate({
      ...config,
      machine: 'q35',
      disks: config.disks?.map(({ target: _ide, ...d }) => ({ ...d, bus: 'sata' as const })),
    });
    // A template overlaid device by device keeps each template disk's <address> under the new target.
    const byImage = (d: NonNullable<NonNullable<Domain['devices']>['disk']>[number]) =>
      template.devices?.disk?.find((t) => t.source?.file === d.source?.file);
    const merged: Domain = {
      ...generated,
      devices: {
        ...generated.devices,
        disk: (generated.devices?.disk ?? []).map((d) => ({
          ...byImage(d),
          ...d,
          address: byImage(d)?.address,
        })),
      },
    };
    expect(merged.devices?.disk?.map((d) => d.address?.bus)).toEqual(['0', '1']);
    const placed = movedDisksLeaveTheirPlace(merged, template).devices?.disk ?? [];
    expect(placed.map((d) => [d.target?.bus, d.address])).toEqual([
      ['sata', undefined],
      ['sata', undefined],
    ]);
    // A disk that stays on its bus keeps its place, unless it is renamed (libvirt places it by name).
    expect(movedDisksLeaveTheirPlace(template, template)).toEqual(template);
    const renamed: Domain = {
      ...template,
      devices: {
        ...template.devices,
        disk: template.devices?.disk?.map((d, i) => (i ? { ...d, target: { dev: 'hdd', bus: 'ide' } } : d)),
      },
    };
    const kept = movedDisksLeaveTheirPlace(renamed, template).devices?.disk ?? [];
    expect(kept.map((d) => [d.target?.dev, d.address?.bus])).toEqual([
      ['hda', '0'],
      ['hdd', undefined],
    ]);
  });
});
