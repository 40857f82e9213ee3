/**
 * domain -> config for the clock, its timers, `<pm>` and `<on_reboot>` (the reverse of
 * src/generate/features.ts's clock and lifecycle, validated by config/fields/clock-power.ts).
 * A timer or power state the domain does not name is left to the config's default, as the
 * comparison of facts does: only what the domain says is carried.
 */
import { DEFAULTS } from '../../config/defaults.js';
import { PIT_TICK_POLICIES, REBOOT_ACTIONS, isOneOf } from '../../config/vocabulary.js';
import type { Domain } from '../../domain/model.js';
import type { ClockConfig, SuspendConfig, VmConfig } from '../../config/types.js';

/** `'utc'`, or `{ offset, pit, hpet }` when a timer differs from the config's. */
export function clockConfig(domain: Domain, notes: string[]): NonNullable<VmConfig['clock']> {
  const offset = domain.clock?.offset === 'localtime' ? 'localtime' : 'utc';
  const timer = (name: string) => domain.clock?.timer?.find((t) => t.name === name);
  const timers: ClockConfig = {};
  const pit = timer('pit')?.tickpolicy;
  if (isOneOf(PIT_TICK_POLICIES, pit)) {
    if (pit !== DEFAULTS.clock.pit) timers.pit = pit;
  } else if (pit !== undefined) notes.push(`<timer name='pit' tickpolicy='${pit}'>`);
  const hpet = timer('hpet')?.present;
  if (hpet !== undefined && hpet !== DEFAULTS.clock.hpet) timers.hpet = hpet;
  return Object.keys(timers).length ? { offset, ...timers } : offset;
}

/** `<pm>`'s S3/S4 that the domain turns on (the config's default is both off). */
export function suspendConfig(domain: Domain): SuspendConfig | undefined {
  const pm = domain.pm;
  const on: SuspendConfig = {
    ...(pm?.['suspend-to-mem']?.enabled === true ? { s3: true } : {}),
    ...(pm?.['suspend-to-disk']?.enabled === true ? { s4: true } : {}),
  };
  return Object.keys(on).length ? on : undefined;
}

/** `<on_reboot>destroy</on_reboot>` (QEMU's `-no-reboot`); libvirt's other actions are noted. */
export function onReboot(domain: Domain, notes: string[]): VmConfig['onReboot'] {
  const action = domain.on_reboot?.value;
  if (action === undefined || action === DEFAULTS.onReboot) return undefined;
  if (isOneOf(REBOOT_ACTIONS, action)) return action;
  notes.push(`<on_reboot>${action}</on_reboot>`);
  return undefined;
}
