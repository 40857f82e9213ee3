/**
 * Command lines users write, imported and turned into a config (`import --config`): the machine-level
 * facts become the config's own typed fields (not notes, not the template), and the config's domain
 * has them again. The expected configs are written by hand from what the command lines say.
 */
import { describe, expect, it } from '@jest/globals';
import { resolveConfig } from '../../../src/config/validate.js';
import { parseDomainXml } from '../../../src/domain/read.js';
import { writeDomainXml } from '../../../src/domain/write.js';
import { generateDomain } from '../../../src/generate/index.js';
import { domainToConfig } from '../../../src/import/to-config/index.js';
import { importArgs } from '../../../src/import/index.js';
import { imp } from './helpers.js';

function roundTrip(line: string) {
  const { config, notes } = domainToConfig(imp(line).domain);
  const xml = writeDomainXml(generateDomain(resolveConfig(config, '/configs', 'vm.ts')));
  return { config, notes, xml };
}

describe('machine facts of a command line, as config fields', () => {
  it('a named CPU model with its flags (-cpu Haswell-noTSX,-hle)', () => {
    const { config, notes, xml } = roundTrip('-enable-kvm -cpu Haswell-noTSX,+lahf_lm,-hle -smp 4 -m 4G');
    expect(config.cpu).toMatchObject({
      mode: 'custom',
      model: 'Haswell-noTSX',
      features: { lahf_lm: 'require', hle: 'disable' },
    });
    expect(notes.join('\n')).not.toMatch(/cpu mode/);
    expect(xml).toMatch(/<cpu mode="custom"[^>]* match="exact"/);
    expect(xml).toContain('<model fallback="forbid">Haswell-noTSX</model>');
  });

  it('Hyper-V enlightenments QEMU would refuse (stimer without hv_time) are left out, with a note', () => {
    const { config, notes } = roundTrip('-cpu host,hv_vpindex,hv_synic,hv_stimer,hv_relaxed -m 1G');
    expect(config.hyperv).toMatchObject({ features: ['relaxed', 'vpindex', 'synic'] });
    expect(notes).toContain('Hyper-V stimer without time: QEMU refuses it, so the config leaves it out');
  });

  it("QEMU's max CPU (-cpu max)", () => {
    expect(roundTrip('-cpu max -m 1G').config.cpu.mode).toBe('maximum');
  });

  it('taskset -c as the vCPU cpuset, not a pin per vCPU', () => {
    const { domain } = imp('-smp 4 -m 1G');
    const wrapped = domainToConfig({ ...domain, vcpu: { placement: 'static', cpuset: '2-3,6-7', value: 4 } });
    expect(wrapped.config.cpu).toMatchObject({ cpuset: '2-3,6-7' });
    expect(wrapped.config.cpu.pin).toBeUndefined();
    expect(wrapped.config.cpu.emulatorPin).toBeUndefined();
  });

  it('guest NUMA nodes (-numa node,cpus=…,memdev=…)', () => {
    const { config, xml } = roundTrip(
      '-machine q35 -smp 8,sockets=2,cores=4 -m 8G -object memory-backend-ram,id=m0,size=4G ' +
        '-object memory-backend-ram,id=m1,size=4G -numa node,nodeid=0,cpus=0-3,memdev=m0 -numa node,nodeid=1,cpus=4-7,memdev=m1',
    );
    expect(config.cpu.numa).toEqual([
      { cpus: '0-3', memory: 4096 },
      { cpus: '4-7', memory: 4096 },
    ]);
    expect(xml).toContain('<cell id="0" cpus="0-3" memory="4096" unit="MiB"/>');
    expect(xml).toContain('<cell id="1" cpus="4-7" memory="4096" unit="MiB"/>');
  });

  it('cells that do not hold every vCPU stay a note (libvirt would move vCPUs into cell 0)', () => {
    const dom = parseDomainXml(
      "<domain type='kvm'><name>x</name><memory unit='KiB'>2097152</memory><vcpu>4</vcpu>" +
        "<cpu><numa><cell id='0' cpus='0-1' memory='2097152' unit='KiB'/></numa></cpu></domain>",
    );
    const { config, notes } = domainToConfig(dom);
    expect(config.cpu.numa).toBeUndefined();
    expect(notes).toContain('<cpu><numa>: the cells hold 2 of the 4 vCPUs (libvirt adds the rest to cell 0)');
  });

  it('a VM generation ID, given or made by libvirt (-device vmgenid)', () => {
    const given = roundTrip('-m 1G -device vmgenid,guid=8C1F2E3D-4B5A-6978-8A9B-0C1D2E3F4A5B');
    expect(given.config.genid).toBe('8c1f2e3d-4b5a-6978-8a9b-0c1d2e3f4a5b');
    expect(given.xml).toContain('<genid>8c1f2e3d-4b5a-6978-8a9b-0c1d2e3f4a5b</genid>');
    const auto = roundTrip('-m 1G -device vmgenid,guid=auto');
    expect(auto.config.genid).toBe(true);
    expect(auto.xml).toContain('<genid/>');
  });

  it('SMBIOS tables (-smbios type=0/1)', () => {
    const { config, xml } = roundTrip(
      '-m 1G -smbios type=0,vendor=AMI,date=01/02/2020 -smbios type=1,manufacturer=Dell,product=OptiPlex',
    );
    expect(config.smbios).toEqual({
      bios: { vendor: 'AMI', date: '01/02/2020' },
      system: { manufacturer: 'Dell', product: 'OptiPlex' },
    });
    expect(xml).toContain('<entry name="manufacturer">Dell</entry>');
    expect(xml).toContain('<smbios mode="sysinfo"/>');
  });

  it('an SMBIOS entry the config would refuse stays a note, and the config loads', () => {
    const dom = parseDomainXml(
      "<domain type='kvm'><name>x</name><memory unit='KiB'>1048576</memory>" +
        "<sysinfo type='smbios'><bios><entry name='date'>2020-01-31</entry></bios>" +
        "<system><entry name='manufacturer'>Dell</entry></system></sysinfo>" +
        "<os><type arch='x86_64' machine='q35'>hvm</type><smbios mode='sysinfo'/></os></domain>",
    );
    const { config, notes } = domainToConfig(dom);
    expect(config.smbios).toEqual({ system: { manufacturer: 'Dell' } });
    expect(notes).toContain("<sysinfo><bios><entry name='date'>");
    expect(() => resolveConfig(config, '/configs', 'vm.ts')).not.toThrow();
  });

  it("the host's SMBIOS (<smbios mode='host'>)", () => {
    const dom = parseDomainXml(
      "<domain type='kvm'><name>x</name><memory unit='KiB'>1048576</memory>" +
        "<os><type arch='x86_64' machine='q35'>hvm</type><smbios mode='host'/></os></domain>",
    );
    expect(domainToConfig(dom).config.smbios).toBe('host');
  });

  it('locked and shared memory (-overcommit mem-lock=on, share=on)', () => {
    const { config, xml } = roundTrip(
      '-machine q35 -m 16G -object memory-backend-file,id=mem0,size=16G,mem-path=/dev/hugepages1G,share=on ' +
        '-machine memory-backend=mem0 -overcommit mem-lock=on',
    );
    expect(config.memoryBacking).toEqual({ locked: true, shared: true });
    expect(xml).toMatch(/<locked\/>\s*<access mode="shared"\/>/);
  });

  it("preallocated memory (<allocation mode='immediate'>), and what the config has no field for", () => {
    const dom = parseDomainXml(
      "<domain type='kvm'><name>x</name><memory unit='KiB'>1048576</memory><memoryBacking>" +
        "<source type='memfd'/><allocation mode='immediate' threads='4'/></memoryBacking></domain>",
    );
    const { config, notes } = domainToConfig(dom);
    expect(config.memoryBacking).toEqual({ preallocate: true });
    expect(notes).toEqual(
      expect.arrayContaining(["<memoryBacking><source type='memfd'>", "<allocation threads='4'>"]),
    );
  });

  it('an i440fx VM stays i440fx: its GPU on its root bus slot, its PIIX USB, no root port', () => {
    const line =
      '-m 1G -usb -device vfio-pci,host=01:00.0,addr=0x5.0,multifunction=on -device vfio-pci,host=01:00.1,addr=0x5.1';
    const { config, notes } = domainToConfig(imp(line).domain);
    expect(config.machine).toBe('pc');
    expect(config.gpu).toEqual({ host: '0000:01:00.0', functions: [0, 1], slot: 5 });
    expect(config.usbController).toBe('piix3-uhci');
    expect(notes.join('\n')).not.toContain('machine');
    const dev = generateDomain(resolveConfig(config, '/configs', 'vm.ts')).devices;
    expect(dev?.controller?.filter((c) => c.type === 'pci').map((c) => c.model)).toEqual(['pci-root']);
    expect(dev?.hostdev?.map((h) => [h.address?.bus, h.address?.slot, h.address?.function])).toEqual([
      ['0x00', '0x05', '0x0'],
      ['0x00', '0x05', '0x1'],
    ]);
  });

  it("an i440fx GPU at the config's default slot needs no slot field", () => {
    const line =
      '-m 1G -device vfio-pci,host=01:00.0,addr=0x10.0,multifunction=on -device vfio-pci,host=01:00.1,addr=0x10.1';
    expect(domainToConfig(imp(line).domain).config.gpu).toEqual({ host: '0000:01:00.0', functions: [0, 1] });
  });

  it('a name libvirt takes but a config does not becomes the nearest usable one, with a note', () => {
    const named = (line: string) => importArgs(`qemu-system-x86_64 -m 1G ${line}`).domain;
    const { config, notes } = domainToConfig(named(`-name 'my vm<2>'`));
    expect(config.name).toBe('my-vm-2-');
    expect(notes).toContain(
      'name "my vm<2>": a config\'s name is letters, digits, ".", "-", "_", so "my-vm-2-"',
    );
    expect(resolveConfig(config, '/configs', 'vm.ts').name).toBe('my-vm-2-');
    expect(domainToConfig(named('-name -S')).config.name).toBe('S');
  });

  it('a machine the config has not (isapc) is named in the notes', () => {
    const { config, notes } = domainToConfig(imp('-m 1G -machine isapc').domain);
    expect(config.machine).toBeUndefined();
    expect(notes).toContain(
      'machine "isapc" is not an x86 PC machine (q35 or i440fx): the config makes a q35 VM',
    );
  });
});
