/**
 * Validation and defaults: `unknown` (whatever the config file exported) -> ResolvedVm.
 *
 * Every problem is collected with the path of the field and the bad value quoted, so one run shows
 * all of them: `gpu.host: "02:00.9x" is not a PCI address (expected [DDDD:]BB:SS.F)`. The fields
 * are checked in fields/, one file per concern, as the generator is split.
 */
import path from 'node:path';
import type { ResolvedVm } from './resolved.js';
import { Issues, describe, isRecord, type Obj } from './issues.js';
import {
  resolveDisplay,
  resolveEvdev,
  resolveLookingGlass,
  resolveNetworks,
  resolveSound,
} from './fields/devices.js';
import { resolveRng, resolveTpm } from './fields/platform.js';
import {
  checkArch,
  resolveCpu,
  resolveEmulator,
  resolveFirmware,
  resolveHugepages,
  resolveHyperv,
  resolveRuntime,
  resolveMemory,
  resolveMemoryBacking,
} from './fields/machine.js';
import { checkNumaMemory } from './fields/numa.js';
import { UUID_RE, checkSmbiosUuid, resolveGenid, resolveSmbios } from './fields/identity.js';
import { checkPciConflicts, resolveGpus, resolveMdev, resolvePci, resolveUsb } from './fields/passthrough.js';
import { resolveDisks, resolveScsi } from './fields/storage.js';
import { checkBootKinds, resolveBoot } from './fields/boot.js';
import { checkConsistency } from './fields/consistency.js';
import { resolveClock, resolveOnReboot, resolveSuspend } from './fields/clock-power.js';
import { DEFAULTS } from './defaults.js';
import { machineFamily } from './machine-type.js';
import { USB_CONTROLLERS } from './vocabulary.js';

export { ConfigError } from './issues.js';
export { HYPERV_FEATURES, RECOMMENDED_HYPERV } from './vocabulary.js';

const TOP_LEVEL_KEYS = [
  'name',
  'uuid',
  'title',
  'description',
  'template',
  'machine',
  'emulator',
  'memory',
  'hugepages',
  'cpu',
  'hyperv',
  'kvmHidden',
  'firmware',
  'secureBoot',
  'tpm',
  'rng',
  'mdev',
  'gpu',
  'pci',
  'disks',
  'boot',
  'scsi',
  'iothreads',
  'network',
  'usb',
  'sound',
  'display',
  'tablet',
  'usbController',
  'evdev',
  'lookingGlass',
  'clock',
  'suspend',
  'onReboot',
  'noMemballoon',
  'qemuArgs',
  'runtime',
  'genid',
  'smbios',
  'memoryBacking',
];

/** The VM names a config takes: they name files (NVRAM, hook state) and appear unquoted in commands. */
export const NAME_RE = /^[A-Za-z0-9][A-Za-z0-9._-]*$/;

/**
 * Validates a loaded config. `configDir` resolves relative paths (the template) against the
 * config file's folder. Throws ConfigError listing every problem.
 */
export function resolveConfig(input: unknown, configDir: string, source = 'config'): ResolvedVm {
  const issues = new Issues(source);
  if (!isRecord(input)) {
    issues.add('', `the config must be an object (export default defineVm({...})), got ${describe(input)}`);
    issues.throwIfAny();
  }
  const c = input as Obj;
  issues.unknownKeys('', c, TOP_LEVEL_KEYS);

  const name = issues.string('name', c.name, { required: true });
  if (name !== undefined && !NAME_RE.test(name)) {
    issues.add('name', `"${name}" is not a usable domain name (letters, digits, ".", "-", "_")`);
  }
  const uuid = issues.string('uuid', c.uuid);
  if (uuid !== undefined && !UUID_RE.test(uuid)) issues.add('uuid', `"${uuid}" is not a UUID`);

  const machine = resolveMachine(issues, c.machine);
  const family = machineFamily(machine) ?? 'q35';
  const cpu = resolveCpu(issues, c.cpu, family);
  const gpus = resolveGpus(issues, c.gpu, family);
  const disks = resolveDisks(issues, c.disks);
  const usesScsi = disks.some((d) => d.bus === 'scsi');
  const scsi = usesScsi || c.scsi !== undefined ? resolveScsi(issues, c.scsi, cpu.vcpus) : undefined;
  const iothreads = issues.integer('iothreads', c.iothreads, { min: 0, max: 64 }) ?? scsi?.iothread ?? 0;
  if (scsi && scsi.iothread > iothreads) {
    issues.add(
      'iothreads',
      `is ${iothreads}, but scsi.iothread needs I/O thread ${scsi.iothread}: set iothreads ≥ ${scsi.iothread} or scsi.iothread: false`,
    );
  }
  const template = issues.string('template', c.template);
  const display = resolveDisplay(issues, c.display, gpus.length > 0);

  const usbController =
    issues.oneOf('usbController', c.usbController, USB_CONTROLLERS) ?? DEFAULTS.usbController;
  const resolved: ResolvedVm = {
    name: name ?? '',
    ...(uuid !== undefined ? { uuid } : {}),
    genid: resolveGenid(issues, c.genid),
    ...optionalString(issues, c, 'title'),
    ...optionalString(issues, c, 'description'),
    ...(template !== undefined ? { template: path.resolve(configDir, template) } : {}),
    machine,
    ...resolveEmulator(issues, c.emulator),
    memoryMiB: resolveMemory(issues, c.memory),
    hugepages: resolveHugepages(issues, c.hugepages),
    memoryBacking: resolveMemoryBacking(issues, c.memoryBacking),
    cpu,
    hyperv: resolveHyperv(issues, c.hyperv),
    kvmHidden: issues.boolean('kvmHidden', c.kvmHidden) ?? DEFAULTS.kvmHidden,
    firmware: resolveFirmware(issues, c.firmware),
    secureBoot: issues.boolean('secureBoot', c.secureBoot) ?? DEFAULTS.secureBoot,
    smbios: resolveSmbios(issues, c.smbios),
    tpm: resolveTpm(issues, c.tpm),
    rng: resolveRng(issues, c.rng),
    mdev: resolveMdev(issues, c.mdev),
    gpus,
    pci: resolvePci(issues, c.pci),
    disks,
    boot: resolveBoot(issues, c.boot),
    ...(scsi ? { scsi } : {}),
    iothreads,
    networks: resolveNetworks(issues, c.network),
    usb: resolveUsb(issues, c.usb),
    sound: resolveSound(issues, c.sound),
    display,
    tablet: issues.boolean('tablet', c.tablet) ?? (DEFAULTS.tablet(display.type) && usbController !== 'none'),
    usbController,
    ...resolveEvdev(issues, c.evdev),
    ...resolveLookingGlass(issues, c.lookingGlass),
    clock: resolveClock(issues, c.clock),
    suspend: resolveSuspend(issues, c.suspend),
    onReboot: resolveOnReboot(issues, c.onReboot),
    noMemballoon: issues.boolean('noMemballoon', c.noMemballoon) ?? DEFAULTS.noMemballoon,
    qemuArgs: issues.stringArray('qemuArgs', c.qemuArgs) ?? [],
    runtime: resolveRuntime(issues, c.runtime),
  };
  checkRuntime(issues, resolved);
  checkArch(issues, resolved);
  checkBootKinds(issues, resolved);
  checkNoUsb(issues, resolved);
  checkNumaMemory(issues, resolved.cpu.cells, resolved.memoryMiB);
  checkSmbiosUuid(issues, resolved);
  // With an explicit loader, secureBoot says that loader is a Secure Boot build (`<loader secure>`).
  if (resolved.secureBoot && resolved.firmware.kind === 'bios') {
    issues.add(
      'secureBoot',
      "needs firmware: 'efi' (libvirt then picks a Secure Boot OVMF build with Microsoft's keys), " +
        'or firmware: { loader } naming a Secure Boot build',
    );
  }
  if (resolved.secureBoot && family === 'i440fx') {
    issues.add(
      'secureBoot',
      `needs a q35 machine: OVMF's Secure Boot builds need SMM, which i440fx ("${machine}") has not (libvirt finds no firmware to start it)`,
    );
  }
  // Across fields, once each field is valid alone (so the resolved lists keep the config's indexes).
  if (issues.problems.length === 0) {
    checkPciConflicts(issues, resolved);
    checkConsistency(issues, resolved, Array.isArray(c.gpu));
  }
  issues.throwIfAny();
  return resolved;
}

function resolveMachine(issues: Issues, value: unknown): string {
  const machine = issues.string('machine', value);
  if (machine === undefined || machineFamily(machine)) return machine ?? DEFAULTS.machine;
  issues.add(
    'machine',
    `"${machine}" is not an x86 PC machine type: "q35" (PCIe, versioned "pc-q35-7.2") or "pc" (i440fx, versioned "pc-i440fx-7.2")`,
  );
  return DEFAULTS.machine;
}

function optionalString(issues: Issues, c: Obj, key: 'title' | 'description'): { [k: string]: string } {
  const v = issues.string(key, c[key], { multiline: key === 'description' });
  if (v === '' && key === 'title') issues.add(key, 'is empty (libvirt refuses an empty title: leave it out)');
  return v === undefined ? {} : { [key]: v };
}

/** What the hook needs from the rest of the config. */
function checkRuntime(issues: Issues, vm: ResolvedVm): void {
  if (!vm.runtime) return;
  if (vm.runtime.allocateHugepages && vm.hugepages === false)
    issues.add(
      'runtime.allocateHugepages',
      'needs hugepages (true, "2M" or "1G"): there is nothing to allocate',
    );
  if (vm.runtime.isolateCpus && vm.cpu.pin === false && vm.cpu.cpuset === undefined)
    issues.add(
      'runtime.isolateCpus',
      "needs cpu.pin ('auto' or a list) or cpu.cpuset: the host's cores are the ones the vCPUs are not pinned to",
    );
}

/** With `usbController: 'none'`, nothing may need USB: libvirt refuses a USB device without a controller. */
function checkNoUsb(issues: Issues, vm: ResolvedVm): void {
  if (vm.usbController !== 'none') return;
  const users = [
    ...(vm.tablet ? ['tablet'] : []),
    ...(vm.usb.length ? ['usb'] : []),
    ...vm.disks.flatMap((d, i) => (d.bus === 'usb' ? [`disks[${i}]`] : [])),
    ...(vm.sound && vm.sound.model === 'usb' ? ['sound'] : []),
  ];
  if (users.length)
    issues.add(
      'usbController',
      `is "none", but ${users.join(', ')} need${users.length > 1 ? '' : 's'} USB: choose a controller or leave them out`,
    );
}
