/**
 * The typed model of libvirt's domain XML (https://libvirt.org/formatdomain.html).
 *
 * Names follow libvirt's elements, like libvirt-go-xml (`DomainHostdev`, `DomainFeatureHyperV`).
 * Key order in each shape is the order libvirt itself writes the children in (virDomainDefFormat),
 * so generated XML diffs cleanly against `virsh dumpxml`. Attributes whose spelling libvirt keeps
 * (addresses in hex for PCI, decimal for drives) are strings: the model never rewrites them.
 */
import { attr, child, int, list, onOff, oneOf, shape, text, yesNo, type Infer } from './schema.js';

// ---- small reusable shapes ------------------------------------------------------------------

/** Any `<x state='on|off'/>`. */
export const FeatureState = shape({ state: attr(onOff) });
export const Empty = shape({});
/** `<x enabled='yes|no'/>`, as in `<pm>`. */
export const Enabled = shape({ enabled: attr(yesNo) });
/** A number with a unit, such as `<memory unit='KiB'>4096000</memory>`. */
export const Sized = shape({ unit: attr(), value: text(int) });

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
  /** An mdev's UUID (`<hostdev type='mdev'>`). */
  uuid: attr(),
});
export type DomainAddress = Infer<typeof DomainAddress>;

const Alias = shape({ name: attr() });
const BootOrder = shape({ order: attr(int) });

// ---- metadata, memory, vcpus, tuning -------------------------------------------------------

/** `<metadata>` holds foreign-namespace elements only: kept whole in `$extra.children`. */
export const DomainMetadata = shape({});

export const DomainMemoryBacking = shape({
  hugepages: child(shape({ page: list(shape({ size: attr(int), unit: attr(), nodeset: attr() })) })),
  nosharepages: child(Empty),
  locked: child(Empty),
  source: child(shape({ type: attr() })),
  access: child(shape({ mode: attr() })),
  allocation: child(shape({ mode: attr(), threads: attr(int) })),
  discard: child(Empty),
});
export type DomainMemoryBacking = Infer<typeof DomainMemoryBacking>;

export const DomainVCPU = shape({
  placement: attr(oneOf('static', 'auto')),
  cpuset: attr(),
  current: attr(int),
  value: text(int),
});

export const DomainCPUTune = shape({
  shares: child(shape({ value: text(int) })),
  vcpupin: list(shape({ vcpu: attr(int), cpuset: attr() })),
  emulatorpin: child(shape({ cpuset: attr() })),
  iothreadpin: list(shape({ iothread: attr(int), cpuset: attr() })),
  vcpusched: list(shape({ vcpus: attr(), scheduler: attr(), priority: attr(int) })),
});
export type DomainCPUTune = Infer<typeof DomainCPUTune>;

/** `<numatune>`: which host NUMA nodes back guest memory, as a whole and per guest cell. */
export const DomainNumaTune = shape({
  memory: child(
    shape({ mode: attr(oneOf('strict', 'preferred', 'interleave', 'restrictive')), nodeset: attr() }),
  ),
  memnode: list(shape({ cellid: attr(int), mode: attr(), nodeset: attr() })),
});
export type DomainNumaTune = Infer<typeof DomainNumaTune>;

export const DomainMemTune = shape({
  hard_limit: child(Sized),
  soft_limit: child(Sized),
});

const SysinfoEntry = shape({ name: attr(), value: text() });
const SysinfoBlock = shape({ entry: list(SysinfoEntry) });
/** A firmware config blob (`-fw_cfg name=…,string=…|file=…`): its text, or a host file QEMU reads. */
const FwcfgEntry = shape({ name: attr(), file: attr(), value: text() });
/** One `<sysinfo>`: `type='smbios'` has the tables, `type='fwcfg'` the entries; a domain may have both. */
export const DomainSysinfo = shape({
  type: attr(oneOf('smbios', 'fwcfg')),
  bios: child(SysinfoBlock),
  system: child(SysinfoBlock),
  baseBoard: child(SysinfoBlock),
  chassis: child(SysinfoBlock),
  entry: list(FwcfgEntry),
});
export type DomainSysinfo = Infer<typeof DomainSysinfo>;

// ---- os and firmware -------------------------------------------------------------------------

export const DomainOS = shape({
  firmware: attr(),
  type: child(shape({ arch: attr(), machine: attr(), value: text() })),
  firmware_: child(shape({ feature: list(shape({ enabled: attr(yesNo), name: attr() })) }), 'firmware'),
  loader: child(
    shape({
      readonly: attr(yesNo),
      secure: attr(yesNo),
      type: attr(oneOf('rom', 'pflash')),
      format: attr(),
      path: text(),
    }),
  ),
  nvram: child(shape({ template: attr(), format: attr(), path: text() })),
  boot: list(shape({ dev: attr() })),
  bootmenu: child(shape({ enable: attr(yesNo), timeout: attr(int) })),
  smbios: child(shape({ mode: attr(oneOf('emulate', 'host', 'sysinfo')) })),
});
export type DomainOS = Infer<typeof DomainOS>;

// ---- features -------------------------------------------------------------------------------

export const DomainFeatureHyperV = shape({
  mode: attr(oneOf('custom', 'passthrough', 'host-model')),
  relaxed: child(FeatureState),
  vapic: child(FeatureState),
  spinlocks: child(shape({ state: attr(onOff), retries: attr(int) })),
  vpindex: child(FeatureState),
  runtime: child(FeatureState),
  synic: child(FeatureState),
  stimer: child(shape({ state: attr(onOff), direct: child(FeatureState) })),
  reset: child(FeatureState),
  vendor_id: child(shape({ state: attr(onOff), value: attr() })),
  frequencies: child(FeatureState),
  reenlightenment: child(FeatureState),
  tlbflush: child(FeatureState),
  ipi: child(FeatureState),
  evmcs: child(FeatureState),
  avic: child(FeatureState),
});
export type DomainFeatureHyperV = Infer<typeof DomainFeatureHyperV>;

export const DomainFeatureKVM = shape({
  hidden: child(FeatureState),
  'hint-dedicated': child(FeatureState),
  'poll-control': child(FeatureState),
  'pv-ipi': child(FeatureState),
});

export const DomainFeatures = shape({
  acpi: child(Empty),
  apic: child(shape({ eoi: attr(onOff) })),
  pae: child(Empty),
  hyperv: child(DomainFeatureHyperV),
  kvm: child(DomainFeatureKVM),
  /** Paravirtual spinlocks: QEMU's `kvm_pv_unhalt`. */
  pvspinlock: child(FeatureState),
  pmu: child(FeatureState),
  vmport: child(FeatureState),
  smm: child(FeatureState),
  ioapic: child(shape({ driver: attr(oneOf('kvm', 'qemu')) })),
});
export type DomainFeatures = Infer<typeof DomainFeatures>;

// ---- cpu, clock, power ------------------------------------------------------------------------

export const DomainCPU = shape({
  mode: attr(oneOf('custom', 'host-model', 'host-passthrough', 'maximum')),
  check: attr(oneOf('none', 'partial', 'full')),
  migratable: attr(onOff),
  match: attr(),
  /** `vendor_id`: the 12-character CPUID vendor the guest sees (QEMU's `-cpu …,vendor=`). */
  model: child(shape({ fallback: attr(), vendor_id: attr(), value: text() })),
  vendor: child(shape({ value: text() })),
  topology: child(shape({ sockets: attr(int), dies: attr(int), cores: attr(int), threads: attr(int) })),
  cache: child(shape({ level: attr(int), mode: attr() })),
  feature: list(shape({ policy: attr(), name: attr() })),
  /** Guest NUMA cells: which vCPUs and how much memory each guest node has. */
  numa: child(
    shape({
      cell: list(shape({ id: attr(int), cpus: attr(), memory: attr(int), unit: attr(), memAccess: attr() })),
    }),
  ),
});
export type DomainCPU = Infer<typeof DomainCPU>;

export const DomainTimer = shape({
  name: attr(),
  tickpolicy: attr(),
  track: attr(),
  present: attr(yesNo),
  mode: attr(),
});
export const DomainClock = shape({
  offset: attr(oneOf('utc', 'localtime', 'timezone', 'variable', 'absolute')),
  timer: list(DomainTimer),
});
export type DomainClock = Infer<typeof DomainClock>;

export const DomainPM = shape({
  'suspend-to-mem': child(Enabled),
  'suspend-to-disk': child(Enabled),
});

// ---- devices ----------------------------------------------------------------------------------

export const DomainDisk = shape({
  type: attr(oneOf('file', 'block', 'dir', 'network', 'volume', 'nvme', 'vhostuser')),
  device: attr(oneOf('disk', 'cdrom', 'floppy', 'lun')),
  driver: child(
    shape({
      name: attr(),
      type: attr(),
      cache: attr(),
      io: attr(),
      discard: attr(),
      detect_zeroes: attr(),
      iothread: attr(int),
      queues: attr(int),
    }),
  ),
  source: child(
    shape({
      file: attr(),
      dev: attr(),
      dir: attr(),
      protocol: attr(),
      name: attr(),
      pool: attr(),
      volume: attr(),
      startupPolicy: attr(),
    }),
  ),
  target: child(shape({ dev: attr(), bus: attr(), tray: attr(), removable: attr(onOff) })),
  boot: child(BootOrder),
  readonly: child(Empty),
  shareable: child(Empty),
  serial: child(shape({ value: text() })),
  wwn: child(shape({ value: text() })),
  alias: child(Alias),
  address: child(DomainAddress),
});
export type DomainDisk = Infer<typeof DomainDisk>;

export const DomainController = shape({
  type: attr(),
  index: attr(int),
  model: attr(),
  ports: attr(int),
  model_: child(shape({ name: attr() }), 'model'),
  target: child(shape({ chassisNr: attr(int), chassis: attr(int), port: attr(), busNr: attr(int) })),
  driver: child(
    shape({ queues: attr(int), iothread: attr(int), ioeventfd: attr(onOff), cmd_per_lun: attr(int) }),
  ),
  alias: child(Alias),
  address: child(DomainAddress),
});
export type DomainController = Infer<typeof DomainController>;

export const DomainInterface = shape({
  type: attr(oneOf('network', 'bridge', 'direct', 'user', 'ethernet', 'hostdev', 'vhostuser')),
  mac: child(shape({ address: attr() })),
  source: child(shape({ network: attr(), bridge: attr(), dev: attr(), mode: attr() })),
  script: child(shape({ path: attr() })),
  downscript: child(shape({ path: attr() })),
  target: child(shape({ dev: attr(), managed: attr(yesNo) })),
  model: child(shape({ type: attr() })),
  driver: child(shape({ name: attr(), queues: attr(int) })),
  boot: child(BootOrder),
  alias: child(Alias),
  address: child(DomainAddress),
});
export type DomainInterface = Infer<typeof DomainInterface>;

export const DomainInput = shape({
  type: attr(),
  bus: attr(),
  source: child(
    shape({
      dev: attr(),
      grab: attr(),
      repeat: attr(onOff),
      grabToggle: attr(),
    }),
  ),
  alias: child(Alias),
  address: child(DomainAddress),
});
export type DomainInput = Infer<typeof DomainInput>;

export const DomainGraphics = shape({
  type: attr(oneOf('spice', 'vnc', 'sdl', 'egl-headless', 'dbus')),
  autoport: attr(yesNo),
  port: attr(int),
  /** The keyboard layout VNC/SPICE translates with (QEMU's `-k de`). */
  keymap: attr(),
  listen: attr(),
  listen_: list(shape({ type: attr(), address: attr() }), 'listen'),
  image: child(shape({ compression: attr(onOff) })),
  gl: child(shape({ enable: attr(yesNo), rendernode: attr() })),
});
export type DomainGraphics = Infer<typeof DomainGraphics>;

export const DomainSound = shape({
  model: attr(),
  codec: list(shape({ type: attr() })),
  audio: child(shape({ id: attr(int) })),
  alias: child(Alias),
  address: child(DomainAddress),
});
export type DomainSound = Infer<typeof DomainSound>;

const AudioDirection = shape({
  mixingEngine: attr(yesNo),
  fixedSettings: attr(yesNo),
  voices: attr(int),
  bufferLength: attr(int),
  name: attr(),
  streamName: attr(),
  latency: attr(int),
  settings: child(shape({ frequency: attr(int), channels: attr(int), format: attr() })),
});
export const DomainAudio = shape({
  id: attr(int),
  type: attr(),
  serverName: attr(),
  runtimeDir: attr(),
  timerPeriod: attr(int),
  input: child(AudioDirection),
  output: child(AudioDirection),
});
export type DomainAudio = Infer<typeof DomainAudio>;

export const DomainVideo = shape({
  model: child(
    shape({
      type: attr(),
      vram: attr(int),
      heads: attr(int),
      primary: attr(yesNo),
      ram: attr(int),
      vgamem: attr(int),
    }),
  ),
  alias: child(Alias),
  address: child(DomainAddress),
});
export type DomainVideo = Infer<typeof DomainVideo>;

export const DomainHostdev = shape({
  mode: attr(oneOf('subsystem', 'capabilities')),
  type: attr(oneOf('pci', 'usb', 'scsi', 'scsi_host', 'mdev')),
  managed: attr(yesNo),
  /** mdev only: the API the mediated device is given through, and its display. */
  model: attr(oneOf('vfio-pci', 'vfio-ccw', 'vfio-ap')),
  display: attr(onOff),
  driver: child(shape({ name: attr() })),
  source: child(
    shape({
      startupPolicy: attr(oneOf('mandatory', 'requisite', 'optional')),
      vendor: child(shape({ id: attr() })),
      product: child(shape({ id: attr() })),
      address: child(DomainAddress),
    }),
  ),
  boot: child(BootOrder),
  // libvirt writes the ROM after the alias here (virDomainDeviceInfoFormat), unlike the interface's.
  alias: child(Alias),
  rom: child(shape({ bar: attr(onOff), file: attr() })),
  address: child(DomainAddress),
});
export type DomainHostdev = Infer<typeof DomainHostdev>;

export const DomainMemballoon = shape({
  model: attr(),
  autodeflate: attr(onOff),
  address: child(DomainAddress),
});

/** `<rng model='virtio'>` with a `random` (host device path as text) or `builtin` backend. */
export const DomainRNG = shape({
  model: attr(),
  backend: child(shape({ model: attr(), path: text() })),
});
export type DomainRNG = Infer<typeof DomainRNG>;

export const DomainShmem = shape({
  name: attr(),
  role: attr(),
  model: child(shape({ type: attr() })),
  size: child(Sized),
  server: child(shape({ path: attr() })),
  msi: child(shape({ vectors: attr(int), ioeventfd: attr(onOff) })),
  address: child(DomainAddress),
});
export type DomainShmem = Infer<typeof DomainShmem>;

export const DomainTPM = shape({
  model: attr(),
  backend: child(shape({ type: attr(), version: attr() })),
});

const CharSource = shape({ mode: attr(), path: attr() });
export const DomainChannel = shape({
  type: attr(),
  source: child(CharSource),
  // (`state` of a target is live-only: libvirt drops it from definitions; $extra keeps it if present.)
  target: child(shape({ type: attr(), name: attr() })),
  address: child(DomainAddress),
});

export const DomainDeviceList = shape({
  emulator: child(shape({ path: text() })),
  disk: list(DomainDisk),
  controller: list(DomainController),
  interface: list(DomainInterface),
  channel: list(DomainChannel),
  input: list(DomainInput),
  tpm: list(DomainTPM),
  graphics: list(DomainGraphics),
  sound: list(DomainSound),
  audio: list(DomainAudio),
  video: list(DomainVideo),
  hostdev: list(DomainHostdev),
  memballoon: child(DomainMemballoon),
  rng: list(DomainRNG),
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
  name: child(shape({ value: text() })),
  uuid: child(shape({ value: text() })),
  /** The VM generation ID; empty asks libvirt for a new one. */
  genid: child(shape({ value: text() })),
  title: child(shape({ value: text() })),
  description: child(shape({ value: text() })),
  metadata: child(DomainMetadata),
  /** Memory hotplug: the most the guest can have, and the DIMM slots. */
  maxMemory: child(shape({ slots: attr(int), unit: attr(), value: text(int) })),
  memory: child(Sized),
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
  on_poweroff: child(shape({ value: text() })),
  on_reboot: child(shape({ value: text() })),
  on_crash: child(shape({ value: text() })),
  pm: child(DomainPM),
  devices: child(DomainDeviceList),
  qemuCommandline: child(QemuCommandline, 'qemu:commandline'),
});
export type Domain = Infer<typeof Domain>;
