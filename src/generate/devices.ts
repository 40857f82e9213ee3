/**
 * Devices other than PCI passthrough: storage, network, USB, sound, display, input, shared memory.
 */
import type {
  DomainAudio,
  DomainController,
  DomainDeviceList,
  DomainDisk,
  DomainHostdev,
  DomainInput,
  DomainInterface,
  DomainShmem,
  DomainSound,
} from '../domain/model.js';
import type { ResolvedDisk, ResolvedNetwork, ResolvedVm } from '../config/resolved.js';

export function storage(vm: ResolvedVm): { disks: DomainDisk[]; controllers: DomainController[] } {
  const names = { sd: 0, vd: 0 };
  const disks = vm.disks.map((d) =>
    disk(d, d.bus === 'virtio' ? `vd${letter(names.vd++)}` : `sd${letter(names.sd++)}`),
  );
  const controllers: DomainController[] = vm.scsi
    ? [
        {
          type: 'scsi',
          index: 0,
          model: 'virtio-scsi',
          driver: {
            ...(vm.scsi.iothread ? { iothread: 1 } : {}),
            queues: vm.scsi.queues,
            ...(vm.scsi.ioeventfd !== undefined ? { ioeventfd: vm.scsi.ioeventfd } : {}),
          },
        },
      ]
    : [];
  return { disks, controllers };
}

/** sda, sdb, …, sdz, sdaa: the naming libvirt and Linux use. */
function letter(n: number): string {
  const a = 'abcdefghijklmnopqrstuvwxyz';
  return n < 26 ? (a[n] as string) : letter(Math.floor(n / 26) - 1) + (a[n % 26] as string);
}

function disk(d: ResolvedDisk, dev: string): DomainDisk {
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
    target: { dev, bus: d.bus },
    ...(d.boot !== undefined ? { boot: { order: d.boot } } : {}),
    ...(d.device === 'cdrom' ? { readonly: {} } : {}),
    ...(d.serial !== undefined ? { serial: { value: d.serial } } : {}),
  };
}

export function networkInterface(n: ResolvedNetwork): DomainInterface {
  const bridged = 'bridge' in n.source;
  return {
    type: bridged ? 'bridge' : 'network',
    ...(n.mac ? { mac: { address: n.mac } } : {}),
    source: n.source,
    ...(n.tap ? { target: { dev: n.tap } } : {}),
    model: { type: n.model },
    ...(n.queues ? { driver: { name: 'vhost', queues: n.queues } } : {}),
  };
}

const usbId = (n: number): string => '0x' + n.toString(16).padStart(4, '0');

export function usbHostdev(u: ResolvedVm['usb'][number]): DomainHostdev {
  return {
    mode: 'subsystem',
    type: 'usb',
    managed: true,
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
  switch (vm.display) {
    case 'none':
      // The passed-through GPU is the display: no emulated adapter, no SPICE/VNC server.
      return { video: [{ model: { type: 'none' } }] };
    case 'spice':
      return { graphics: [{ type: 'spice', autoport: true }], video: [{ model: { type: 'qxl' } }] };
    case 'vnc':
      return { graphics: [{ type: 'vnc', autoport: true }], video: [{ model: { type: 'vga' } }] };
  }
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
  if (vm.display !== 'none') list.push({ type: 'tablet', bus: 'usb' });
  return list;
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
