/** domain -> config for host PCI, mediated and USB devices (the reverse of src/generate/pci.ts and the hostdevs of devices.ts). */
import type { DomainHostdev } from '../../domain/model.js';
import type {
  GpuConfig,
  MdevConfig,
  PciDeviceConfig,
  UsbDeviceConfig,
  VmConfig,
} from '../../config/types.js';
import type { Devices } from './index.js';
import { DEFAULTS } from '../../config/defaults.js';
import { MACHINE_FACTS, type MachineFamily } from '../../config/machine-type.js';

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
export function pciDevices(
  dev: Devices,
  assumed: string[],
  notes: string[],
  family: MachineFamily,
): Pick<VmConfig, 'gpu' | 'pci'> {
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
    const slot = sharedGuestSlot(members, family);
    if (functions.includes(0) && functions.length > 1 && slot !== undefined)
      gpus.push(gpuConfig(dev, { key, functions, members, slot, index: gpus.length, family }, notes));
    else for (const h of members) others.push(pciDevice(h));
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

/** A PCI device: its address alone, or with its ROM and boot order. */
function pciDevice(h: DomainHostdev): string | PciDeviceConfig {
  const extra = {
    ...(h.rom?.file ? { rom: h.rom.file } : {}),
    ...(h.boot?.order !== undefined ? { boot: h.boot.order } : {}),
  };
  return Object.keys(extra).length ? { host: hostOf(h), ...extra } : hostOf(h);
}

/**
 * The guest slot the functions of a card share, as the config's `gpu` puts them, or undefined. On
 * i440fx the config's GPU is on the root bus, in a slot it may take: elsewhere the functions stay
 * `pci` devices, their addresses kept by the remainder template.
 */
function sharedGuestSlot(members: DomainHostdev[], family: MachineFamily): number | undefined {
  const slots = new Set(members.map((h) => `${h.address?.bus}:${h.address?.slot}`));
  const a = members[0]?.address;
  if (slots.size !== 1 || a?.slot === undefined) return undefined;
  const slot = parseInt(a.slot, 16);
  if (family === 'q35') return slot;
  const { min, max } = MACHINE_FACTS.i440fx.rootBusSlots;
  return parseInt(a.bus ?? '0', 16) === 0 && slot >= min && slot <= max ? slot : undefined;
}

interface FoundGpu {
  /** The host's bus and slot: `0000:01:00`. */
  key: string;
  functions: number[];
  members: DomainHostdev[];
  /** The guest slot its functions share. */
  slot: number;
  /** Its place among the config's GPUs. */
  index: number;
  family: MachineFamily;
}

function gpuConfig(dev: Devices, found: FoundGpu, notes: string[]): GpuConfig {
  const { key, functions, members } = found;
  const gpu: GpuConfig = { host: `${key}.0`, functions };
  const boot = members.find((h) => h.boot?.order !== undefined)?.boot?.order;
  if (boot !== undefined)
    notes.push(`GPU ${key}.0: boot order ${boot} (the config boots disks, NICs and pci devices)`);
  const rom = members.find((h) => h.rom?.file)?.rom?.file;
  if (rom) gpu.rom = rom;
  // i440fx: on the root bus (sharedGuestSlot), the slot said unless it is the config's default.
  if (found.family === 'i440fx') {
    if (found.slot !== DEFAULTS.i440fxGpuSlot + found.index) gpu.slot = found.slot;
    return gpu;
  }
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

/** Mediated devices by UUID (the reverse of generate/devices.ts' mdevHostdev). */
export function mdevDevices(hostdevs: DomainHostdev[], notes: string[]): Array<string | MdevConfig> {
  const out: Array<string | MdevConfig> = [];
  for (const h of hostdevs.filter((x) => x.type === 'mdev')) {
    const uuid = h.source?.address?.uuid;
    if (!uuid || (h.model !== undefined && h.model !== 'vfio-pci')) {
      notes.push(`mdev ${uuid ?? ''} (${h.model ?? 'no model'}): the config has vfio-pci mediated devices`);
      continue;
    }
    out.push(h.display ? { uuid, display: true } : uuid);
  }
  return out;
}

export function usbDevices(hostdevs: DomainHostdev[], notes: string[]): Array<string | UsbDeviceConfig> {
  const out: Array<string | UsbDeviceConfig> = [];
  for (const h of hostdevs.filter((x) => x.type === 'usb')) {
    const v = h.source?.vendor?.id?.replace(/^0x/, '');
    const p = h.source?.product?.id?.replace(/^0x/, '');
    // Without a startup policy libvirt refuses to start without the device, as `required` asks.
    const required = (h.source?.startupPolicy ?? 'mandatory') === 'mandatory';
    const a = h.source?.address;
    // The importer still writes the device number as an unknown attribute: read both spellings.
    const device = a?.device ?? a?.$extra?.attrs?.device;
    if (v && p) out.push(required ? { vendor: v, product: p, required } : `${v}:${p}`);
    else if (a?.bus !== undefined && device !== undefined)
      out.push({ bus: parseInt(a.bus, 10), device: parseInt(device, 10) });
    else
      notes.push(
        `USB device at bus ${h.source?.address?.bus}: the config names USB devices by vendor:product`,
      );
  }
  return out;
}
