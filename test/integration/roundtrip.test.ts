/**
 * The model against libvirt's own output: every `virsh dumpxml` of a domain the tests define must
 * read into the model and write back to the same XML (same elements, attributes, text and order).
 * This is what keeps a re-define from dropping a hand edit, and what shows the canonical order is libvirt's.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseDomainXml, writeDomainXml } from '../../src/domain/document.js';
import { Domain } from '../../src/domain/model.js';
import { markUsed, modelFields } from '../support/model-coverage.js';
import { EDITED_LEVELS, UNKNOWN, insertionDifferences } from '../support/element-order.js';
import { sameXml } from '../../src/domain/xml-node.js';
import { parseXml } from '../../src/domain/xml-read.js';
import { defineXml, dumpInactive, nativeArgv, requireLibvirt, undefine } from '../support/libvirt.js';
import { EXAMPLES, SHARED } from '../support/paths.js';
import { virtGen } from '../support/run.js';

const dir = mkdtempSync(path.join(os.tmpdir(), 'vg-roundtrip-'));

function configXml(name: string, source: string): string {
  const file = path.join(dir, `${name}.ts`);
  writeFileSync(file, source);
  const r = virtGen(['xml', file]);
  if (r.status !== 0) throw new Error(r.stderr);
  return r.stdout;
}

const exampleXml = (example: string, name: string): string => {
  const r = virtGen(['xml', path.join(EXAMPLES, `${example}.ts`)]);
  if (r.status !== 0) throw new Error(r.stderr);
  return r.stdout.replace(/<name>[^<]*<\/name>/, `<name>${name}</name>`);
};

// The setup phase of the guide (QXL + SPICE while installing) with libvirt choosing the firmware.
const SETUP = `import { defineVm } from 'virt-gen';
export default defineVm({
  name: 'vg-test-setup', memory: '2 GiB', cpu: { cores: 2, threads: 2 }, firmware: 'efi', display: 'spice',
  gpu: { host: '02:00.0' }, sound: { model: 'ich9', audio: { type: 'pulseaudio', latency: 20000 } },
  evdev: { keyboard: '/dev/input/by-id/kbd-event-kbd', mouse: '/dev/input/by-id/mouse-event-mouse' },
  lookingGlass: true, usb: ['046d:c051'],
  disks: [{ path: '/var/lib/libvirt/images/vg-test.qcow2', boot: 1 }, { path: '/tmp/win.iso', device: 'cdrom' }],
});
`;

// Windows 11 essentials, on top of a template that adds devices virt-gen does not generate.
const WIN11 = `import { defineVm } from 'virt-gen';
export default defineVm({
  name: 'vg-test-w11', memory: '4 GiB', cpu: { cores: 2 }, secureBoot: true, tpm: true,
  template: '${path.join(process.cwd(), 'xml-templates', 'guest-agent.xml')}',
});
`;

const DOMAINS: Record<string, () => string> = {
  'vg-test-rt-gaming': () => exampleXml('gaming', 'vg-test-rt-gaming'),
  'vg-test-rt-minimal': () => exampleXml('minimal', 'vg-test-rt-minimal'),
  'vg-test-setup': () => configXml('setup', SETUP),
  'vg-test-rt-reference': () => exampleFromResearch(),
  'vg-test-w11': () => configXml('w11', WIN11),
  // Documents that set every property of the model (test/unit/domain/coverage.test.ts).
  'vg-test-every-field': () =>
    readFileSync(path.join('test', 'fixtures', 'domain', 'every-field.xml'), 'utf8'),
  'vg-test-os-boot': () => readFileSync(path.join('test', 'fixtures', 'domain', 'os-boot.xml'), 'utf8'),
  'vg-model-more-devices': () =>
    readFileSync(path.join('test', 'fixtures', 'domain', 'more-devices.xml'), 'utf8'),
};

/** research/reference-win-gaming.xml: a hand-written domain with elements virt-gen does not generate. */
function exampleFromResearch(): string {
  return readFileSync(path.join(SHARED, 'research', 'reference-win-gaming.xml'), 'utf8')
    .replace(/<name>[^<]*<\/name>/, '<name>vg-test-rt-reference</name>')
    .replace(/<uuid>[^<]*<\/uuid>/, '');
}

const dumps: Record<string, string> = {};

beforeAll(() => {
  requireLibvirt();
  for (const [name, xml] of Object.entries(DOMAINS)) {
    defineXml(name, xml());
    dumps[name] = dumpInactive(name);
  }
});

afterAll(() => {
  for (const name of Object.keys(DOMAINS)) undefine(name);
});

describe.each(Object.keys(DOMAINS))('round trip of virsh dumpxml %s', (name) => {
  it('reads and writes back the same document, in the same order', () => {
    const dump = dumps[name] as string;
    const written = writeDomainXml(parseDomainXml(dump));
    expect(sameXml(parseXml(written), parseXml(dump))).toBe(true);
  });

  it('writes a hand-inserted unknown element back where it was, at every position of six levels', () => {
    expect(insertionDifferences(parseXml(dumps[name] as string), EDITED_LEVELS, UNKNOWN)).toEqual([]);
  });
});

describe('the guide setup phase and libvirt-chosen firmware (rows 13 and 18)', () => {
  it('shows QXL and SPICE, and OVMF picked by libvirt from its descriptors', () => {
    const dom = parseDomainXml(dumps['vg-test-setup'] as string);
    expect(dom.devices?.video?.[0]?.model?.type).toBe('qxl');
    expect(dom.devices?.graphics?.[0]?.type).toBe('spice');
    expect(dom.os?.firmware).toBe('efi');
    // Without the USB device present libvirt cannot convert; drop it as EQUIVALENCE.md says.
    const xml = (DOMAINS['vg-test-setup'] as () => string)()
      .replace(/<hostdev mode="subsystem" type="usb"[\s\S]*?<\/hostdev>\s*/g, '')
      .replace('<name>vg-test-setup</name>', '<name>vg-test-setup-argv</name>');
    defineXml('vg-test-setup-argv', xml);
    try {
      const argv = nativeArgv('vg-test-setup-argv').join(' ');
      expect(argv).toContain('"driver":"qxl-vga"');
      expect(argv).toMatch(/-spice \S+/);
      expect(argv).toMatch(/OVMF_CODE[^"]*\.fd/);
      expect(argv).toContain('"driver":"ivshmem-plain"');
      expect(argv).toContain('"qom-type":"input-linux"');
    } finally {
      undefine('vg-test-setup-argv');
    }
  });
});

describe('Windows 11 essentials and a template', () => {
  it('libvirt keeps Secure Boot with enrolled keys, SMM, the TPM, and the template devices', () => {
    const dom = parseDomainXml(dumps['vg-test-w11'] as string);
    expect(dom.os?.firmware).toBe('efi');
    expect(dom.os?.firmware_?.feature).toEqual([
      { enabled: true, name: 'enrolled-keys' },
      { enabled: true, name: 'secure-boot' },
    ]);
    expect(dom.features?.smm).toEqual({ state: true });
    expect(dom.devices?.tpm).toEqual([{ model: 'tpm-crb', backend: { type: 'emulator', version: '2.0' } }]);
    expect(dom.devices?.channel?.[0]?.target).toMatchObject({
      type: 'virtio',
      name: 'org.qemu.guest_agent.0',
    });
    expect(dom.devices?.rng?.[0]?.model).toBe('virtio');
    expect(dom.name?.value).toBe('vg-test-w11');
  });
});

describe.each(['vg-test-every-field', 'vg-test-os-boot', 'vg-model-more-devices'])(
  'libvirt keeps what the model sets: %s',
  (name) => {
    it("every modeled property of the document is still set in libvirt's copy", () => {
      const fields = modelFields(Domain);
      const paths = (xml: string): string[] =>
        [...markUsed(Domain, parseDomainXml(xml), new Set())].map((f) => fields.get(f) as string).sort();
      const given = paths((DOMAINS[name] as () => string)());
      const kept = new Set(paths(dumps[name] as string));
      expect(given.filter((p) => !kept.has(p))).toEqual([]);
    });
  },
);
