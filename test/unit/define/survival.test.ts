import { describe, expect, it } from '@jest/globals';
import { parseXml } from '../../../src/domain/index.js';
import { expandCpuset, findLost, toBytes } from '../../../src/define/survival.js';

const lost = (generated: string, readBack: string) => findLost(parseXml(generated), parseXml(readBack));

describe('findLost', () => {
  it('accepts what libvirt adds', () => {
    expect(
      lost(
        '<domain><devices><video/></devices></domain>',
        "<domain><uuid>u</uuid><devices><emulator>/q</emulator><video><model type='none'/></video></devices></domain>",
      ),
    ).toEqual([]);
  });

  it("sees through libvirt's normalisations", () => {
    const generated = `<domain>
      <memory unit="G">16</memory>
      <memoryBacking><hugepages><page size="1" unit="G"/></hugepages></memoryBacking>
      <cputune><vcpupin vcpu="0" cpuset="2,3,4,8"/></cputune>
      <os><type machine="q35">hvm</type></os>
      <features><hyperv><spinlocks state="on" retries="0x1fff"/></hyperv><kvm><hidden state="yes"/></kvm></features>
      <devices><interface><mac address="52:54:00:AB:CD:EF"/></interface>
        <hostdev><source><address domain="0" bus="2" slot="0" function="0"/></source></hostdev></devices>
    </domain>`;
    const readBack = `<domain>
      <memory unit='KiB'>16777216</memory>
      <memoryBacking><hugepages><page size='1048576' unit='KiB'/></hugepages></memoryBacking>
      <cputune><vcpupin vcpu='0' cpuset='2-4,8'/></cputune>
      <os><type machine='pc-q35-7.2'>hvm</type></os>
      <features><hyperv><spinlocks state='on' retries='8191'/></hyperv><kvm><hidden state='on'/></kvm></features>
      <devices><interface><mac address='52:54:00:ab:cd:ef'/></interface>
        <hostdev><source><address domain='0x0000' bus='0x02' slot='0x00' function='0x0'/></source></hostdev></devices>
    </domain>`;
    expect(lost(generated, readBack)).toEqual([]);
  });

  it('reports dropped elements, dropped or changed attributes and text, with a path', () => {
    const generated =
      '<domain><os><type>hvm</type><frobnicate/></os><devices><audio id="1" type="none" foo="bar"/></devices><memory unit="MiB">128</memory><on_crash>restart</on_crash></domain>';
    const readBack =
      "<domain><os><type>hvm</type></os><devices><audio id='1' type='none'/></devices><memory unit='KiB'>262144</memory><on_crash>destroy</on_crash></domain>";
    expect(lost(generated, readBack)).toEqual([
      '/domain/os/frobnicate: element dropped',
      "/domain/devices/audio/@foo: 'bar' dropped",
      "/domain/memory: '128' became '262144'",
      "/domain/on_crash: 'restart' became 'destroy'",
    ]);
  });

  it('pairs reordered siblings and names them by a telling attribute', () => {
    const generated =
      '<domain><devices><hostdev type="pci"><source><address bus="2"/></source></hostdev><hostdev type="pci"><source><address bus="3"/></source><rom bar="off"/></hostdev></devices></domain>';
    const readBack =
      "<domain><devices><hostdev type='pci'><source><address bus='0x03'/></source></hostdev><controller/><hostdev type='pci'><source><address bus='0x02'/></source></hostdev></devices></domain>";
    expect(lost(generated, readBack)).toEqual(['/domain/devices/hostdev[2]/rom: element dropped']);
    expect(
      lost(
        '<domain><devices><controller type="usb"/><controller type="pci" model="x"/></devices></domain>',
        '<domain><devices><controller type="usb"/></devices></domain>',
      ),
    ).toEqual(["/domain/devices/controller[@type='pci']: element dropped"]);
  });
});

describe('value helpers', () => {
  it('scales like libvirt', () => {
    expect(toBytes('1', 'KiB')).toBe(1024n);
    expect(toBytes('1', 'k')).toBe(1024n);
    expect(toBytes('1', 'KB')).toBe(1000n);
    expect(toBytes('2', 'GiB')).toBe(2n * 1024n ** 3n);
    expect(toBytes('5')).toBe(5n * 1024n);
    expect(toBytes('5', 'bytes')).toBe(5n);
    expect(toBytes('5', 'furlongs')).toBeUndefined();
  });

  it('expands cpusets with ranges and exclusions', () => {
    expect(expandCpuset('0-3,^2,8')).toEqual([0, 1, 3, 8]);
    expect(expandCpuset('x')).toBeUndefined();
  });
});
