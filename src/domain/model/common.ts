/**
 * Small shapes many elements share: on/off states, sizes with a unit, `<address>`, `<alias>`,
 * `<boot order>`. One place for each, so an attribute libvirt adds is added once.
 */
import { attr, onOff, shape, text, int, yesNo, type Infer } from '../schema.js';

/** Any `<x state='on|off'/>`. */
export const FeatureState = shape({ state: attr(onOff) });
export const Empty = shape({});
/** `<x enabled='yes|no'/>`, as in `<pm>`. */
export const Enabled = shape({ enabled: attr(yesNo) });
/** A number with a unit, such as `<memory unit='KiB'>4096000</memory>`. */
export const Sized = shape({ unit: attr(), value: text(int) });
/** An element whose whole content is its text, such as `<name>`. */
export const Text = shape({ value: text() });

/** `<address>` of any type; values are kept as libvirt spells them (see domain/address.ts). */
export const DomainAddress = shape({
  type: attr(),
  domain: attr(),
  bus: attr(),
  slot: attr(),
  function: attr(),
  multifunction: attr(onOff),
  controller: attr(),
  target: attr(),
  unit: attr(),
  port: attr(),
  /** A USB device's number on its host bus (`<hostdev type='usb'><source><address bus device>`). */
  device: attr(),
  /** An ISA device's I/O port and IRQ (`<panic model='isa'>`). */
  iobase: attr(),
  irq: attr(),
  /** An mdev's UUID (`<hostdev type='mdev'>`). */
  uuid: attr(),
});
export type DomainAddress = Infer<typeof DomainAddress>;

export const Alias = shape({ name: attr() });
export const BootOrder = shape({ order: attr(int) });
