/**
 * `machine: 'pc'` (i440fx) on the real libvirt: a config with GPUs, IDE disks, the PIIX USB and
 * UEFI goes through the built CLI (`virt-gen xml`), libvirt's schema and `define --validate`, and
 * libvirt keeps the layout the config asked for (each GPU's functions on one root bus slot, no PCIe
 * part). The reasons behind the i440fx refusals are asked of libvirt itself: Secure Boot defines
 * but finds no firmware to start, and 256 vCPUs are over the machine's limit.
 * Domains are named vg-i440fx-… and undefined at once.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { readFileSync } from 'node:fs';
import { dumpInactive, requireLibvirt, startPortably, virsh } from '../support/libvirt.js';
import { ConfigDefiner } from '../support/libvirt-configs.js';
import type { RunResult } from '../support/run.js';

const PREFIX = `vg-i440fx-${process.pid}`;
const libvirt = new ConfigDefiner('vg-i440fx', "memory: '4 GiB', network: false");

beforeAll(requireLibvirt);
afterAll(() => libvirt.cleanup());

/** Two vCPUs unless the case says otherwise. */
const xmlOf = (name: string, fields: string): string =>
  libvirt.xml(name, fields.includes('cpu:') ? fields : `cpu: { cores: 2 }, ${fields}`);
const define = (name: string, xml: string): RunResult => libvirt.define(name, xml);

/** `bus:slot.function` of each `<hostdev>` guest address in libvirt's XML. */
const hostdevSlots = (xml: string): string[] =>
  [...xml.matchAll(/<hostdev[\s\S]*?<\/hostdev>/g)].map((m) => {
    const a = /<address type='pci' domain='0x0000' bus='(0x..)' slot='(0x..)' function='(0x.)'/.exec(m[0]);
    return a ? `${a[1]}:${a[2]}.${a[3]}` : 'none';
  });

describe('an i440fx VM on libvirt', () => {
  it('defines with its GPUs on root bus slots, IDE disks, the PIIX USB and UEFI, as the config asked', () => {
    const name = `${PREFIX}-full`;
    const xml = xmlOf(
      name,
      `machine: 'pc', firmware: 'efi', usbController: 'piix3-uhci', ` +
        `gpu: [{ host: '0a:00.0', functions: [0, 1] }, { host: '0b:00.0', functions: [0, 1], slot: 0x1f }], ` +
        `disks: [{ path: '/var/lib/libvirt/images/win.img', bus: 'ide' }, ` +
        `{ path: '/var/lib/libvirt/images/win.iso', device: 'cdrom', bus: 'ide' }]`,
    );
    const defined = define(name, xml);
    expect(defined.stderr).toBe('');
    const back = dumpInactive(name);
    expect(back).toMatch(/machine='pc-i440fx-[\d.]+'/);
    expect(back).toContain("<controller type='pci' index='0' model='pci-root'/>");
    expect(back).not.toContain('pcie');
    // Each card's functions on one slot of the root bus, function 0 marked multifunction.
    expect(hostdevSlots(back)).toEqual(['0x00:0x10.0x0', '0x00:0x10.0x1', '0x00:0x1f.0x0', '0x00:0x1f.0x1']);
    expect(back).toMatch(/slot='0x10' function='0x0' multifunction='on'/);
    // The PIIX3's own USB function, and libvirt's IDE controller for the disks.
    expect(back).toMatch(
      /<controller type='usb' index='0' model='piix3-uhci'>\s*<address type='pci' domain='0x0000' bus='0x00' slot='0x01' function='0x2'\/>/,
    );
    expect(back).toContain("<controller type='ide' index='0'>");
    expect([...back.matchAll(/<target dev='(hd.)' bus='ide'\/>/g)].map((m) => m[1])).toEqual(['hda', 'hdb']);
    // UEFI without Secure Boot: libvirt picks OVMF at start (the secboot case below starts one).
    expect(back).toContain("<os firmware='efi'>");
    expect(back).toContain("<feature enabled='no' name='secure-boot'/>");
  });

  it('starts with UEFI, QEMU running as the unprivileged user libvirt gives it', () => {
    const name = `${PREFIX}-start`;
    // No Hyper-V: the nested KVM of these machines refuses VP_INDEX ("kernel doesn't allow").
    const xml = xmlOf(
      name,
      `machine: 'pc', firmware: 'efi', display: 'none', usbController: 'none', hyperv: false`,
    );
    expect(define(name, xml).stderr).toBe('');
    startPortably(name);
    try {
      expect(virsh(['domstate', name]).stdout.trim()).toBe('running');
      const live = virsh(['dumpxml', name]).stdout;
      expect(live).toMatch(/<loader readonly='yes' type='pflash'>[^<]*OVMF_CODE[^<]*<\/loader>/);
      const pid = readFileSync(`/run/libvirt/qemu/${name}.pid`, 'utf8').trim();
      expect(readFileSync(`/proc/${pid}/status`, 'utf8')).toMatch(/^Uid:\s+[1-9]\d*\s/m);
    } finally {
      virsh(['destroy', name]);
    }
  });

  it('Secure Boot on i440fx defines, but libvirt finds no firmware to start it (the validator refuses it)', () => {
    const name = `${PREFIX}-secboot`;
    // The q35 config's XML moved to i440fx by hand: the one thing the validator stops.
    const q35 = xmlOf(name, `firmware: 'efi', secureBoot: true, display: 'none', usbController: 'none'`);
    const xml = q35.replace(/machine='q35'|machine="q35"/, "machine='pc'").replace(/pcie-root/g, 'pci-root');
    expect(xml).toMatch(/machine=['"]pc['"]/);
    expect(define(name, xml).stderr).toBe('');
    const start = virsh(['start', name]);
    expect(start.status).not.toBe(0);
    expect(start.stderr).toContain("Unable to find any firmware to satisfy 'efi'");
  });

  it('256 vCPUs are over the i440fx limit libvirt asks QEMU for (the validator stops at 255)', () => {
    const name = `${PREFIX}-vcpus`;
    const xml = xmlOf(name, `machine: 'pc', cpu: { cores: 255 }, display: 'none'`);
    expect(define(name, xml).stderr).toBe('');
    const over = define(
      name,
      xml.replace(/>255<\/vcpu>/, '>256</vcpu>').replace(/cores="255"/, 'cores="256"'),
    );
    expect(over.stderr).toContain('Maximum CPUs greater than specified machine type limit 255');
  });
});
