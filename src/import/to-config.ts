/**
 * An imported Domain -> a virt-gen config (VmConfig), so that the VM can be managed as code.
 *
 * The config says everything explicitly where its defaults (best practice for a gaming VM) differ
 * from what QEMU did: a disk without a cache mode becomes `cache: 'writeback'` (QEMU's default), a VM
 * without Hyper-V `hyperv: false`, and so on. What the config cannot say is listed in `notes`.
 */
import { HYPERV_FEATURES, isQ35Machine } from '../config/validate.js';
import type { Domain, DomainDisk, DomainHostdev, DomainInterface } from '../domain/model.js';
import type {
  AudioConfig,
  CpuConfig,
  DiskConfig,
  EvdevConfig,
  GpuConfig,
  HypervConfig,
  HypervFeature,
  NetworkConfig,
  PciDeviceConfig,
  SoundConfig,
  VmConfig,
} from '../config/types.js';

export interface ConfigResult {
  config: VmConfig;
  /** Parts of the domain the config cannot express. */
  notes: string[];
  /** Guesses the conversion made (which device is the GPU). */
  assumed: string[];
}

type Devices = NonNullable<Domain['devices']>;

export function domainToConfig(domain: Domain): ConfigResult {
  const notes: string[] = [];
  const assumed: string[] = [];
  const dev: Devices = domain.devices ?? {};
  const config: VmConfig = {
    name: domain.name?.value ?? 'imported-vm',
    ...(domain.uuid?.value ? { uuid: domain.uuid.value } : {}),
    memory: memoryMiB(domain),
    cpu: cpu(domain, notes),
  };
  const machine = domain.os?.type?.machine;
  if (machine && machine !== 'q35' && isQ35Machine(machine)) config.machine = machine;
  else if (machine && machine !== 'q35') {
    // The config validator takes q35 only: virt-gen lays out PCIe root ports.
    notes.push(`machine "${machine}" is not q35: the config uses q35 (virt-gen lays out PCIe devices)`);
  }
  if (dev.emulator?.path && dev.emulator.path !== '/usr/bin/qemu-system-x86_64')
    config.emulator = dev.emulator.path;
  const huge = domain.memoryBacking?.hugepages;
  if (huge) config.hugepages = hugepageSize(huge.page?.[0]?.size);
  config.hyperv = hyperv(domain, notes);
  if (!domain.features?.kvm?.hidden?.state) config.kvmHidden = false;
  config.firmware = firmware(domain);
  if (domain.os?.loader?.secure) config.secureBoot = true;
  if (dev.tpm?.length) config.tpm = true;
  Object.assign(config, pciDevices(dev, assumed));
  storage(domain, config, notes);
  config.network = networks(dev.interface ?? [], notes);
  const usb = usbDevices(dev.hostdev ?? [], notes);
  if (usb.length) config.usb = usb;
  const sound = soundConfig(dev, notes);
  if (sound) config.sound = sound;
  config.display = display(dev, notes);
  const evdev = evdevConfig(dev);
  if (evdev) config.evdev = evdev;
  const lg = lookingGlass(dev, notes);
  if (lg !== undefined) config.lookingGlass = lg;
  config.clock = domain.clock?.offset === 'localtime' ? 'localtime' : 'utc';
  if (dev.memballoon?.model && dev.memballoon.model !== 'none') config.noMemballoon = false;
  const args = domain.qemuCommandline?.arg?.map((a) => a.value ?? '') ?? [];
  if (args.length) config.qemuArgs = args;
  unexpressed(domain, notes);
  return { config, notes, assumed };
}

function memoryMiB(domain: Domain): number {
  const m = domain.memory;
  if (!m?.value) return 128;
  return m.unit === 'KiB' ? Math.ceil(m.value / 1024) : m.unit === 'GiB' ? m.value * 1024 : m.value;
}

function hugepageSize(kib: number | undefined): VmConfig['hugepages'] {
  if (kib === 2048) return '2M';
  if (kib === 1024 * 1024) return '1G';
  return true;
}

function cpu(domain: Domain, notes: string[]): CpuConfig {
  const vcpus = domain.vcpu?.value ?? 1;
  const t = domain.cpu?.topology;
  // Without a topology libvirt gives one socket per vCPU.
  const c: CpuConfig = t
    ? { sockets: t.sockets ?? 1, cores: t.cores ?? 1, threads: t.threads ?? 1 }
    : { sockets: vcpus, cores: 1 };
  const mode = domain.cpu?.mode;
  if (mode === 'host-model') c.mode = 'host-model';
  else if (mode && mode !== 'host-passthrough')
    notes.push(
      `cpu mode '${mode}'${domain.cpu?.model?.value ? ` (${domain.cpu.model.value})` : ''}: the config has host-passthrough and host-model only`,
    );
  const features = domain.cpu?.feature ?? [];
  if (features.length) {
    c.features = Object.fromEntries(
      features.map((f) => [f.name ?? '', (f.policy ?? 'require') as 'require']),
    );
  }
  const cpuset = domain.vcpu?.cpuset;
  if (cpuset) {
    // taskset confined every thread to these CPUs: each vCPU and the emulator get the whole set.
    c.pin = Array.from({ length: vcpus }, () => cpuset);
    c.emulatorPin = cpuset;
  }
  if (domain.vcpu?.current !== undefined)
    notes.push(`vcpu current='${domain.vcpu.current}' (hot-pluggable vCPUs)`);
  return c;
}

function hyperv(domain: Domain, notes: string[]): HypervConfig | false {
  const hv = domain.features?.hyperv;
  const time = domain.clock?.timer?.some((t) => t.name === 'hypervclock' && t.present !== false);
  if (!hv && !time) return false;
  if (hv?.mode === 'passthrough') notes.push("<hyperv mode='passthrough'>: the config lists enlightenments");
  // `time` is the Hyper-V clock timer; every other name is an element of <hyperv>.
  const present = (f: HypervFeature): boolean =>
    f === 'time' ? time === true : (hv?.[f] as { state?: boolean } | undefined)?.state === true;
  const config: HypervConfig = { features: HYPERV_FEATURES.filter(present) };
  if (hv?.spinlocks?.retries !== undefined) config.spinlocks = hv.spinlocks.retries;
  if (hv?.vendor_id?.value) config.vendorId = hv.vendor_id.value;
  return config;
}

function firmware(domain: Domain): VmConfig['firmware'] {
  const loader = domain.os?.loader;
  // `<os firmware='efi'>` (virt-install, virt-manager): libvirt picks OVMF, as the config's 'efi' asks.
  if (domain.os?.firmware === 'efi' && (!loader?.path || loader.type !== 'pflash')) return 'efi';
  if (!loader?.path || loader.type !== 'pflash') return 'bios';
  const nvram = domain.os?.nvram;
  return {
    loader: loader.path,
    ...(nvram?.template ? { varsTemplate: nvram.template } : {}),
    ...(nvram?.path ? { nvram: nvram.path } : {}),
  };
}

// ---- PCI passthrough -------------------------------------------------------------------------------

const hostOf = (h: DomainHostdev): string => {
  const a = h.source?.address ?? {};
  const n = (v: string | undefined, w: number): string =>
    parseInt(v ?? '0', 16)
      .toString(16)
      .padStart(w, '0');
  return `${n(a.domain, 4)}:${n(a.bus, 2)}:${n(a.slot, 2)}.${parseInt(a.function ?? '0', 16)}`;
};

/**
 * A host device whose functions 0 and 1 are both passed through is taken for the GPU (video and
 * HDMI audio): the command line does not say which device is the graphics card.
 */
function pciDevices(dev: Devices, assumed: string[]): Pick<VmConfig, 'gpu' | 'pci'> {
  const pci = (dev.hostdev ?? []).filter((h) => h.type === 'pci');
  const groups = new Map<string, DomainHostdev[]>();
  for (const h of pci) {
    const key = hostOf(h).replace(/\.\d$/, '');
    groups.set(key, [...(groups.get(key) ?? []), h]);
  }
  const gpus: GpuConfig[] = [];
  const others: Array<string | PciDeviceConfig> = [];
  for (const [key, members] of groups) {
    const functions = members.map((h) => parseInt(h.source?.address?.function ?? '0', 16)).sort();
    if (functions.includes(0) && functions.length > 1) gpus.push(gpuConfig(dev, key, functions, members));
    else for (const h of members) others.push(h.rom?.file ? { host: hostOf(h), rom: h.rom.file } : hostOf(h));
  }
  if (gpus.length) {
    assumed.push(
      `${gpus.map((g) => g.host).join(', ')} (functions 0 and 1 passed through) is the GPU; move it to pci: if not`,
    );
  }
  return {
    ...(gpus.length ? { gpu: gpus.length === 1 ? gpus[0] : gpus } : {}),
    ...(others.length ? { pci: others } : {}),
  };
}

function gpuConfig(dev: Devices, key: string, functions: number[], members: DomainHostdev[]): GpuConfig {
  const gpu: GpuConfig = { host: `${key}.0`, functions };
  const rom = members.find((h) => h.rom?.file)?.rom?.file;
  if (rom) gpu.rom = rom;
  const bus = members[0]?.address?.bus;
  const port = dev.controller?.find(
    (c) =>
      c.type === 'pci' && c.model === 'pcie-root-port' && bus !== undefined && c.index === parseInt(bus, 16),
  );
  if (port) {
    const a = port.address;
    gpu.rootPort = {
      model: port.model_?.name === 'ioh3420' ? 'ioh3420' : 'pcie-root-port',
      ...(a?.slot ? { slot: parseInt(a.slot, 16) } : {}),
      ...(port.target?.chassis !== undefined ? { chassis: port.target.chassis } : {}),
      ...(port.target?.port !== undefined ? { port: parseInt(port.target.port, 16) } : {}),
      ...(a?.multifunction ? { multifunction: true } : {}),
    };
  }
  return gpu;
}

// ---- storage ---------------------------------------------------------------------------------------

const DISK_BUSES = ['scsi', 'virtio', 'sata', 'usb'] as const;

function storage(domain: Domain, config: VmConfig, notes: string[]): void {
  const dev = domain.devices ?? {};
  const disks = (dev.disk ?? []).map((d) => diskConfig(d, notes)).filter((d): d is DiskConfig => !!d);
  if (disks.length) config.disks = disks;
  if (domain.iothreads?.value) config.iothreads = domain.iothreads.value;
  const scsi = dev.controller?.find((c) => c.type === 'scsi' && c.model === 'virtio-scsi');
  if (scsi) {
    config.scsi = {
      ...(scsi.driver?.queues !== undefined ? { queues: scsi.driver.queues } : {}),
      iothread: scsi.driver?.iothread !== undefined,
      ...(scsi.driver?.ioeventfd !== undefined ? { ioeventfd: scsi.driver.ioeventfd } : {}),
    };
  }
}

/** QEMU's defaults, said explicitly: the config's own defaults are a gaming VM's, not QEMU's. */
function diskConfig(d: DomainDisk, notes: string[]): DiskConfig | undefined {
  const path = d.source?.file ?? d.source?.dev;
  const bus = d.target?.bus as (typeof DISK_BUSES)[number] | undefined;
  if (!path || (d.device !== 'disk' && d.device !== 'cdrom') || !bus || !DISK_BUSES.includes(bus)) {
    notes.push(
      `disk ${d.target?.dev ?? ''} (${d.device} on ${d.target?.bus}, ${path ?? d.source?.protocol ?? 'no source'}): the config has local disks and CD-ROMs on scsi, virtio, sata or usb`,
    );
    return undefined;
  }
  const disk: DiskConfig = { path, device: d.device, bus };
  const format = d.driver?.type;
  if (format === 'raw' || format === 'qcow2') disk.format = format;
  else if (format) notes.push(`disk ${path}: format '${format}'`);
  if (d.device === 'disk') {
    disk.cache = (d.driver?.cache as DiskConfig['cache']) ?? 'writeback';
    disk.io = (d.driver?.io as DiskConfig['io']) ?? 'threads';
    disk.discard = (d.driver?.discard as DiskConfig['discard']) ?? 'ignore';
  }
  if (d.boot?.order !== undefined) disk.boot = d.boot.order;
  if (d.serial?.value) disk.serial = d.serial.value;
  return disk;
}

// ---- network, USB, sound, display, input -------------------------------------------------------------

const NIC_MODELS = ['virtio', 'e1000e', 'rtl8139'] as const;

function networks(ifaces: DomainInterface[], notes: string[]): NetworkConfig[] | false {
  const out: NetworkConfig[] = [];
  for (const i of ifaces) {
    const base =
      i.type === 'bridge' && i.source?.bridge
        ? { bridge: i.source.bridge }
        : i.type === 'network' && i.source?.network
          ? { network: i.source.network }
          : undefined;
    if (!base) {
      notes.push(
        `interface ${i.mac?.address ?? ''} of type '${i.type}': the config has bridge and network interfaces`,
      );
      continue;
    }
    const model = i.model?.type as (typeof NIC_MODELS)[number] | undefined;
    if (model && !NIC_MODELS.includes(model))
      notes.push(`interface ${i.mac?.address ?? ''}: model '${model}'`);
    out.push({
      ...base,
      ...(i.mac?.address ? { mac: i.mac.address } : {}),
      ...(model && NIC_MODELS.includes(model) ? { model } : {}),
      ...(i.target?.dev ? { tap: i.target.dev } : {}),
      ...(i.driver?.queues ? { queues: i.driver.queues } : {}),
    });
  }
  return out.length ? out : false;
}

function usbDevices(hostdevs: DomainHostdev[], notes: string[]): string[] {
  const out: string[] = [];
  for (const h of hostdevs.filter((x) => x.type === 'usb')) {
    const v = h.source?.vendor?.id;
    const p = h.source?.product?.id;
    if (v && p) out.push(`${v.replace(/^0x/, '')}:${p.replace(/^0x/, '')}`);
    else
      notes.push(
        `USB device at bus ${h.source?.address?.bus}: the config names USB devices by vendor:product`,
      );
  }
  return out;
}

const SOUND_MODELS = ['ich9', 'ich6', 'ac97', 'usb'] as const;

function soundConfig(dev: Devices, notes: string[]): SoundConfig | undefined {
  const sounds = dev.sound ?? [];
  const first = sounds[0];
  if (!first) return undefined;
  if (sounds.length > 1) notes.push(`${sounds.length - 1} more sound device(s): the config has one`);
  const model = first.model as (typeof SOUND_MODELS)[number];
  if (!SOUND_MODELS.includes(model)) notes.push(`sound model '${first.model}'`);
  const a = dev.audio?.[0];
  const audio: AudioConfig = !a
    ? { type: 'none' }
    : a.type === 'pulseaudio'
      ? { type: 'pulseaudio', ...(a.serverName ? { server: a.serverName } : {}) }
      : a.type === 'pipewire'
        ? { type: 'pipewire', ...(a.runtimeDir ? { runtimeDir: a.runtimeDir } : {}) }
        : a.type === 'alsa' || a.type === 'spice' || a.type === 'none'
          ? { type: a.type }
          : { type: 'none' };
  if (a?.input?.bufferLength !== undefined || a?.output?.bufferLength !== undefined) {
    notes.push(`audio buffer length ${a.output?.bufferLength ?? a.input?.bufferLength} µs`);
  }
  return { ...(SOUND_MODELS.includes(model) ? { model } : {}), audio };
}

function display(dev: Devices, notes: string[]): VmConfig['display'] {
  const graphics = dev.graphics?.[0];
  const video = dev.video?.[0]?.model?.type;
  if (!graphics) return 'none';
  if (graphics.type === 'spice') return 'spice';
  if (graphics.type === 'vnc') return 'vnc';
  notes.push(
    `${graphics.type} display${video ? ` with ${video} video` : ''}: the config has spice, vnc or none`,
  );
  return 'none';
}

function evdevConfig(dev: Devices): EvdevConfig | undefined {
  const evdev = (dev.input ?? []).filter((i) => i.type === 'evdev' && i.source?.dev);
  if (!evdev.length) return undefined;
  const keyboard =
    evdev.find((i) => /kbd|keyboard/i.test(i.source?.dev ?? '')) ??
    evdev.find((i) => i.source?.grab === 'all');
  const mouse = evdev.find((i) => i !== keyboard);
  const toggle = evdev.find((i) => i.source?.grabToggle)?.source?.grabToggle as EvdevConfig['grabToggle'];
  const virtio = (dev.input ?? []).some((i) => i.bus === 'virtio');
  return {
    ...(keyboard?.source?.dev ? { keyboard: keyboard.source.dev } : {}),
    ...(mouse?.source?.dev ? { mouse: mouse.source.dev } : {}),
    ...(toggle ? { grabToggle: toggle } : {}),
    virtioInput: virtio,
  };
}

function lookingGlass(dev: Devices, notes: string[]): VmConfig['lookingGlass'] {
  let result: VmConfig['lookingGlass'];
  for (const s of dev.shmem ?? []) {
    if (s.name === 'looking-glass' && s.model?.type === 'ivshmem-plain' && result === undefined) {
      result = s.size?.value && s.size.unit === 'M' ? { sizeMiB: s.size.value } : true;
    } else notes.push(`shared memory '${s.name}' (${s.model?.type})`);
  }
  return result;
}

/** Elements the import wrote that the config has no field for. */
function unexpressed(domain: Domain, notes: string[]): void {
  const dev = domain.devices ?? {};
  if (domain.qemuCommandline?.env?.length)
    notes.push(`<qemu:env> ${domain.qemuCommandline.env.map((e) => e.name).join(', ')}`);
  if (domain.sysinfo) notes.push('<sysinfo> (-smbios)');
  if (domain.os?.boot?.length) notes.push(`<boot> order ${domain.os.boot.map((b) => b.dev).join(', ')}`);
  const os = domain.os ?? {};
  const names: string[] = [
    ...(['serial', 'parallel', 'console', 'redirdev', 'watchdog', 'rng', 'panic'] as const).flatMap((kind) =>
      (dev[kind] ?? []).map(() => kind),
    ),
    ...(['kernel', 'initrd', 'cmdline', 'dtb', 'bios'] as const).filter((k) => os[k]),
    ...(domain.keywrap ? ['keywrap'] : []),
  ];
  for (const el of [
    ...(domain.$extra?.children ?? []),
    ...(dev.$extra?.children ?? []),
    ...(os.$extra?.children ?? []),
  ])
    names.push(el.name);
  for (const name of names) notes.push(`<${name}>`);
  if (dev.channel?.length) notes.push(`${dev.channel.length} <channel>(s)`);
}
