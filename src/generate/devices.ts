/**
 * Devices other than PCI passthrough: storage, network, USB and mdev, sound, display, input, TPM,
 * shared memory.
 */
import type {
  DomainAudio,
  DomainController,
  DomainDeviceList,
  DomainDisk,
  DomainGraphics,
  DomainHostdev,
  DomainInput,
  DomainInterface,
  DomainShmem,
  DomainRNG,
  DomainSound,
} from '../domain/model.js';
import type { ResolvedDisk, ResolvedNetwork, ResolvedVm } from '../config/resolved.js';

export function storage(vm: ResolvedVm): { disks: DomainDisk[]; controllers: DomainController[] } {
  const disks = vm.disks.map(disk);
  const controllers: DomainController[] = vm.scsi
    ? [
        {
          type: 'scsi',
          index: 0,
          model: 'virtio-scsi',
          driver: {
            ...(vm.scsi.iothread ? { iothread: vm.scsi.iothread } : {}),
            queues: vm.scsi.queues,
            ...(vm.scsi.ioeventfd !== undefined ? { ioeventfd: vm.scsi.ioeventfd } : {}),
          },
        },
      ]
    : [];
  return { disks, controllers };
}

/** A disk under the name the resolved config gives it (its own, or its bus' next: config/disk-names.ts). */
function disk(d: ResolvedDisk): DomainDisk {
  return {
    type: d.type,
    device: d.device,
    driver: {
      name: 'qemu',
      type: d.format,
      ...(d.cache ? { cache: d.cache } : {}),
      ...(d.io ? { io: d.io } : {}),
      ...(d.discard ? { discard: d.discard } : {}),
    },
    source: d.type === 'block' ? { dev: d.path } : { file: d.path },
    target: { dev: d.target, bus: d.bus },
    ...(d.boot !== undefined ? { boot: { order: d.boot } } : {}),
    ...(d.device === 'cdrom' ? { readonly: {} } : {}),
    ...(d.serial !== undefined ? { serial: { value: d.serial } } : {}),
  };
}

export function networkInterface(n: ResolvedNetwork): DomainInterface {
  const { source } = n;
  const common = {
    ...(n.mac ? { mac: { address: n.mac } } : {}),
  };
  const rest = {
    model: { type: n.model },
    ...(n.queues ? { driver: { name: 'vhost', queues: n.queues } } : {}),
    ...(n.boot !== undefined ? { boot: { order: n.boot } } : {}),
  };
  if ('user' in source) return { type: 'user', ...common, ...rest };
  if ('ethernet' in source) {
    // The user's own tap: libvirt opens it as it is (managed='no') instead of creating one.
    const target = n.tap ? { target: { dev: n.tap, managed: false } } : {};
    return { type: 'ethernet', ...common, ...target, ...rest };
  }
  return {
    type: 'bridge' in source ? 'bridge' : 'network',
    ...common,
    source,
    ...(n.tap ? { target: { dev: n.tap } } : {}),
    ...rest,
  };
}

const usbId = (n: number): string => '0x' + n.toString(16).padStart(4, '0');

export function usbHostdev(u: ResolvedVm['usb'][number]): DomainHostdev {
  const usb = { mode: 'subsystem', type: 'usb', managed: true } as const;
  if ('bus' in u) return { ...usb, source: { address: { bus: `${u.bus}`, device: `${u.device}` } } };
  return {
    ...usb,
    source: {
      // Optional: the VM still starts when the device is unplugged (libvirt skips it).
      startupPolicy: u.required ? 'mandatory' : 'optional',
      vendor: { id: usbId(u.vendor) },
      product: { id: usbId(u.product) },
    },
  };
}

export function sound(vm: ResolvedVm): { sound: DomainSound[]; audio: DomainAudio[] } {
  if (!vm.sound) return { sound: [], audio: [] };
  const { model, audio } = vm.sound;
  const card: DomainSound = {
    model,
    // ich9's micro codec gives Windows a microphone input as well as output.
    ...(model === 'ich9' ? { codec: [{ type: 'micro' }] } : {}),
    audio: { id: 1 },
  };
  const latency = 'latency' in audio && audio.latency ? { latency: audio.latency } : {};
  const direction = Object.keys(latency).length ? { input: latency, output: latency } : {};
  const backend: DomainAudio = {
    id: 1,
    type: audio.type,
    ...(audio.type === 'pulseaudio' && audio.server ? { serverName: audio.server } : {}),
    ...(audio.type === 'pipewire' && audio.runtimeDir ? { runtimeDir: audio.runtimeDir } : {}),
    ...direction,
  };
  return { sound: [card], audio: [backend] };
}

export function display(vm: ResolvedVm): Pick<DomainDeviceList, 'graphics' | 'video'> {
  const { type, port, listen, video } = vm.display;
  // With type 'none' and video 'none', the passed-through GPU is the display: no adapter, no server.
  const adapter = { video: [{ model: { type: video } }] };
  if (type === 'none') return adapter;
  const graphics: DomainGraphics = {
    type,
    ...(port !== undefined ? { autoport: false, port } : { autoport: true }),
    ...(listen !== undefined ? { listen_: [{ type: 'address', address: listen }] } : {}),
  };
  return { graphics: [graphics], ...adapter };
}

export function inputs(vm: ResolvedVm): DomainInput[] {
  const e = vm.evdev;
  const list: DomainInput[] = [];
  if (e?.mouse) list.push({ type: 'evdev', source: { dev: e.mouse } });
  if (e?.keyboard) {
    list.push({
      type: 'evdev',
      source: { dev: e.keyboard, grab: 'all', repeat: true, grabToggle: e.grabToggle },
    });
  }
  if (e?.virtioInput) {
    list.push({ type: 'mouse', bus: 'virtio' }, { type: 'keyboard', bus: 'virtio' });
  }
  if (vm.tablet) list.push({ type: 'tablet', bus: 'usb' });
  return list;
}

/** The TPM, emulated by swtpm (libvirt starts it, as the VM's user). */
export function tpm(vm: ResolvedVm): NonNullable<DomainDeviceList['tpm']> {
  if (!vm.tpm) return [];
  return [{ model: `tpm-${vm.tpm.model}`, backend: { type: 'emulator', version: vm.tpm.version } }];
}

/** virtio-rng: the guest's entropy from a host device, or from QEMU's own getrandom() (builtin). */
export function rng(vm: ResolvedVm): DomainRNG[] {
  if (!vm.rng) return [];
  const { source } = vm.rng;
  const backend = source === 'builtin' ? { model: 'builtin' } : { model: 'random', path: source };
  return [{ model: 'virtio', backend }];
}

/** Mediated devices (GVT-g, vGPU slices) by their UUID; the host creates them, libvirt opens them. */
export function mdevHostdev(m: ResolvedVm['mdev'][number]): DomainHostdev {
  return {
    mode: 'subsystem',
    type: 'mdev',
    model: 'vfio-pci',
    ...(m.display ? { display: true } : {}),
    source: { address: { uuid: m.uuid } },
  };
}

export function lookingGlass(vm: ResolvedVm): DomainShmem[] {
  if (!vm.lookingGlassMiB) return [];
  return [
    {
      name: 'looking-glass',
      model: { type: 'ivshmem-plain' },
      size: { unit: 'M', value: vm.lookingGlassMiB },
    },
  ];
}
