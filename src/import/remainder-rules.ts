/**
 * What a remainder template cannot carry next to what a config generates, because libvirt would
 * refuse the domain they make together (seen on libvirt 9.0). Each rule turns a kept part into a
 * reported loss (remainder.ts): a config that does not define is worse than one that says what it
 * does not give back.
 */
import { childElements, type XmlElement } from '../domain/xml-node.js';
import { isQ35 } from './map/pci.js';

type JoinRule = (name: string, g: XmlElement) => boolean;

const PORT_ATTRS = ['autoport', 'port', 'listen', 'websocket', 'tlsPort'];

/** Attributes that cannot join those the config gives an element of this tag. */
const CANNOT_JOIN: Readonly<Record<string, readonly JoinRule[]>> = {
  graphics: [
    // A display listens on a UNIX socket or on a port: the schema refuses both.
    (name, g) => name === 'socket' && PORT_ATTRS.some((a) => g.attrs[a] !== undefined),
    (name, g) => PORT_ATTRS.includes(name) && g.attrs.socket !== undefined,
    // Under autoport='yes' libvirt picks the port itself: a kept port would be ignored.
    (name, g) => (name === 'port' || name === 'tlsPort') && g.attrs.autoport === 'yes',
  ],
};

const child = (el: XmlElement | undefined, name: string): XmlElement | undefined =>
  el && childElements(el).find((c) => c.name === name);

/** The generated domain's machine is q35: no IDE there ("IDE controllers are unsupported"). */
function generatesQ35(generated: XmlElement): boolean {
  return isQ35(child(child(generated, 'os'), 'type')?.attrs.machine);
}

/** True when `el`, kept whole, would make the generated domain undefinable. */
export function cannotAdd(el: XmlElement, generated: XmlElement): boolean {
  if (!generatesQ35(generated)) return false;
  if (el.name === 'controller') return el.attrs.type === 'ide';
  if (el.name === 'disk') return child(el, 'target')?.attrs.bus === 'ide';
  return false;
}

/** True when attribute `name` cannot join those the config gives the element `g`. */
export function cannotJoin(name: string, g: XmlElement): boolean {
  return (CANNOT_JOIN[g.name] ?? []).some((rule) => rule(name, g));
}

/**
 * True when the child `c` of an imported element `a` cannot join the config's `g`: a disk the
 * config puts on another bus (IDE on q35 goes to SATA) or names otherwise leaves its drive
 * `<address>` behind, which libvirt refuses there ("bus must be 0 for sata controller") or which
 * no longer matches the name libvirt places a disk by. Where bus and name stay, the address is
 * kept: it is the one libvirt derives from the name.
 */
export function cannotKeepChild(c: XmlElement, a: XmlElement, g: XmlElement): boolean {
  if (a.name !== 'disk' || c.name !== 'address') return false;
  const [was, is] = [child(a, 'target')?.attrs, child(g, 'target')?.attrs];
  return was?.bus !== is?.bus || was?.dev !== is?.dev;
}
