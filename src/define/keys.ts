/**
 * Which child of one domain document is "the same" as a child of another: the merge matches
 * elements by identity, not position. virt-manager appends a device, libvirt reorders controllers,
 * and virt-gen's XML has fewer devices than libvirt's copy of it: a position means nothing there.
 *
 * Devices are known by what the guest or the host knows them by: a host device by its PCI address
 * or USB vendor:product, a disk by its target, a NIC by its MAC, a controller by type and index,
 * anything with a user alias by the alias. Other elements by the attribute that names them among
 * their siblings (`<feature name>`, `<vcpupin vcpu>`, ...), plus an ordinal among those that share
 * it. Both sides (virt-gen's XML and libvirt's) must give the same key: values are normalised
 * (integers parsed, hex and case ignored).
 */
import type { XmlElement } from '../domain/index.js';

function child(el: XmlElement, name: string): XmlElement | undefined {
  return el.children.find((c): c is XmlElement => typeof c !== 'string' && c.name === name);
}

/** "0x02", "2", "02" -> "2"; anything else unchanged (lower case). */
function num(v: string | undefined): string {
  if (v === undefined) return '';
  const n = /^0x[0-9a-f]+$/i.test(v) ? parseInt(v, 16) : /^\d+$/.test(v) ? parseInt(v, 10) : NaN;
  return Number.isNaN(n) ? v.toLowerCase() : String(n);
}

function hostdevKey(el: XmlElement): string | undefined {
  const source = child(el, 'source');
  if (!source) return undefined;
  const a = child(source, 'address');
  if (el.attrs.type === 'pci' && a) {
    return `pci ${['domain', 'bus', 'slot', 'function'].map((k) => num(a.attrs[k])).join(':')}`;
  }
  const [vendor, product] = [child(source, 'vendor'), child(source, 'product')];
  if (vendor || product) return `usb ${num(vendor?.attrs.id)}:${num(product?.attrs.id)}`;
  if (a) return `${el.attrs.type ?? ''} ${num(a.attrs.bus)}:${num(a.attrs.device)}`;
  return undefined;
}

/** The identity of a device, or undefined when it has none of its own. */
function deviceIdentity(el: XmlElement): string | undefined {
  const alias = child(el, 'alias')?.attrs.name;
  if (alias?.startsWith('ua-')) return `alias=${alias}`;
  switch (el.name) {
    case 'hostdev':
      return hostdevKey(el);
    case 'disk': {
      const dev = child(el, 'target')?.attrs.dev;
      return dev === undefined ? undefined : `target=${dev}`;
    }
    case 'interface': {
      const mac = child(el, 'mac')?.attrs.address;
      return mac === undefined ? undefined : `mac=${mac.toLowerCase()}`;
    }
    case 'controller':
      return `${el.attrs.type ?? ''} ${num(el.attrs.index ?? '0')}`;
    case 'channel':
    case 'redirdev':
      return [el.attrs.type, child(el, 'target')?.attrs.name].filter(Boolean).join(' ') || undefined;
    default:
      return undefined;
  }
}

// Attributes that name an element among its siblings, most telling first.
const NAMING = ['name', 'id', 'vcpu', 'iothread', 'dev', 'type', 'model', 'bus'];

function signature(el: XmlElement, inDevices: boolean): string {
  const own = inDevices ? deviceIdentity(el) : undefined;
  if (own !== undefined) return `${el.name}[${own}]`;
  const named = NAMING.find((k) => el.attrs[k] !== undefined);
  const model = inDevices ? child(el, 'model')?.attrs.type : undefined;
  const parts = [named ? `${named}=${num(el.attrs[named])}` : '', model ? `model=${model}` : ''];
  const pred = parts.filter((p) => p !== '').join(',');
  return pred === '' ? el.name : `${el.name}[${pred}]`;
}

/**
 * The key of each child element of `parent`, in order: its signature, and `#n` when several
 * siblings share it (the n-th of them, from 1).
 */
export function childKeys(parent: XmlElement): { key: string; el: XmlElement }[] {
  const inDevices = parent.name === 'devices';
  const seen = new Map<string, number>();
  return parent.children
    .filter((c): c is XmlElement => typeof c !== 'string')
    .map((el) => {
      const sig = signature(el, inDevices);
      const n = (seen.get(sig) ?? 0) + 1;
      seen.set(sig, n);
      return { key: n === 1 ? sig : `${sig}#${n}`, el };
    });
}

/** The child of `parent` with `key`, if any. */
export function childByKey(parent: XmlElement, key: string): XmlElement | undefined {
  return childKeys(parent).find((k) => k.key === key)?.el;
}
