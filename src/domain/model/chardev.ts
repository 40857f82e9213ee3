/**
 * Character devices: `<serial>`, `<parallel>`, `<console>`, `<channel>` and `<redirdev>` share
 * libvirt's chardev source (virDomainChrSourceDefFormat): one or two `<source>` (UDP has a bind and
 * a connect end), `<protocol>` for TCP, `<log>`; then the device's own `<target>`. Written here
 * once, as libvirt does.
 */
import { attr, child, int, list, onOff, shape, type Infer, type Shape } from '../schema.js';
import { Alias, BootOrder, DomainAddress } from './common.js';

/** `<source>` of a chardev: a path (file, pipe, dev, unix socket) or a host and service (TCP, UDP). */
export const ChardevSource = shape({
  mode: attr(),
  path: attr(),
  host: attr(),
  service: attr(),
  append: attr(onOff),
  tls: attr(),
});
export type ChardevSource = Infer<typeof ChardevSource>;

/**
 * The children every chardev writes first, in libvirt's order: spread into each device's shape
 * (and into the RNG's `egd` backend, a chardev without a target).
 */
export const chardevSource = {
  source: list(ChardevSource),
  protocol: child(shape({ type: attr() })),
  log: child(shape({ file: attr(), append: attr(onOff) })),
};

/** A chardev-backed device: `type` and the shared source, then `target`, alias and address. */
function chardev<T extends Shape>(target: T) {
  return shape({
    type: attr(),
    ...chardevSource,
    target: child(target),
    alias: child(Alias),
    address: child(DomainAddress),
  });
}

export const DomainSerial = chardev(
  shape({ type: attr(), port: attr(int), model: child(shape({ name: attr() })) }),
);
export type DomainSerial = Infer<typeof DomainSerial>;

export const DomainParallel = chardev(shape({ port: attr(int) }));
export type DomainParallel = Infer<typeof DomainParallel>;

/** A console: libvirt adds one for the first serial port itself (`<target type='serial'>`). */
export const DomainConsole = chardev(shape({ type: attr(), port: attr(int) }));
export type DomainConsole = Infer<typeof DomainConsole>;

/**
 * A channel: virtio-serial (guest agent, SPICE agent) or a guestfwd to a host address. (`state` of
 * a target is live-only: libvirt drops it from definitions; `$extra` keeps it if present.)
 */
export const DomainChannel = chardev(shape({ type: attr(), name: attr(), address: attr(), port: attr(int) }));
export type DomainChannel = Infer<typeof DomainChannel>;

/** USB redirection over a chardev (`usb-redir`): SPICE's channel or a TCP usbredir server. */
export const DomainRedirdev = shape({
  bus: attr(),
  type: attr(),
  ...chardevSource,
  boot: child(BootOrder),
  alias: child(Alias),
  address: child(DomainAddress),
});
export type DomainRedirdev = Infer<typeof DomainRedirdev>;

/** What every chardev-backed device has: its backend `type` and where that backend goes. */
export const DomainChardev = shape({ type: attr(), ...chardevSource });
export type DomainChardev = Infer<typeof DomainChardev>;
