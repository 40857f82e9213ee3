/**
 * The machine-level parts of a config arbitrary (config-arbitrary.ts draws whole configs): the CPU,
 * Hyper-V, SMBIOS, and the tuning fields (emulator, clock timers, suspend, onReboot).
 */
import fc from 'fast-check';
import {
  CLOCK_OFFSETS,
  CPU_MODES,
  FEATURE_POLICIES,
  HYPERV_FEATURES,
  PIT_TICK_POLICIES,
  REBOOT_ACTIONS,
} from '../../src/config/vocabulary.js';
import { maybe, mostly, oddText, type Arb } from './arbitrary-basics.js';

const cpuset: Arb<string> = fc
  .tuple(fc.nat(31), fc.nat(8), fc.boolean())
  .map(([from, span, exclude]) =>
    exclude && span > 0 ? `${from}-${from + span},^${from}` : span ? `${from}-${from + span}` : `${from}`,
  );

export function cpuArb(wild: boolean) {
  return fc
    .record({
      sockets: maybe(fc.integer({ min: 1, max: 2 })),
      cores: mostly(wild, fc.integer({ min: 1, max: 8 }), fc.constantFrom(0, 145, 600)),
      threads: maybe(fc.integer({ min: 1, max: 2 })),
      mode: maybe(fc.constantFrom(...CPU_MODES)),
      migratable: maybe(fc.boolean()),
      strayMigratable: fc.integer({ min: 0, max: 7 }),
      cachePassthrough: maybe(fc.boolean()),
      features: maybe(
        fc.dictionary(
          mostly(
            wild,
            fc.constantFrom('topoext', 'invtsc', 'x2apic', 'pdpe1gb', 'hypervisor'),
            fc.constantFrom('', 'a b', 'x,y'),
          ),
          fc.constantFrom(...FEATURE_POLICIES),
          { maxKeys: 3 },
        ),
      ),
      pinned: fc.boolean(),
      pins: fc.array(fc.oneof(fc.nat(31), cpuset), { minLength: 1, maxLength: 32 }),
      emulatorPin: maybe(mostly(wild, cpuset, fc.constantFrom('7-3', '', 'x', '0,^0', '99999'))),
      cpuset: maybe(mostly(wild, cpuset, fc.constantFrom('3-1', 'all'))),
      model: mostly(
        wild,
        fc.constantFrom('Haswell-noTSX', 'Skylake-Client', 'EPYC-Rome', 'qemu64'),
        fc.constantFrom('', 'a,b', 'x y'),
      ),
      iothreadPin: maybe(cpuset),
    })
    .map(({ pinned, pins, model, migratable, strayMigratable, ...cpu }) => {
      const vcpus = (cpu.sockets ?? 1) * (Number(cpu.cores) || 1) * (cpu.threads ?? 1);
      // One pin per vCPU, as the field requires (a wrong count is a refusal tested elsewhere).
      const pin = pinned && vcpus <= pins.length ? pins.slice(0, vcpus) : undefined;
      // migratable goes with host-passthrough and maximum; with wild, one time in eight with any mode (a refusal).
      const allowed = [undefined, 'host-passthrough', 'maximum'].includes(cpu.mode);
      const migrates = allowed || (wild && strayMigratable === 0);
      return {
        ...cpu,
        ...(pin ? { pin } : {}),
        // A named model goes with mode 'custom' (either alone is a refusal tested elsewhere).
        ...(cpu.mode === 'custom' ? { model } : {}),
        ...(migrates && migratable !== undefined ? { migratable } : {}),
      };
    });
}

export function hypervArb(wild: boolean) {
  return fc.oneof(
    fc.constant(false as const),
    fc.constant('passthrough' as const),
    fc.record({
      features: maybe(fc.oneof(fc.constant('recommended'), fc.subarray([...HYPERV_FEATURES]))),
      spinlocks: maybe(fc.integer({ min: 4095, max: 0xffff })),
      vendorId: maybe(mostly(wild, fc.stringMatching(/^[A-Za-z0-9]{1,12}$/), oddText)),
    }),
  );
}

export function smbiosArb(wild: boolean) {
  const text = mostly(wild, fc.stringMatching(/^[A-Za-z0-9][A-Za-z0-9 ._-]{0,15}$/), oddText);
  const tables = fc.record(
    {
      bios: fc.record(
        {
          vendor: text,
          version: text,
          date: mostly(
            wild,
            fc.constantFrom('01/02/2020', '12/31/99'),
            fc.constantFrom('2020-01-02', '13/01/2020'),
          ),
          release: mostly(wild, fc.constantFrom('1.0', '2.17'), fc.constantFrom('1', '1.256')),
        },
        { requiredKeys: [] },
      ),
      system: fc.record(
        { manufacturer: text, product: text, version: text, serial: text, sku: text, family: text },
        { requiredKeys: [] },
      ),
      baseBoard: fc.record(
        { manufacturer: text, product: text, serial: text, asset: text, location: text },
        { requiredKeys: [] },
      ),
      chassis: fc.record({ manufacturer: text, serial: text, asset: text, sku: text }, { requiredKeys: [] }),
    },
    { requiredKeys: [] },
  );
  return fc.oneof(fc.constant('host' as const), tables);
}

/** `emulator` (binaries this host has: libvirt checks at define; the others are refusals), `clock`, `suspend`, `onReboot`. */
export function tuningArb(wild: boolean) {
  return {
    emulator: maybe(
      mostly(
        wild,
        fc.constantFrom('/usr/bin/qemu-system-x86_64', '/usr/bin/qemu-system-i386', '/usr/bin/kvm'),
        fc.constantFrom('/usr/bin/qemu-system-aarch64', 'qemu-system-x86_64'),
      ),
    ),
    clock: maybe(
      fc.oneof(
        fc.constantFrom(...CLOCK_OFFSETS),
        fc.record(
          {
            offset: fc.constantFrom(...CLOCK_OFFSETS),
            pit: mostly(wild, fc.constantFrom(...PIT_TICK_POLICIES), fc.constantFrom('merge', 'slew')),
            hpet: fc.boolean(),
          },
          { requiredKeys: [] },
        ),
      ),
    ),
    suspend: maybe(fc.record({ s3: fc.boolean(), s4: fc.boolean() }, { requiredKeys: [] })),
    onReboot: maybe(fc.constantFrom(...REBOOT_ACTIONS)),
  };
}

/** Without wild values, a 32-bit guest has neither a migratable host-passthrough CPU nor Secure Boot (refusals, tested in tuning-fields). */
export function i386Guest(c: Record<string, unknown>): Record<string, unknown> {
  if (c.emulator !== '/usr/bin/qemu-system-i386') return c;
  const cpu = c.cpu as { mode?: string; migratable?: boolean };
  const passthrough = cpu.mode === undefined || cpu.mode === 'host-passthrough';
  return {
    ...c,
    secureBoot: undefined,
    cpu: passthrough && cpu.migratable === true ? { ...cpu, migratable: false } : cpu,
  };
}
