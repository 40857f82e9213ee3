/**
 * Values libvirt makes up when the XML leaves them out, and makes up anew at every define:
 * - each `<interface>`'s MAC address: a new one is a new NIC to the guest (new DHCP lease; Windows
 *   sets up a new network);
 * - an empty `<genid/>`: a new VM generation ID tells the guest it was restored from a snapshot.
 * Like the UUID, they are carried over from the domain already defined, so that re-defining the
 * same config gives the same VM. (Seen on libvirt 9.0: both change at every `virsh define`.)
 */
import type { XmlElement } from '../domain/index.js';
import { insertAfterLeading } from './stamp.js';

function elements(el: XmlElement | undefined, name: string): XmlElement[] {
  return (el?.children ?? []).filter((c): c is XmlElement => typeof c !== 'string' && c.name === name);
}

function isEmpty(el: XmlElement): boolean {
  return el.children.every((c) => typeof c === 'string' && c.trim() === '');
}

/** `planned`, with the MACs and generation ID it leaves to libvirt taken from `defined`. */
export function keepMadeUp(planned: XmlElement, defined: XmlElement): XmlElement {
  const children = planned.children.map((c) => {
    if (typeof c === 'string') return c;
    if (c.name === 'devices') return keepMacs(c, elements(defined, 'devices')[0]);
    if (c.name === 'genid' && isEmpty(c)) return elements(defined, 'genid')[0] ?? c;
    return c;
  });
  return { ...planned, children };
}

/**
 * Interfaces are paired by position: the n-th interface of the config takes the MAC of the n-th
 * defined one, unless the config spells that MAC out for another interface.
 */
function keepMacs(devices: XmlElement, definedDevices: XmlElement | undefined): XmlElement {
  const definedMacs = elements(definedDevices, 'interface').map((i) => elements(i, 'mac')[0]);
  const taken = new Set(
    elements(devices, 'interface').flatMap((i) =>
      elements(i, 'mac').map((m) => m.attrs.address?.toLowerCase()),
    ),
  );
  let n = 0;
  const children = devices.children.map((c) => {
    if (typeof c === 'string' || c.name !== 'interface') return c;
    const mac = definedMacs[n++];
    const address = mac?.attrs.address?.toLowerCase();
    if (!mac || !address || elements(c, 'mac').length > 0 || taken.has(address)) return c;
    taken.add(address);
    return { ...c, children: [{ name: 'mac', attrs: { address }, children: [] }, ...c.children] };
  });
  return { ...devices, children };
}

/** The domain with `<uuid>` after `<name>`, unless it has one. */
export function withUuid(domain: XmlElement, uuid: string): XmlElement {
  if (elements(domain, 'uuid').length > 0) return domain;
  const el: XmlElement = { name: 'uuid', attrs: {}, children: [uuid] };
  return { ...domain, children: insertAfterLeading(domain.children, new Set(['name']), el) };
}
