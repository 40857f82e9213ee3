/**
 * PCI addresses: parsing user spellings and writing libvirt's.
 */

export interface PciAddress {
  domain: number;
  bus: number;
  slot: number;
  function: number;
}

const PCI_RE = /^(?:([0-9a-f]{1,4}):)?([0-9a-f]{1,2}):([0-9a-f]{1,2})\.([0-7])$/i;

/** Parses `[DDDD:]BB:SS.F` (hex, as lspci prints it); undefined when it is not one. */
export function parsePciAddress(text: string): PciAddress | undefined {
  const m = PCI_RE.exec(text.trim());
  if (!m) return undefined;
  const slot = parseInt(m[3] as string, 16);
  if (slot > 0x1f) return undefined;
  return {
    domain: m[1] ? parseInt(m[1], 16) : 0,
    bus: parseInt(m[2] as string, 16),
    slot,
    function: parseInt(m[4] as string, 10),
  };
}

const hex = (n: number, width: number): string => n.toString(16).padStart(width, '0');

/** `0000:02:00.0`: the sysfs directory name and libvirt's `host=` spelling. */
export function formatPciAddress(a: PciAddress): string {
  return `${hex(a.domain, 4)}:${hex(a.bus, 2)}:${hex(a.slot, 2)}.${a.function}`;
}

/** The attributes of a libvirt `<address>` element for a PCI address. */
export function pciAddressAttrs(a: PciAddress): {
  domain: string;
  bus: string;
  slot: string;
  function: string;
} {
  return {
    domain: '0x' + hex(a.domain, 4),
    bus: '0x' + hex(a.bus, 2),
    slot: '0x' + hex(a.slot, 2),
    function: '0x' + a.function.toString(16),
  };
}
