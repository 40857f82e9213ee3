/**
 * Small platform devices with no config of their own: the entropy source (`<rng>`), panic
 * notifiers (`<panic>`) and the watchdog (`<watchdog>`), children in virDomain*DefFormat order.
 */
import { attr, child, int, shape, text, type Infer } from '../schema.js';
import { Alias, DomainAddress } from './common.js';
import { chardevSource } from './chardev.js';

/**
 * `<rng model='virtio'>`: `<rate>` limits the guest to `bytes` per `period` ms; the backend is
 * `random` (a host device path as text), `builtin`, or `egd` (a chardev source and protocol).
 */
export const DomainRNG = shape({
  model: attr(),
  rate: child(shape({ bytes: attr(int), period: attr(int) })),
  backend: child(shape({ model: attr(), type: attr(), ...chardevSource, path: text() })),
  alias: child(Alias),
  address: child(DomainAddress),
});
export type DomainRNG = Infer<typeof DomainRNG>;

/** `<panic model='isa|pvpanic|hyperv|…'>`: how the guest reports a crash to the host. */
export const DomainPanic = shape({
  model: attr(),
  alias: child(Alias),
  address: child(DomainAddress),
});
export type DomainPanic = Infer<typeof DomainPanic>;

/** `<watchdog model action>`; libvirt 9.0 takes one per domain. */
export const DomainWatchdog = shape({
  model: attr(),
  action: attr(),
  alias: child(Alias),
  address: child(DomainAddress),
});
export type DomainWatchdog = Infer<typeof DomainWatchdog>;
