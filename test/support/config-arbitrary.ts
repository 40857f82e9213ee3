/**
 * fast-check arbitraries for whole configs: every field of VmConfig, drawn mostly from values a user
 * would write and, with `wild`, now and then from values the validator must refuse (control
 * characters, duplicates, numbers out of range, odd names). Host paths and devices need not exist:
 * libvirt checks them when the VM starts, not when it is defined.
 */
import fc from 'fast-check';
import {
  AUDIO_TYPES,
  CLOCK_OFFSETS,
  CPU_MODES,
  DISPLAYS,
  FEATURE_POLICIES,
  GRAB_TOGGLES,
  HYPERV_FEATURES,
  NIC_MODELS,
  PIT_TICK_POLICIES,
  REBOOT_ACTIONS,
  ROOT_PORT_MODELS,
  SOUND_MODELS,
  USB_CONTROLLERS,
  TPM_MODELS,
  TPM_VERSIONS,
  VIDEO_MODELS,
} from '../../src/config/vocabulary.js';
import { absPath, maybe, mostly, oddText, type Arb } from './arbitrary-helpers.js';
import { bootArb, bootKinds, diskArb, uniqueTargets } from './storage-arbitrary.js';

const cpuset: Arb<string> = fc
  .tuple(fc.nat(31), fc.nat(8), fc.boolean())
  .map(([from, span, exclude]) =>
    exclude && span > 0 ? `${from}-${from + span},^${from}` : span ? `${from}-${from + span}` : `${from}`,
  );

function cpuArb(wild: boolean) {
  return fc
    .record({
      sockets: maybe(fc.integer({ min: 1, max: 2 })),
      cores: mostly(wild, fc.integer({ min: 1, max: 8 }), fc.constantFrom(0, 145, 600)),
      threads: maybe(fc.integer({ min: 1, max: 2 })),
      mode: maybe(fc.constantFrom(...CPU_MODES)),
      migratable: maybe(fc.boolean()),
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
    .map(({ pinned, pins, model, migratable, ...cpu }) => {
      const vcpus = (cpu.sockets ?? 1) * (Number(cpu.cores) || 1) * (cpu.threads ?? 1);
      // One pin per vCPU, as the field requires (a wrong count is a refusal tested elsewhere).
      const pin = pinned && vcpus <= pins.length ? pins.slice(0, vcpus) : undefined;
      // migratable goes with host-passthrough and maximum; with wild, with any mode (a refusal).
      const migrates = wild || [undefined, 'host-passthrough', 'maximum'].includes(cpu.mode);
      return {
        ...cpu,
        ...(pin ? { pin } : {}),
        // A named model goes with mode 'custom' (either alone is a refusal tested elsewhere).
        ...(cpu.mode === 'custom' ? { model } : {}),
        ...(migrates && migratable !== undefined ? { migratable } : {}),
      };
    });
}

function hypervArb(wild: boolean) {
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

const pciPool = ['0a:00.0', '0b:00.0', '0c:00.0', '0a:00.1', '0000:0d:00.0'];

function gpuArb(wild: boolean) {
  const rootPort = fc.record({
    model: maybe(fc.constantFrom(...ROOT_PORT_MODELS)),
    slot: maybe(mostly(wild, fc.integer({ min: 2, max: 0x1e }), fc.constantFrom(0, 0x1f))),
    chassis: maybe(fc.integer({ min: 1, max: 255 })),
    port: maybe(fc.integer({ min: 0, max: 255 })),
    multifunction: maybe(fc.boolean()),
  });
  return fc.record({
    host: fc.constantFrom('0a:00.0', '0b:00.0'),
    functions: maybe(fc.constantFrom([0], [0, 1], [0, 1, 2])),
    rom: maybe(absPath('/usr/share/vgabios', '.rom')),
    rootPort: maybe(rootPort),
    // i440fx's root bus slot: onMachine keeps it there and drops it on q35.
    slot: maybe(mostly(wild, fc.integer({ min: 3, max: 0x1f }), fc.constantFrom(0, 2, 0x20))),
  });
}

const mac = fc
  .tuple(fc.integer({ min: 0, max: 0xffffff }))
  .map(
    ([n]) => `52:54:00:${[16, 8, 0].map((s) => ((n >> s) & 0xff).toString(16).padStart(2, '0')).join(':')}`,
  );

function networkArb(wild: boolean) {
  const tapName = mostly(
    wild,
    fc.stringMatching(/^vmtap[0-9]{1,3}$/),
    fc.constantFrom('vnet0', 'a-very-long-tap-name', 'a b'),
  );
  const source = fc.oneof(
    fc.record({ bridge: fc.stringMatching(/^br[0-9]{1,2}$/), tap: maybe(tapName) }),
    fc.record({ network: fc.constantFrom('default', 'lan'), tap: maybe(tapName) }),
    // with wild, now and then a tap beside user, which has none
    fc.record({ user: fc.constant(true), tap: wild ? maybe(tapName) : fc.constant(undefined) }),
    fc.record({ tap: fc.oneof(tapName, fc.constant(true as const)) }),
  );
  const rest = fc.record({
    mac: maybe(mostly(wild, mac, fc.constantFrom('01:00:5e:00:00:01', '00:00:00:00:00:00', 'zz'))),
    model: maybe(fc.constantFrom(...NIC_MODELS)),
    queues: maybe(fc.integer({ min: 1, max: 8 })),
    boot: fc.option(fc.integer({ min: 7, max: 9 }), { nil: undefined, freq: 4 }),
  });
  return fc.tuple(source, rest).map(([s, r]) => {
    // Without wild, multiqueue only on virtio (the refusal of other models is drawn with wild).
    const queues = wild || r.model === undefined || r.model === 'virtio' ? r.queues : undefined;
    const nic = { ...s, ...r, queues };
    return Object.fromEntries(Object.entries(nic).filter(([, v]) => v !== undefined));
  });
}

function displayArb(wild: boolean) {
  const object = fc.record({
    type: fc.constantFrom(...DISPLAYS),
    port: maybe(mostly(wild, fc.integer({ min: 5900, max: 5999 }), fc.constantFrom(0, 80, 70000))),
    listen: maybe(
      mostly(wild, fc.constantFrom('127.0.0.1', '0.0.0.0', '::'), fc.constantFrom('localhost', '')),
    ),
    video: maybe(fc.constantFrom(...VIDEO_MODELS)),
  });
  // Without wild, port and listen only where a server listens.
  const fitting = object.map((d) => (d.type === 'none' && !wild ? { type: d.type, video: d.video } : d));
  return fc.oneof(fc.constantFrom(...DISPLAYS), fitting);
}

const uuidLike = fc.uuid({ version: 4 });

function platformArb(wild: boolean) {
  return {
    tpm: maybe(
      fc.oneof(
        fc.boolean(),
        fc
          .record({
            model: maybe(fc.constantFrom(...TPM_MODELS)),
            version: maybe(fc.constantFrom(...TPM_VERSIONS)),
          })
          // TPM 1.2 is TIS only; a CRB 1.2 (refused) is drawn with wild.
          .map((t) => (wild || t.model === 'tis' ? t : { ...t, version: undefined })),
      ),
    ),
    rng: maybe(
      fc.oneof(
        fc.boolean(),
        fc.record({ source: maybe(fc.constantFrom('/dev/urandom', '/dev/random', '/dev/hwrng', 'builtin')) }),
      ),
    ),
    mdev: maybe(
      fc.array(
        fc.oneof(
          mostly(wild, uuidLike, fc.constantFrom('not-a-uuid', '')),
          fc.record({ uuid: uuidLike, display: maybe(fc.boolean()) }),
        ),
        { maxLength: 2 },
      ),
    ),
  };
}

/** PipeWire only with wild: libvirt 9.0, the one the integration tests define on, has no schema for it (9.10). */
function soundArb(wild: boolean) {
  const audio = fc.oneof(
    fc.record({
      type: fc.constant('pulseaudio'),
      server: maybe(absPath('/run/user/1000/pulse', '')),
      latency: maybe(fc.integer({ min: 1, max: 100_000 })),
    }),
    fc.constantFrom(...AUDIO_TYPES.filter((t) => wild || t !== 'pipewire')).map((type) => ({ type })),
  );
  return fc.oneof(
    fc.constant(false as const),
    fc.record({ model: maybe(fc.constantFrom(...SOUND_MODELS)), audio: maybe(audio) }),
  );
}

function smbiosArb(wild: boolean) {
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

/** Memory in MiB of a drawn `memory`, when it is one the validator takes. */
function memoryMiB(memory: unknown): number | undefined {
  if (typeof memory === 'number') return memory >= 16 ? memory : undefined;
  const m = typeof memory === 'string' ? /^(\d+) GiB$/.exec(memory) : null;
  return m ? Number(m[1]) * 1024 : undefined;
}

/** Hand-written NUMA cells for the drawn CPU and memory: two halves, or one cell. */
/**
 * A config kept to its machine: on q35 no IDE and no root bus slot for a GPU; on i440fx no root
 * port, no Secure Boot, and GPU slots of their own (gpu[i] defaults to 0x10 + i). Wild configs too:
 * their odd values are the point, and crossing machines would refuse most of them (the refusals
 * themselves are test/unit/config/refusals.test.ts').
 */
function onMachine(c: Record<string, unknown>): Record<string, unknown> {
  const i440fx = /^pc(-i440fx|$)/.test(String(c.machine));
  const gpus = (Array.isArray(c.gpu) ? c.gpu : c.gpu ? [c.gpu] : []) as Array<Record<string, unknown>>;
  const slots = gpus.map((g, i) => g.slot ?? 0x10 + i);
  const slotsClash = new Set(slots).size < slots.length;
  const fixed = gpus.map(({ slot, rootPort, ...g }) =>
    i440fx
      ? { ...g, ...(slot !== undefined && !slotsClash ? { slot } : {}) }
      : { ...g, ...(rootPort ? { rootPort } : {}) },
  );
  const disks = (c.disks as Array<Record<string, unknown>> | undefined)?.map((d) =>
    d.bus === 'ide' && !i440fx
      ? {
          ...d,
          bus: 'sata',
          ...(typeof d.target === 'string' ? { target: d.target.replace(/^hd/, 'sd') } : {}),
        }
      : d,
  );
  return {
    ...c,
    ...(c.gpu ? { gpu: Array.isArray(c.gpu) ? fixed : fixed[0] } : {}),
    ...(disks ? { disks } : {}),
    ...(i440fx && c.secureBoot ? { secureBoot: false } : {}),
  };
}

function withCells(c: Record<string, unknown>): Record<string, unknown> {
  const cpu = c.cpu as { sockets?: number; cores: number; threads?: number };
  const vcpus = (cpu.sockets ?? 1) * (Number(cpu.cores) || 1) * (cpu.threads ?? 1);
  const mib = memoryMiB(c.memory);
  if (mib === undefined || vcpus > 288) return c;
  const half = Math.floor(vcpus / 2);
  const first = Math.floor(mib / 2);
  const numa =
    half === 0
      ? [{ cpus: '0', memory: mib }]
      : [
          { cpus: half === 1 ? '0' : `0-${half - 1}`, memory: first },
          { cpus: half === vcpus - 1 ? `${half}` : `${half}-${vcpus - 1}`, memory: `${mib - first} MiB` },
        ];
  return { ...c, cpu: { ...cpu, numa } };
}

const usbId = fc.constantFrom(
  '046d:c051',
  '1b1c:1b3c',
  '045e:028e',
  { vendor: 0x046d, product: 0xc52b, required: true },
  { bus: 3, device: 5 },
  { bus: 1, device: 12 },
);

/** Without wild values, no migratable host-passthrough CPU on the i386 emulator (a refusal, tested in tuning-fields). */
function i386Migratable(c: Record<string, unknown>): Record<string, unknown> {
  const cpu = c.cpu as { mode?: string; migratable?: boolean };
  const passthrough = cpu.mode === undefined || cpu.mode === 'host-passthrough';
  if (c.emulator !== '/usr/bin/qemu-system-i386' || !passthrough || cpu.migratable !== true) return c;
  return { ...c, cpu: { ...cpu, migratable: false } };
}

/** A whole config. Drop `undefined` fields so the object looks like one a user wrote. */
export function configArbitrary(wild = false): Arb<Record<string, unknown>> {
  return fc
    .record({
      name: fc.constant('vg-config-prop'),
      uuid: maybe(fc.uuid({ version: 4 })),
      genid: maybe(fc.oneof(fc.boolean(), fc.uuid({ version: 4 }), mostly(wild, fc.constant(true), oddText))),
      numaCells: fc.boolean(),
      title: maybe(
        mostly(
          wild,
          fc.string({ minLength: 1, maxLength: 30 }).filter((t) => t.trim() !== ''),
          oddText,
        ),
      ),
      description: maybe(mostly(wild, fc.string({ unit: 'grapheme', maxLength: 60 }), oddText)),
      machine: maybe(
        mostly(
          wild,
          fc.constantFrom('q35', 'pc-q35-7.2', 'pc-q35-6.2', 'pc', 'pc-i440fx-7.2'),
          fc.constantFrom('virt', 'isapc', 'pc-q35'),
        ),
      ),
      // Binaries this host has (libvirt checks at define); the others are refusals.
      emulator: maybe(
        mostly(
          wild,
          fc.constantFrom('/usr/bin/qemu-system-x86_64', '/usr/bin/qemu-system-i386', '/usr/bin/kvm'),
          fc.constantFrom('/usr/bin/qemu-system-aarch64', 'qemu-system-x86_64'),
        ),
      ),
      memory: mostly(
        wild,
        fc.oneof(
          fc.integer({ min: 512, max: 65536 }).map((n) => n - (n % 2)),
          fc.integer({ min: 1, max: 64 }).map((g) => `${g} GiB`),
        ),
        fc.constantFrom(0, '9000000 TiB', 'lots', 4001),
      ),
      hugepages: maybe(fc.constantFrom(false, true, '2M', '1G')),
      memoryBacking: maybe(
        fc.record(
          { locked: fc.boolean(), shared: fc.boolean(), preallocate: fc.boolean() },
          { requiredKeys: [] },
        ),
      ),
      cpu: cpuArb(wild),
      hyperv: maybe(hypervArb(wild)),
      kvmHidden: maybe(fc.boolean()),
      firmware: maybe(
        fc.constantFrom('efi', 'bios', {
          loader: '/usr/share/OVMF/OVMF_CODE_4M.fd',
          varsTemplate: '/usr/share/OVMF/OVMF_VARS_4M.fd',
        }),
      ),
      secureBoot: maybe(fc.boolean()),
      smbios: maybe(smbiosArb(wild)),
      ...platformArb(wild),
      gpu: maybe(fc.oneof(gpuArb(wild), fc.array(gpuArb(wild), { minLength: 1, maxLength: 2 }))),
      pci: maybe(
        fc.array(
          fc.oneof(
            fc.constantFrom(...pciPool),
            fc.record({ host: fc.constantFrom(...pciPool), boot: fc.integer({ min: 10, max: 12 }) }),
          ),
          { maxLength: 2 },
        ),
      ),
      disks: maybe(fc.array(diskArb(wild), { maxLength: 3 })),
      boot: bootArb(wild),
      scsi: maybe(
        fc.record({
          queues: maybe(fc.integer({ min: 1, max: 16 })),
          iothread: maybe(fc.oneof(fc.boolean(), fc.integer({ min: 1, max: 2 }))),
          ioeventfd: maybe(fc.boolean()),
        }),
      ),
      iothreads: maybe(fc.integer({ min: 0, max: 4 })),
      network: maybe(
        fc.oneof(
          fc.constant(false as const),
          networkArb(wild),
          fc.array(networkArb(wild), { minLength: 1, maxLength: 2 }),
        ),
      ),
      usb: maybe(fc.array(usbId, { maxLength: 3 })),
      sound: maybe(soundArb(wild)),
      display: maybe(displayArb(wild)),
      tablet: maybe(fc.boolean()),
      // 'none' refuses a tablet and USB devices: drawn only with wild values, where refusals are the point.
      usbController: maybe(fc.constantFrom(...USB_CONTROLLERS.filter((m) => wild || m !== 'none'))),
      evdev: maybe(
        fc.record({
          keyboard: maybe(fc.constantFrom('/dev/input/by-id/usb-kbd-event-kbd', '/dev/input/event3')),
          mouse: maybe(fc.constantFrom('/dev/input/by-id/usb-mouse-event-mouse', '/dev/input/event3')),
          grabToggle: maybe(fc.constantFrom(...GRAB_TOGGLES)),
          virtioInput: maybe(fc.boolean()),
        }),
      ),
      lookingGlass: maybe(
        fc.oneof(
          fc.boolean(),
          fc.constantFrom(32, 64, 128).map((sizeMiB) => ({ sizeMiB })),
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
      noMemballoon: maybe(fc.boolean()),
      qemuArgs: maybe(
        mostly(
          wild,
          fc.constantFrom(['-global', 'isa-debugcon.iobase=0x402'], ['-no-user-config']),
          fc.array(oddText, { maxLength: 2 }),
        ),
      ),
    })
    .map(({ numaCells, ...c }) => (numaCells ? withCells(c) : c))
    .map((c) => (wild ? onMachine(c) : i386Migratable(onMachine(c))))
    .map((c) => bootKinds(uniqueTargets(c)))
    .map((c) => Object.fromEntries(Object.entries(c).filter(([, v]) => v !== undefined)));
}

/**
 * Every problem of a refused config names a field: `usb[2]: …`, `cpu.features["a b"]: …`, or the
 * whole-config message for a config that is not an object.
 */
export const NAMES_A_FIELD = /^[A-Za-z]\w*(\.\w+|\[(\d+|"[^"]*")\])*: \S/;
