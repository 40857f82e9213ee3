/** The full-fact comparison (src/domain/facts.ts, test/support/domain-facts.ts) on small hand-written pairs. */
import { describe, expect, it } from '@jest/globals';
import { lostFacts } from '../../support/domain-facts.js';

const NICS = `<domain type='kvm'><name>a</name><devices>
  <interface type='bridge'><mac address='52:54:00:00:00:01'/><source bridge='br0'/><model type='virtio'/></interface>
  <interface type='bridge'><mac address='52:54:00:00:00:02'/><source bridge='br1'/><model type='e1000'/></interface>
</devices></domain>`;

describe('full-fact comparison', () => {
  it('finds a lost attribute, naming its element by identity', () => {
    const b = NICS.replace("<source bridge='br1'/>", '<source/>');
    expect(lostFacts(NICS, b)).toEqual([
      'domain/devices/interface[type=bridge][mac/address=52:54:00:00:00:02]/source/@bridge=br1',
    ]);
  });

  it('finds a lost text and a lost element', () => {
    const a =
      '<domain><name>a</name><genid>8c1f2e3d-4b5a-6978-8a9b-0c1d2e3f4a5b</genid><features><acpi/></features></domain>';
    expect(lostFacts(a, '<domain><name>b</name><features/></domain>')).toEqual([
      'domain/name=a',
      'domain/genid',
      'domain/genid=8c1f2e3d-4b5a-6978-8a9b-0c1d2e3f4a5b',
      'domain/features/acpi',
    ]);
  });

  it('does not count reordering as a loss: devices, attributes, siblings', () => {
    const swapped = `<domain type='kvm'><devices>
      <interface type='bridge'><model type='e1000'/><source bridge='br1'/><mac address='52:54:00:00:00:02'/></interface>
      <interface type='bridge'><model type='virtio'/><mac address='52:54:00:00:00:01'/><source bridge='br0'/></interface>
    </devices><name>a</name></domain>`;
    expect(lostFacts(NICS, swapped)).toEqual([]);
    expect(lostFacts(swapped, NICS)).toEqual([]);
  });

  it("does not take a second NIC's MAC for the first's", () => {
    // Only one NIC left, with the second's model: the first NIC is lost, whole, and nothing else.
    const one = `<domain type='kvm'><name>a</name><devices>
      <interface type='bridge'><mac address='52:54:00:00:00:02'/><source bridge='br1'/><model type='e1000'/></interface>
    </devices></domain>`;
    const lost = lostFacts(NICS, one);
    expect(lost.length).toBeGreaterThan(0);
    expect(lost.every((f) => f.includes('[mac/address=52:54:00:00:00:01]'))).toBe(true);
    // Same MACs, models swapped between the NICs: both models are lost.
    const crossed = NICS.replace("'virtio'", "'X'").replace("'e1000'", "'virtio'").replace("'X'", "'e1000'");
    expect(lostFacts(NICS, crossed)).toEqual([
      'domain/devices/interface[type=bridge][mac/address=52:54:00:00:00:01]/model/@type=virtio',
      'domain/devices/interface[type=bridge][mac/address=52:54:00:00:00:02]/model/@type=e1000',
    ]);
  });

  it('tells look-alikes apart by rank, and a controller by type and index (model is a property)', () => {
    const a = `<domain><devices><controller type='usb' model='none'/>
      <qemu:commandline xmlns:qemu='x'><qemu:arg value='-a'/><qemu:arg value='-b'/></qemu:commandline>
    </devices></domain>`;
    const b = `<domain><devices><controller type='usb' index='0' model='qemu-xhci'/>
      <qemu:commandline xmlns:qemu='x'><qemu:arg value='-a'/></qemu:commandline></devices></domain>`;
    expect(lostFacts(a, b)).toEqual([
      'domain/devices/controller[type=usb][index=0]/@model=none',
      'domain/devices/qemu:commandline/qemu:arg#2',
      'domain/devices/qemu:commandline/qemu:arg#2/@value=-b',
    ]);
  });

  it('compares sizes in KiB, as libvirt stores them, whatever their unit', () => {
    const a =
      "<domain><memory unit='GiB'>4</memory><cpu><numa><cell id='0' memory='4' unit='GiB'/></numa></cpu></domain>";
    const same =
      "<domain><memory unit='KiB'>4194304</memory><cpu><numa><cell id='0' memory='4096' unit='MiB'/></numa></cpu></domain>";
    expect(lostFacts(a, same)).toEqual([]);
    expect(lostFacts(a, same.replace("'4096'", "'2048'"))).toEqual([
      'domain/cpu/numa/cell[id=0]/@memory=4194304',
    ]);
  });

  it('does not compare the domain type (a config always asks for KVM)', () => {
    expect(
      lostFacts("<domain type='qemu'><name>a</name></domain>", "<domain type='kvm'><name>a</name></domain>"),
    ).toEqual([]);
  });
});
