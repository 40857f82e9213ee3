/**
 * Which element of a list is which: the identity of a domain XML element among its siblings.
 *
 * Two uses need the same answer, so it lives here once: a config's template is overlaid device by
 * device (generate/template.ts: the generated `<interface>` with MAC X replaces the template's
 * interface with MAC X, not whichever came first), and an imported domain is compared with the one
 * its config generates fact by fact (import/remainder.ts, test/support/domain-facts.ts), where two
 * NICs' facts must not mix and the order of the devices does not matter.
 *
 * An element is named by its tag, the identifying attributes it has (`type`, `device`, `model`,
 * `name`, `bus`, `dev`, `index`, `id`… never values such as a port or a size; a controller by its
 * type and index alone) and, for the devices told apart by a child, that child's value (an
 * interface's MAC, a disk's image, a hostdev's source address). Siblings that still look alike
 * are numbered in document order (`qemu:arg#2`): for them, and only for them, order is identity.
 */
import { childElements, type XmlElement } from './xml-node.js';

/** Attributes that say which element this is rather than how it is set up. */
export const IDENTITY_ATTRS: readonly string[] = [
  'type',
  'device',
  'model',
  'name',
  'bus',
  'dev',
  'index',
  'id',
];

/**
 * Elements named otherwise than by the list above. A controller is its type and index (the bus
 * number devices refer to; libvirt numbers a missing index 0), its model a property. A pin is its
 * vCPU, iothread or cell. A TPM is the one TPM, a balloon the one balloon. The single children that describe a device
 * (`<driver>`, `<target>`, `<source>`, `<model>`, `<address>` but for its type) are property
 * bags: their attributes are values, so that a raw image read as qcow2 is one lost fact, not a
 * lost driver.
 */
const IDENTITY_BY_TAG: Readonly<
  Record<string, { attrs: readonly string[]; defaults?: Record<string, string> }>
> = {
  controller: { attrs: ['type', 'index'], defaults: { index: '0' } },
  // libvirt takes one TPM (but a proxy) and one balloon: their model is a property, not a second device.
  tpm: { attrs: [] },
  memballoon: { attrs: [] },
  iothreadpin: { attrs: ['iothread'] },
  vcpupin: { attrs: ['vcpu'] },
  vcpusched: { attrs: ['vcpus'] },
  memnode: { attrs: ['cellid'] },
  driver: { attrs: [] },
  target: { attrs: [] },
  source: { attrs: [] },
  model: { attrs: [] },
  address: { attrs: ['type'] },
};

/** The attributes that identify an element of this tag. */
export function identityAttrs(tag: string): readonly string[] {
  return IDENTITY_BY_TAG[tag]?.attrs ?? IDENTITY_ATTRS;
}

/**
 * Children whose attributes identify their parent (`tag: [['child/attr', …], …]`): the first
 * group with a value is the identity. A disk is what it holds (its image, its block device, its
 * volume), where the guest sees it (`target dev`) being a property the config may place
 * otherwise; an empty CD-ROM drive is its target.
 */
export const IDENTITY_CHILDREN: Readonly<Record<string, ReadonlyArray<readonly string[]>>> = {
  interface: [['mac/address']],
  disk: [['source/file', 'source/dev', 'source/name', 'source/volume', 'source/dir'], ['target/dev']],
  hostdev: [
    [
      'source/address/domain',
      'source/address/bus',
      'source/address/slot',
      'source/address/function',
      'source/address/device',
      'source/address/uuid',
      'source/vendor/id',
      'source/product/id',
    ],
  ],
  serial: [['target/port']],
  parallel: [['target/port']],
  console: [['target/port']],
  channel: [['target/name']],
  input: [['source/dev']],
};

/** The identifying children of an element, as `[spec, value]` pairs (IDENTITY_CHILDREN). */
export function identityChildren(el: XmlElement): Array<[string, string]> {
  for (const group of IDENTITY_CHILDREN[el.name] ?? []) {
    const found = group.flatMap((spec): Array<[string, string]> => {
      const value = childValue(el, spec);
      return value === undefined ? [] : [[spec, value]];
    });
    if (found.length) return found;
  }
  return [];
}

function childValue(el: XmlElement, spec: string): string | undefined {
  const steps = spec.split('/');
  const attr = steps.pop() as string;
  let at: XmlElement | undefined = el;
  for (const step of steps) at = at && childElements(at).find((c) => c.name === step);
  return at?.attrs[attr];
}

/** The key of an element by its tag and identifying attributes alone: `interface[type=bridge]`. */
export function attrKey(el: XmlElement): string {
  const defaults = IDENTITY_BY_TAG[el.name]?.defaults ?? {};
  const parts = identityAttrs(el.name).flatMap((a) => {
    const value = el.attrs[a] ?? defaults[a];
    return value === undefined ? [] : [`[${a}=${value}]`];
  });
  return el.name + parts.join('');
}

/** The key of one element without its ordinal: `interface[type=bridge][mac/address=52:54:…]`. */
export function elementKey(el: XmlElement): string {
  const parts = identityChildren(el).map(([spec, value]) => `[${spec}=${value.toLowerCase()}]`);
  return attrKey(el) + parts.join('');
}

/**
 * True for an element that leaves to libvirt the child that would identify it: an interface
 * without a MAC (libvirt makes one up at define).
 */
export function unidentified(el: XmlElement): boolean {
  return (IDENTITY_CHILDREN[el.name]?.length ?? 0) > 0 && identityChildren(el).length === 0;
}

/** The keys of a list of siblings, in their order: the second of two look-alikes gets `#2`. */
export function siblingKeys(elements: readonly XmlElement[]): string[] {
  const seen = new Map<string, number>();
  return elements.map((el) => {
    const key = elementKey(el);
    const n = (seen.get(key) ?? 0) + 1;
    seen.set(key, n);
    return n === 1 ? key : `${key}#${n}`;
  });
}
