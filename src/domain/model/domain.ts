/**
 * `<devices>` and the `<domain>` itself: which element goes where, in virDomainDefFormat's order.
 * The device kinds follow libvirt's own order (emulator, disk, controller, lease, filesystem,
 * interface, smartcard, serial, parallel, console, channel, input, tpm, graphics, sound, audio,
 * video, hostdev, redirdev, redirfilter, hub, watchdog, memballoon, rng, panic, shmem, memory,
 * iommu, vsock); kinds the model does not name stay in `$extra` where they were.
 */
import { attr, child, int, list, oneOf, shape, text, type Infer } from '../schema.js';
import { Sized, Text } from './common.js';
import { DomainChannel, DomainConsole, DomainParallel, DomainRedirdev, DomainSerial } from './chardev.js';
import {
  DomainAudio,
  DomainController,
  DomainDisk,
  DomainGraphics,
  DomainHostdev,
  DomainInput,
  DomainInterface,
  DomainMemballoon,
  DomainShmem,
  DomainSound,
  DomainTPM,
  DomainVideo,
} from './devices.js';
import { DomainClock, DomainCPU, DomainFeatures, DomainPM } from './features.js';
import {
  DomainCPUTune,
  DomainKeyWrap,
  DomainMaxMemory,
  DomainMemory,
  DomainMemoryBacking,
  DomainMemTune,
  DomainMetadata,
  DomainNumaTune,
  DomainSysinfo,
  DomainVCPU,
} from './general.js';
import { DomainOS } from './os.js';
import { DomainPanic, DomainRNG, DomainWatchdog } from './platform-devices.js';

export const DomainDeviceList = shape({
  emulator: child(shape({ path: text() })),
  disk: list(DomainDisk),
  controller: list(DomainController),
  interface: list(DomainInterface),
  serial: list(DomainSerial),
  parallel: list(DomainParallel),
  console: list(DomainConsole),
  channel: list(DomainChannel),
  input: list(DomainInput),
  tpm: list(DomainTPM),
  graphics: list(DomainGraphics),
  sound: list(DomainSound),
  audio: list(DomainAudio),
  video: list(DomainVideo),
  hostdev: list(DomainHostdev),
  redirdev: list(DomainRedirdev),
  watchdog: list(DomainWatchdog),
  memballoon: child(DomainMemballoon),
  rng: list(DomainRNG),
  panic: list(DomainPanic),
  shmem: list(DomainShmem),
});
export type DomainDeviceList = Infer<typeof DomainDeviceList>;

// ---- hypervisor namespace: must come last -----------------------------------------------------

export const QEMU_NS = 'http://libvirt.org/schemas/domain/qemu/1.0';

export const QemuCommandline = shape({
  arg: list(shape({ value: attr() }), 'qemu:arg'),
  env: list(shape({ name: attr(), value: attr() }), 'qemu:env'),
});
export type QemuCommandline = Infer<typeof QemuCommandline>;

// ---- the domain -------------------------------------------------------------------------------

export const Domain = shape({
  type: attr(oneOf('kvm', 'qemu')),
  name: child(Text),
  uuid: child(Text),
  /** The VM generation ID; empty asks libvirt for a new one. */
  genid: child(Text),
  title: child(Text),
  description: child(Text),
  metadata: child(DomainMetadata),
  maxMemory: child(DomainMaxMemory),
  memory: child(DomainMemory),
  currentMemory: child(Sized),
  memtune: child(DomainMemTune),
  memoryBacking: child(DomainMemoryBacking),
  vcpu: child(DomainVCPU),
  iothreads: child(shape({ value: text(int) })),
  cputune: child(DomainCPUTune),
  numatune: child(DomainNumaTune),
  sysinfo: list(DomainSysinfo),
  os: child(DomainOS),
  features: child(DomainFeatures),
  cpu: child(DomainCPU),
  clock: child(DomainClock),
  on_poweroff: child(Text),
  on_reboot: child(Text),
  on_crash: child(Text),
  pm: child(DomainPM),
  devices: child(DomainDeviceList),
  keywrap: child(DomainKeyWrap),
  qemuCommandline: child(QemuCommandline, 'qemu:commandline'),
});
export type Domain = Infer<typeof Domain>;
