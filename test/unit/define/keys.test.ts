/**
 * The merge matches devices by identity: virt-gen's XML and libvirt's copy of it must give each
 * device the same key, whatever their order and number formats, and siblings must not collide.
 */
import { describe, expect, it } from '@jest/globals';
import { parseXml } from '../../../src/domain/index.js';
import { childKeys } from '../../../src/define/keys.js';

const keys = (xml: string) => childKeys(parseXml(xml)).map((k) => k.key);

describe('identity keys', () => {
  it('are the same for a device as virt-gen writes it and as libvirt stores it', () => {
    const ours = `<devices>
      <hostdev mode="subsystem" type="pci" managed="yes"><source><address domain="0x0000" bus="0x02" slot="0x00" function="0x1"/></source></hostdev>
      <hostdev mode="subsystem" type="usb"><source><vendor id="0x046D"/><product id="0xc52b"/></source></hostdev>
      <interface type="network"><mac address="52:54:00:AA:bb:cc"/></interface>
      <disk type="file" device="disk"><target dev="vda" bus="virtio"/></disk>
      <controller type="usb" model="qemu-xhci"/>
    </devices>`;
    const libvirts = `<devices>
      <controller type='usb' index='0' model='qemu-xhci'><address type='pci'/></controller>
      <controller type='pci' index='0' model='pcie-root'/>
      <disk type='file' device='disk'><driver name='qemu'/><target dev='vda' bus='virtio'/></disk>
      <interface type='network'><mac address='52:54:00:aa:bb:cc'/><model type='virtio'/></interface>
      <hostdev mode='subsystem' type='usb' managed='no'><source><vendor id='0x046d'/><product id='0xc52b'/></source></hostdev>
      <hostdev mode='subsystem' type='pci' managed='yes'><source><address domain='0' bus='2' slot='0' function='1'/></source></hostdev>
    </devices>`;
    const theirs = new Set(keys(libvirts));
    for (const k of keys(ours)) expect(theirs).toContain(k);
    expect(keys(ours)).toEqual([
      'hostdev[pci 0:2:0:1]',
      'hostdev[usb 1133:50475]',
      'interface[mac=52:54:00:aa:bb:cc]',
      'disk[target=vda]',
      'controller[usb 0]',
    ]);
  });

  it('tell apart siblings that share a name, by their naming attribute, then by order', () => {
    expect(keys('<cpu><feature name="a"/><feature name="b"/></cpu>')).toEqual([
      'feature[name=a]',
      'feature[name=b]',
    ]);
    expect(
      keys('<devices><video><model type="none"/></video><video><model type="none"/></video></devices>'),
    ).toEqual(['video[model=none]', 'video[model=none]#2']);
    expect(
      keys('<devices><input type="tablet" bus="usb"/><input type="mouse" bus="ps2"/></devices>'),
    ).toEqual(['input[type=tablet]', 'input[type=mouse]']);
  });
});
