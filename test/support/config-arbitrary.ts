/**
 * fast-check arbitraries for whole configs: every field of VmConfig, drawn mostly from values a user
 * would write and, with `wild`, now and then from values the validator must refuse (control
 * characters, duplicates, numbers out of range, odd names). Host paths and devices need not exist:
 * libvirt checks them when the VM starts, not when it is defined.
 */
import fc from 'fast-check';
import { absPath, maybe, mostly, oddText, type Arb } from './arbitrary-basics.js';
import { bootArb, bootKinds, diskArb, uniqueTargets } from './storage-arbitrary.js';
import { cpuArb, hypervArb, i386Guest, smbiosArb, tuningArb } from './machine-arbitrary.js';
import {
  AUDIO_TYPES,
  DISPLAYS,
  GRAB_TOGGLES,
  NIC_MODELS,
  ROOT_PORT_MODELS,
  SOUND_MODELS,
  USB_CONTROLLERS,
  TPM_MODELS,
  TPM_VERSIONS,
  VIDEO_MODELS,
} from '../../src/config/vocabulary.js';

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
      ...tuningArb(wild),
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
    .map((c) => (wild ? onMachine(c) : i386Guest(onMachine(c))))
    .map((c) => bootKinds(uniqueTargets(c)))
    .map((c) => Object.fromEntries(Object.entries(c).filter(([, v]) => v !== undefined)));
}

/**
 * Every problem of a refused config names a field: `usb[2]: …`, `cpu.features["a b"]: …`, or the
 * whole-config message for a config that is not an object.
 */
export const NAMES_A_FIELD = /^[A-Za-z]\w*(\.\w+|\[(\d+|"[^"]*")\])*: \S/;
