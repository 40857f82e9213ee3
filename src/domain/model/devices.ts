/**
 * The devices virt-gen generates and imports most: disks, controllers, NICs, input, display, sound,
 * passthrough, balloon, shared memory and TPM. Children are in the order libvirt writes them
 * (virDomain*DefFormat, then virDomainDeviceInfoFormat: boot, alias, master, rom, address).
 */
import { attr, child, int, list, onOff, oneOf, shape, text, yesNo, type Infer } from '../schema.js';
import { Alias, BootOrder, DomainAddress, Empty, Sized } from './common.js';

/** `<rom bar file>`: whether the guest sees the device's option ROM, and which file it is. */
const DeviceROM = shape({ bar: attr(onOff), file: attr() });

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
      error_policy: attr(),
      rerror_policy: attr(),
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
      /** A network disk's servers, the snapshot it reads (rbd) and the client config file. */
      host: list(shape({ name: attr(), port: attr(), transport: attr(), socket: attr() })),
      snapshot: child(shape({ name: attr() })),
      config: child(shape({ file: attr() })),
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
  /** A USB companion controller's EHCI master (same index), and its first port there. */
  master: child(shape({ startport: attr(int) })),
  address: child(DomainAddress),
});
export type DomainController = Infer<typeof DomainController>;

export const DomainInterface = shape({
  type: attr(oneOf('network', 'bridge', 'direct', 'user', 'ethernet', 'hostdev', 'vhostuser')),
  mac: child(shape({ address: attr() })),
  /** `type`/`path` are a vhost-user socket's (with `mode` client or server). */
  source: child(
    shape({ network: attr(), bridge: attr(), dev: attr(), type: attr(), path: attr(), mode: attr() }),
  ),
  script: child(shape({ path: attr() })),
  downscript: child(shape({ path: attr() })),
  target: child(shape({ dev: attr(), managed: attr(yesNo) })),
  model: child(shape({ type: attr() })),
  driver: child(shape({ name: attr(), queues: attr(int) })),
  boot: child(BootOrder),
  alias: child(Alias),
  rom: child(DeviceROM),
  address: child(DomainAddress),
});
export type DomainInterface = Infer<typeof DomainInterface>;

export const DomainInput = shape({
  type: attr(),
  bus: attr(),
  source: child(
    shape({
      /** `evdev` is a virtio passthrough input's host device; `dev` an `<input type='evdev'>`'s. */
      evdev: attr(),
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
  /** VNC on a UNIX socket instead of a port. */
  socket: attr(),
  websocket: attr(int),
  sharePolicy: attr(),
  /** SDL draws on an X display, with that display's authority file. */
  display: attr(),
  xauth: attr(),
  fullscreen: attr(yesNo),
  listen_: list(shape({ type: attr(), address: attr(), socket: attr() }), 'listen'),
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
  /** The host device of an OSS or ALSA backend. */
  dev: attr(),
  settings: child(shape({ frequency: attr(int), channels: attr(int), format: attr() })),
});
export const DomainAudio = shape({
  id: attr(int),
  type: attr(),
  serverName: attr(),
  runtimeDir: attr(),
  /** The WAV file of the `file` backend. */
  path: attr(),
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
      vram64: attr(int),
      vgamem: attr(int),
      acceleration: child(shape({ accel3d: attr(yesNo), accel2d: attr(yesNo) })),
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
  alias: child(Alias),
  rom: child(DeviceROM),
  address: child(DomainAddress),
});
export type DomainHostdev = Infer<typeof DomainHostdev>;

export const DomainMemballoon = shape({
  model: attr(),
  autodeflate: attr(onOff),
  address: child(DomainAddress),
});

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
  /** An emulated TPM's version, or the host device a passed-through TPM is. */
  backend: child(shape({ type: attr(), version: attr(), device: child(shape({ path: attr() })) })),
});
