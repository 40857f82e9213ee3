/**
 * An imported Domain -> a virt-gen config (VmConfig), so that the VM can be managed as code.
 *
 * The config says everything explicitly where its defaults (best practice for a gaming VM) differ
 * from what QEMU did: a disk without a cache mode becomes `cache: 'writeback'` (QEMU's default), a VM
 * without Hyper-V `hyperv: false`, and so on. What the config cannot say is listed in `notes`.
 */
import { isQ35Machine } from '../config/validate.js';
import {
  CACHE_MODES,
  DISCARD_MODES,
  DISK_BUSES,
  IO_MODES,
  HYPERV_FEATURES,
  NIC_MODELS,
  SOUND_MODELS,
  hugepageSizeOfKiB,
  isOneOf,
  type HypervFeature,
} from '../config/vocabulary.js';
import type { Domain, DomainDisk, DomainHostdev, DomainInterface } from '../domain/model.js';
import type {
  AudioConfig,
  CpuConfig,
  DiskConfig,
  EvdevConfig,
  GpuConfig,
  HypervConfig,
  NetworkConfig,
  PciDeviceConfig,
  SoundConfig,
  UsbDeviceConfig,
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
    ...(domain.title?.value !== undefined ? { title: domain.title.value } : {}),
    ...(domain.description?.value !== undefined ? { description: domain.description.value } : {}),
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
  const secureBootFeature = domain.os?.firmware_?.feature?.find((f) => f.name === 'secure-boot');
  if (domain.os?.loader?.secure || secureBootFeature?.enabled) config.secureBoot = true;
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
  // Without <memballoon>, libvirt adds a virtio balloon: only model='none' is the config's default.
  if (dev.memballoon?.model !== 'none') config.noMemballoon = false;
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
  return hugepageSizeOfKiB(kib) ?? true;
}

function cpu(domain: Domain, notes: string[]): CpuConfig {
  const vcpus = domain.vcpu?.value ?? 1;
  const t = domain.cpu?.topology;
  // Without a topology libvirt gives one socket per vCPU.
  const c: CpuConfig = t
    ? { sockets: t.sockets ?? 1, cores: t.cores ?? 1, threads: t.threads ?? 1 }
    : { sockets: vcpus, cores: 1 };
  const mode = domain.cpu?.mode;
  // The config passes the cache topology through by default; a passthrough CPU without it says so.
  if (mode === 'host-passthrough' && domain.cpu?.cache?.mode !== 'passthrough') c.cachePassthrough = false;
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
  pinning(domain, c);
  const cpuset = domain.vcpu?.cpuset;
  if (cpuset && !c.pin) {
    // taskset confined every thread to these CPUs: each vCPU and the emulator get the whole set.
    c.pin = Array.from({ length: vcpus }, () => cpuset);
    c.emulatorPin = cpuset;
  }
  if (domain.vcpu?.current !== undefined)
    notes.push(`vcpu current='${domain.vcpu.current}' (hot-pluggable vCPUs)`);
  return c;
}

/** `<cputune>` pins, as the config's per-vCPU list and emulator/iothread cpusets. */
function pinning(domain: Domain, c: CpuConfig): void {
  const tune = domain.cputune;
  const vcpus = domain.vcpu?.value ?? 1;
  const pins = tune?.vcpupin ?? [];
  if (pins.length === vcpus && pins.every((p, i) => p.vcpu === i && p.cpuset)) {
    c.pin = pins.map((p) => p.cpuset ?? '');
  }
  const emulator = tune?.emulatorpin?.cpuset;
  if (emulator) c.emulatorPin = emulator;
  const iothread = tune?.iothreadpin?.[0]?.cpuset;
  if (iothread && iothread !== emulator) c.iothreadPin = iothread;
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
 * A host device whose functions 0 and 1 are both passed through, on one guest slot, is taken for the
 * GPU (video and HDMI audio): the command line does not say which device is the graphics card.
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
    if (functions.includes(0) && functions.length > 1 && sharesGuestSlot(members))
      gpus.push(gpuConfig(dev, key, functions, members));
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

/** The functions of a card sit on one guest slot, as the config's `gpu` puts them. */
function sharesGuestSlot(members: DomainHostdev[]): boolean {
  const slots = new Set(members.map((h) => `${h.address?.bus}:${h.address?.slot}`));
  return slots.size === 1 && members[0]?.address?.slot !== undefined;
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
  const bus = d.target?.bus;
  if (!path || (d.device !== 'disk' && d.device !== 'cdrom') || !isOneOf(DISK_BUSES, bus)) {
    notes.push(
      `disk ${d.target?.dev ?? ''} (${d.device} on ${d.target?.bus}, ${path ?? d.source?.protocol ?? 'no source'}): the config has local disks and CD-ROMs on scsi, virtio, sata or usb`,
    );
    return undefined;
  }
  const disk: DiskConfig = { path, device: d.device, bus };
  const format = d.driver?.type;
  if (format === 'raw' || format === 'qcow2') disk.format = format;
  else if (format) notes.push(`disk ${path}: format '${format}'`);
  const { cache, io, discard } = d.driver ?? {};
  const isDisk = d.device === 'disk';
  // For a disk, QEMU's defaults said out loud (the config's differ); a CD-ROM has none by default.
  if (isOneOf(CACHE_MODES, cache) || isDisk) disk.cache = isOneOf(CACHE_MODES, cache) ? cache : 'writeback';
  // QEMU's I/O mode is threads; the config's default is native, but only with cache 'none'.
  if (isOneOf(IO_MODES, io)) disk.io = io;
  else if (isDisk && disk.cache === 'none') disk.io = 'threads';
  if (isOneOf(DISCARD_MODES, discard) || isDisk)
    disk.discard = isOneOf(DISCARD_MODES, discard) ? discard : 'ignore';
  if (d.boot?.order !== undefined) disk.boot = d.boot.order;
  if (d.serial?.value) disk.serial = d.serial.value;
  return disk;
}

// ---- network, USB, sound, display, input -------------------------------------------------------------

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
    const model = i.model?.type;
    if (model && !isOneOf(NIC_MODELS, model))
      notes.push(`interface ${i.mac?.address ?? ''}: model '${model}'`);
    out.push({
      ...base,
      ...(i.mac?.address ? { mac: i.mac.address } : {}),
      ...(isOneOf(NIC_MODELS, model) ? { model } : {}),
      ...(i.target?.dev ? { tap: i.target.dev } : {}),
      ...(i.driver?.queues ? { queues: i.driver.queues } : {}),
    });
  }
  return out.length ? out : false;
}

function usbDevices(hostdevs: DomainHostdev[], notes: string[]): Array<string | UsbDeviceConfig> {
  const out: Array<string | UsbDeviceConfig> = [];
  for (const h of hostdevs.filter((x) => x.type === 'usb')) {
    const v = h.source?.vendor?.id?.replace(/^0x/, '');
    const p = h.source?.product?.id?.replace(/^0x/, '');
    // Without a startup policy libvirt refuses to start without the device, as `required` asks.
    const required = (h.source?.startupPolicy ?? 'mandatory') === 'mandatory';
    if (v && p) out.push(required ? { vendor: v, product: p, required } : `${v}:${p}`);
    else
      notes.push(
        `USB device at bus ${h.source?.address?.bus}: the config names USB devices by vendor:product`,
      );
  }
  return out;
}

function soundConfig(dev: Devices, notes: string[]): SoundConfig | undefined {
  const sounds = dev.sound ?? [];
  const first = sounds[0];
  if (!first) return undefined;
  if (sounds.length > 1) notes.push(`${sounds.length - 1} more sound device(s): the config has one`);
  const model = first.model;
  if (!isOneOf(SOUND_MODELS, model)) notes.push(`sound model '${first.model}'`);
  const a = dev.audio?.[0];
  const latency = a?.output?.latency ?? a?.input?.latency;
  const lat = latency !== undefined ? { latency } : {};
  const audio: AudioConfig = !a
    ? { type: 'none' }
    : a.type === 'pulseaudio'
      ? { type: 'pulseaudio', ...(a.serverName ? { server: a.serverName } : {}), ...lat }
      : a.type === 'pipewire'
        ? { type: 'pipewire', ...(a.runtimeDir ? { runtimeDir: a.runtimeDir } : {}), ...lat }
        : a.type === 'alsa'
          ? { type: 'alsa', ...lat }
          : a.type === 'spice' || a.type === 'none'
            ? { type: a.type }
            : { type: 'none' };
  if (a?.input?.bufferLength !== undefined || a?.output?.bufferLength !== undefined) {
    notes.push(`audio buffer length ${a.output?.bufferLength ?? a.input?.bufferLength} µs`);
  }
  return { ...(isOneOf(SOUND_MODELS, model) ? { model } : {}), audio };
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
  const virtio = (dev.input ?? []).some((i) => i.bus === 'virtio');
  // virtio keyboard and mouse are said in the config as `evdev.virtioInput`, with or without evdev.
  if (!evdev.length) return virtio ? { virtioInput: true } : undefined;
  const keyboard =
    evdev.find((i) => /kbd|keyboard/i.test(i.source?.dev ?? '')) ??
    evdev.find((i) => i.source?.grab === 'all');
  const mouse = evdev.find((i) => i !== keyboard);
  const toggle = evdev.find((i) => i.source?.grabToggle)?.source?.grabToggle as EvdevConfig['grabToggle'];
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
  for (const el of [
    ...(domain.$extra?.children ?? []),
    ...(dev.$extra?.children ?? []),
    ...(domain.os?.$extra?.children ?? []),
  ]) {
    notes.push(`<${el.name}>`);
  }
  if (dev.channel?.length) notes.push(`${dev.channel.length} <channel>(s)`);
}
