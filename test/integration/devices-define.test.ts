/**
 * The device fields a command line brings (user and tap NICs, display port/listen/adapter, tablet,
 * TPM model and version, RNG, mdev, IDE disks, disk names, `-boot d`, the SCSI I/O thread) on the
 * real libvirt:
 * - real-world command lines go through the built CLI as a user runs them (`import --config`, then
 *   `xml` of the written config), and libvirt validates and defines the result, which keeps each
 *   device fact of the command line;
 * - hand-written configs define, and libvirt's own `dumpxml` of them reads back (domain -> config)
 *   to a config that generates the same devices.
 * - what the config refuses about disk names and boot kinds, libvirt refuses too.
 * Domains are named vg-devices-… or vg-disks-… and undefined at once.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { VmConfig } from '../../src/config/types.js';
import { resolveConfig } from '../../src/config/validate.js';
import { parseDomainXml, writeDomainXml } from '../../src/domain/document.js';
import type { Domain } from '../../src/domain/model.js';
import { generateDomain } from '../../src/generate/index.js';
import { domainToConfig } from '../../src/import/to-config/index.js';
import { holds, realWorldCases } from '../support/import-facts.js';
import { dumpInactive, requireLibvirt, undefine, virsh } from '../support/libvirt.js';
import { REPO } from '../support/paths.js';
import { validateDomainXml, virtGen } from '../support/run.js';

const tmp = mkdtempSync(path.join(os.tmpdir(), 'vg-devices-it-'));
const PREFIX = `vg-devices-${process.pid}`;

beforeAll(() => requireLibvirt());
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

/** Validates and defines `xml` as `name`, returns libvirt's inactive XML, and undefines it. */
function defineAndDump(name: string, xml: string): string {
  const file = path.join(tmp, `${name}.xml`);
  writeFileSync(file, xml);
  const schema = validateDomainXml(file);
  expect(schema.stderr).not.toMatch(/fails to validate/);
  try {
    const r = virsh(['define', '--validate', file]);
    expect(r.stderr.trim()).toBe('');
    return dumpInactive(name);
  } finally {
    undefine(name);
  }
}

/** Device facts of the real-world set: what these fields say. */
const DEVICE_FACT = /^(devices\/(interface|graphics|video|input|tpm|rng|hostdev\[type=mdev\]|disk)|os\/boot)/;

describe('real-world command lines through import --config and xml', () => {
  const cases = realWorldCases(path.join(REPO, 'test/fixtures/import-real')).filter((c) =>
    /^(02|03|04|07|12|13|15|17|19|20)-/.test(c.name),
  );

  it.each(cases.map((c) => [c.name, c] as const))('%s: defines, keeping its device facts', (label, c) => {
    const dir = mkdtempSync(path.join(tmp, `${label}-`));
    const name = `${PREFIX}-${label.slice(0, 2)}`;
    const config = path.join(dir, 'vm.ts');
    const imported = virtGen([
      'import',
      c.file,
      '--name',
      name,
      '--config',
      config,
      '-o',
      path.join(dir, 'imported.xml'),
    ]);
    expect(imported.status).toBe(0);
    const xml = virtGen(['xml', config]);
    expect(xml.stderr).toBe('');
    expect(xml.status).toBe(0);
    const dumped = defineAndDump(name, xml.stdout);
    const importedXml = readFileSync(path.join(dir, 'imported.xml'), 'utf8');
    const facts = c.facts.filter((f) => DEVICE_FACT.test(f) && holds(importedXml, f));
    expect(facts.filter((f) => !holds(dumped, f))).toEqual([]);
  });
});

/** The device parts a config says, of a domain: what the reverse must give back. */
function deviceParts(d: Domain): unknown {
  const dev = d.devices ?? {};
  return {
    hostdevBoot: dev.hostdev?.map((h) => h.boot?.order),
    interface: dev.interface?.map((i) => ({
      type: i.type,
      source: i.source,
      target: i.target,
      model: i.model,
      boot: i.boot,
    })),
    graphics: dev.graphics?.map((g) => ({
      type: g.type,
      port: g.autoport ? undefined : g.port,
      listen: g.listen_?.[0]?.address,
    })),
    video: dev.video?.map((v) => v.model?.type),
    input: dev.input
      ?.filter((i) => i.bus !== 'ps2')
      .map((i) => `${i.type}:${i.bus}`)
      .sort(),
    tpm: dev.tpm?.map((t) => ({ model: t.model, version: t.backend?.version })),
    rng: dev.rng?.map((r) => ({ model: r.model, backend: r.backend?.model, path: r.backend?.path })),
    usb: dev.hostdev?.filter((h) => h.type === 'usb').map((h) => h.source?.address),
    mdev: dev.hostdev?.filter((h) => h.type === 'mdev').map((h) => [h.source?.address?.uuid, h.display]),
    boot: dev.disk?.map((k) => k.boot?.order),
    names: dev.disk?.map((k) => `${k.target?.bus}:${k.target?.dev}`),
    osBoot: d.os?.boot?.map((b) => b.dev),
    scsiIothread: dev.controller?.filter((c) => c.type === 'scsi').map((c) => c.driver?.iothread),
    usbController: dev.controller?.filter((c) => c.type === 'usb').map((c) => c.model),
  };
}

const base = { memory: 512, cpu: { cores: 1 }, firmware: 'bios' } as const;
const UUID = '4b20d080-1b54-4048-81ae-217846d8a1b4';

describe("hand-written configs, read back from libvirt's dumpxml", () => {
  it.each<[string, Partial<VmConfig>]>([
    ['user NIC, e1000', { network: { user: true, model: 'e1000' } }],
    [
      'own tap, vmxnet3',
      {
        network: [
          { tap: 'vmtap0', model: 'vmxnet3' },
          { tap: true, model: 'e1000e' },
        ],
      },
    ],
    ['spice port and VGA', { display: { type: 'spice', port: 5905, listen: '127.0.0.1', video: 'vga' } }],
    [
      'vnc :1 on virtio video, no tablet',
      { display: { type: 'vnc', port: 5901, video: 'virtio' }, tablet: false },
    ],
    ['adapter without server, tablet', { display: { type: 'none', video: 'bochs' }, tablet: true }],
    ['TPM 1.2 TIS, builtin RNG', { tpm: { model: 'tis', version: '1.2' }, rng: { source: 'builtin' } }],
    ['TPM 2.0 CRB, urandom', { tpm: true, rng: true }],
    ['USB by bus and device', { usb: [{ bus: 3, device: 5 }, '046d:c051'] }],
    [
      'PXE first, then an NVMe drive',
      { network: { network: 'default', boot: 1 }, pci: [{ host: '0b:00.0', boot: 2 }] },
    ],
    ['mdev with its display', { display: 'spice', mdev: [{ uuid: UUID, display: true }] }],
    ['no USB at all', { display: 'vnc', usbController: 'none' }],
    ['NEC xHCI', { usbController: 'nec-xhci', usb: ['046d:c051'] }],
    ['ICH9 EHCI', { usbController: 'ich9-ehci1' }],
    ['PIIX3 UHCI behind the bridge libvirt adds', { usbController: 'piix3-uhci' }],
    [
      'vg-disks: the guide CD-ROM at sdc, booting first by kind',
      {
        disks: [
          { path: '/var/lib/libvirt/images/vg-a.img' },
          { path: '/srv/iso/vg-win.iso', device: 'cdrom', target: 'sdc' },
          { path: '/var/lib/libvirt/images/vg-b.img', bus: 'virtio', target: 'vdb' },
        ],
        boot: ['cdrom', 'hd', 'network'],
      },
    ],
    [
      'vg-disks: i440fx IDE at hda and hdc (QEMU -hda, -cdrom), PXE first',
      {
        machine: 'pc',
        disks: [
          { path: '/var/lib/libvirt/images/vg-a.img', bus: 'ide' },
          { path: '/srv/iso/vg.iso', device: 'cdrom', bus: 'ide', target: 'hdc' },
        ],
        boot: ['network', 'cdrom'],
      },
    ],
    [
      'vg-disks: virtio-scsi on I/O thread 2',
      { disks: [{ path: '/var/lib/libvirt/images/vg-a.img' }], iothreads: 2, scsi: { iothread: 2 } },
    ],
    [
      'CD-ROM first',
      {
        disks: [
          { path: '/var/lib/libvirt/images/vg-a.img' },
          { path: '/srv/iso/vg.iso', device: 'cdrom', boot: 1 },
        ],
      },
    ],
  ])('%s', (label, fields) => {
    const tail = label.replace(/^vg-disks: /, '').replace(/[^a-z0-9]+/gi, '-');
    const name = label.startsWith('vg-disks: ') ? `vg-disks-${process.pid}-${tail}` : `${PREFIX}-${tail}`;
    const config = { ...base, ...fields, name } as VmConfig;
    const generated = generateDomain(resolveConfig(config, tmp, 'vm.ts'));
    const dumped = parseDomainXml(defineAndDump(name, writeDomainXml(generated)));
    const back = domainToConfig(dumped).config;
    expect(deviceParts(generateDomain(resolveConfig(back, tmp, 'vm.ts')))).toEqual(deviceParts(generated));
  });
});

describe('what the config refuses about disk names and boot kinds, libvirt refuses too', () => {
  const disks = [
    { path: '/var/lib/libvirt/images/vg-a.img' },
    { path: '/srv/iso/vg.iso', device: 'cdrom' as const },
  ];

  /** libvirt's answer to a generated domain changed by `edit`, which the config would refuse. */
  function refusal(label: string, fields: Partial<VmConfig>, edit: (d: Domain) => Domain): string {
    const name = `vg-disks-${process.pid}-${label}`;
    const domain = edit(generateDomain(resolveConfig({ ...base, ...fields, name }, tmp, 'vm.ts')));
    const file = path.join(tmp, `${name}.xml`);
    writeFileSync(file, writeDomainXml(domain));
    const r = virsh(['define', '--validate', file]);
    if (r.status === 0) undefine(name);
    return r.stderr;
  }

  it('boot kinds beside a per-device boot order', () => {
    const stderr = refusal('boot-both', { disks, boot: ['cdrom'] }, (d) => ({
      ...d,
      devices: { ...d.devices, disk: d.devices?.disk?.map((k, i) => (i ? { ...k, boot: { order: 1 } } : k)) },
    }));
    expect(stderr).toContain('per-device boot elements cannot be used together with os/boot elements');
  });

  it('one name for two disks', () => {
    const stderr = refusal('name-twice', { disks }, (d) => ({
      ...d,
      devices: {
        ...d.devices,
        disk: d.devices?.disk?.map((k) => ({ ...k, target: { ...k.target, dev: 'sda' } })),
      },
    }));
    expect(stderr).toMatch(/target 'sda' duplicated for disk sources/);
  });

  it('a SCSI name past sdg: not refused, but put on an LSI Logic controller libvirt adds', () => {
    const name = `vg-disks-${process.pid}-scsi-sdh`;
    const fields = { disks: [{ path: '/var/lib/libvirt/images/vg-a.img', target: 'sdg' }] };
    const domain = generateDomain(resolveConfig({ ...base, ...fields, name }, tmp, 'vm.ts'));
    const disk = domain.devices?.disk?.map((k) => ({ ...k, target: { ...k.target, dev: 'sdh' } }));
    const dumped = parseDomainXml(
      defineAndDump(name, writeDomainXml({ ...domain, devices: { ...domain.devices, disk } })),
    );
    expect(dumped.devices?.disk?.[0]?.address).toMatchObject({ controller: '1' });
    const scsi = dumped.devices?.controller?.filter((c) => c.type === 'scsi').map((c) => c.model);
    expect(scsi).toEqual(['virtio-scsi', 'lsilogic']);
  });

  it('an IDE name past hdd', () => {
    const ide = [{ path: '/var/lib/libvirt/images/vg-a.img', bus: 'ide' as const, target: 'hdd' }];
    const stderr = refusal('ide-hde', { machine: 'pc', disks: ide }, (d) => ({
      ...d,
      devices: {
        ...d.devices,
        disk: d.devices?.disk?.map((k) => ({ ...k, target: { ...k.target, dev: 'hde' } })),
      },
    }));
    expect(stderr).toContain('Only 1 IDE controller is supported');
  });
});
