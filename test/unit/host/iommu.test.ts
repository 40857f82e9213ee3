import { describe, expect, it } from '@jest/globals';
import { parsePciAddress, type PciAddress } from '../../../src/domain/address.js';
import { readHostFacts } from '../../../src/host/facts.js';
import { assertGroupsViable, cardFunctions, checkGroups, groupsOf } from '../../../src/host/iommu.js';
import { hostFixture } from './helpers/roots.js';

const pci = (s: string): PciAddress => parsePciAddress(s) as PciAddress;

describe('cardFunctions', () => {
  it("takes every function of the card at the GPU's address", async () => {
    const f = await readHostFacts(hostFixture('guide'));
    expect(cardFunctions(f, pci('02:00.0')).map((d) => d.name)).toEqual(['0000:02:00.0', '0000:02:00.1']);
  });

  it('names an address the host does not have', async () => {
    const f = await readHostFacts(hostFixture('guide'));
    expect(() => cardFunctions(f, pci('05:00.0'))).toThrow('PCI device 0000:05:00.0 is not on this host');
  });
});

describe('group viability', () => {
  it('guide: group 1 (GPU, audio, root port on pcieport) is viable', async () => {
    const f = await readHostFacts(hostFixture('guide'));
    const [v] = assertGroupsViable(f, [pci('02:00.0'), pci('02:00.1')]);
    expect(v?.group).toBe(1);
    expect(v?.members.map((m) => `${m.device.name}:${m.role}`)).toEqual([
      '0000:00:01.0:bridge',
      '0000:02:00.0:passthrough',
      '0000:02:00.1:passthrough',
    ]);
  });

  it('NIC host: the e1000e NIC makes group 13 not viable, and the error names it', async () => {
    const f = await readHostFacts(hostFixture('nic-shared-group'));
    expect(() => assertGroupsViable(f, [pci('03:00.0'), pci('03:00.1')])).toThrow(
      'IOMMU group 13 is not viable: 0000:04:00.0 (Ethernet controller 8086:10d3) is bound to e1000e. ' +
        'Every device in the group must be bound to vfio-pci or passed through too',
    );
  });

  it('NIC host: passing only the GPU leaves the audio function on snd_hda_intel as an offender too', async () => {
    const f = await readHostFacts(hostFixture('nic-shared-group'));
    const [v] = checkGroups(f, [pci('03:00.0')]);
    expect(v?.offenders.map((d) => `${d.name} ${d.driver}`)).toEqual([
      '0000:03:00.1 snd_hda_intel',
      '0000:04:00.0 e1000e',
    ]);
  });

  it('passing the NIC through as well makes the group viable', async () => {
    const f = await readHostFacts(hostFixture('nic-shared-group'));
    expect(checkGroups(f, [pci('03:00.0'), pci('03:00.1'), pci('04:00.0')])[0]?.viable).toBe(true);
  });

  it('IOMMU off: a device without a group is an error that says how to turn it on', async () => {
    const f = await readHostFacts(hostFixture('no-iommu'));
    expect(() => groupsOf(f, [pci('01:00.0')])).toThrow('has no IOMMU group: the IOMMU is off');
  });
});
