/**
 * Validation and defaults of the guest's clock, timers and power states (`clock`, `suspend`,
 * `onReboot`): fields a command line or Proxmox sets otherwise than virt-gen's best practice, so
 * that an imported VM keeps its own (generate/features.ts writes them, to-config/clock-power.ts reads them back).
 */
import type { ResolvedVm } from '../resolved.js';
import { Issues, describe, isRecord, type Obj } from '../issues.js';
import { DEFAULTS } from '../defaults.js';
import { CLOCK_OFFSETS, PIT_TICK_POLICIES, REBOOT_ACTIONS, isOneOf } from '../vocabulary.js';

/** `clock: 'utc'` or `clock: { offset, pit, hpet }`. */
export function resolveClock(issues: Issues, value: unknown): ResolvedVm['clock'] {
  const d = { ...DEFAULTS.clock };
  if (value === undefined) return d;
  if (!isRecord(value)) {
    const offset = typeof value === 'string' ? value : undefined;
    if (isOneOf(CLOCK_OFFSETS, offset)) return { ...d, offset };
    issues.add(
      'clock',
      `${describe(value)} is not one of ${CLOCK_OFFSETS.map((o) => `"${o}"`).join(', ')} or { offset, pit, hpet }`,
    );
    return d;
  }
  const c = value as Obj;
  issues.unknownKeys('clock', c, ['offset', 'pit', 'hpet']);
  return {
    offset: issues.oneOf('clock.offset', c.offset, CLOCK_OFFSETS) ?? d.offset,
    pit: issues.oneOf('clock.pit', c.pit, PIT_TICK_POLICIES) ?? d.pit,
    hpet: issues.boolean('clock.hpet', c.hpet) ?? d.hpet,
  };
}

/** `suspend: { s3, s4 }`: the guest's S3 and S4 states. */
export function resolveSuspend(issues: Issues, value: unknown): ResolvedVm['suspend'] {
  const d = DEFAULTS.suspend;
  if (!issues.object('suspend', value)) return { ...d };
  const s = value as Obj;
  issues.unknownKeys('suspend', s, ['s3', 's4']);
  return {
    s3: issues.boolean('suspend.s3', s.s3) ?? d.s3,
    s4: issues.boolean('suspend.s4', s.s4) ?? d.s4,
  };
}

export function resolveOnReboot(issues: Issues, value: unknown): ResolvedVm['onReboot'] {
  return issues.oneOf('onReboot', value, REBOOT_ACTIONS) ?? DEFAULTS.onReboot;
}
