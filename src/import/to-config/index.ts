/**
 * An imported Domain -> a virt-gen config (VmConfig), so that the VM can be managed as code: the
 * reverse of src/generate (config -> Domain). test/unit/import/reverse-property.test.ts holds the two
 * together: any config's domain maps back to a config that generates the same domain.
 *
 * The config says everything explicitly where its defaults (best practice for a gaming VM) differ
 * from what QEMU did: a disk without a cache mode becomes `cache: 'writeback'` (QEMU's default), a VM
 * without Hyper-V `hyperv: false`, and so on. What the config cannot say is listed in `notes`.
 */
import { DEFAULTS } from '../../config/defaults.js';
import { machineFamily } from '../../config/machine-type.js';
import { NAME_RE } from '../../config/validate.js';
import type { Domain } from '../../domain/model.js';
import type { VmConfig } from '../../config/types.js';
import { cpu, emulator, firmware, hugepageSize, hyperv, memoryBacking, memoryMiB } from './machine.js';
import { clockConfig, onReboot, suspendConfig } from './clock-power.js';
import { genid, smbios } from './identity.js';
import { mdevDevices, pciDevices, usbDevices } from './passthrough.js';
import { osBoot, storage } from './storage.js';
import {
  display,
  evdevConfig,
  lookingGlass,
  networks,
  rngConfig,
  soundConfig,
  tablet,
  usbController,
  tpmConfig,
} from './devices.js';

export interface ConfigResult {
  config: VmConfig;
  /** Parts of the domain the config cannot express. */
  notes: string[];
  /** Guesses the conversion made (which device is the GPU). */
  assumed: string[];
}

export type Devices = NonNullable<Domain['devices']>;

export function domainToConfig(domain: Domain): ConfigResult {
  const notes: string[] = [];
  const assumed: string[] = [];
  const dev: Devices = domain.devices ?? {};
  const config: VmConfig = {
    name: configName(domain.name?.value, notes),
    ...(domain.uuid?.value ? { uuid: domain.uuid.value } : {}),
    ...optional('genid', genid(domain, notes)),
    ...(domain.title?.value !== undefined ? { title: domain.title.value } : {}),
    ...(domain.description?.value !== undefined ? { description: domain.description.value } : {}),
    memory: memoryMiB(domain, notes),
    cpu: cpu(domain, notes),
  };
  cellsMemory(config, notes);
  const machine = domain.os?.type?.machine;
  const family = machine === undefined ? 'q35' : machineFamily(machine);
  if (machine && machine !== DEFAULTS.machine && family) config.machine = machine;
  else if (machine && !family) {
    notes.push(`machine "${machine}" is not an x86 PC machine (q35 or i440fx): the config makes a q35 VM`);
  }
  Object.assign(config, optional('emulator', emulator(domain, notes)));
  const huge = domain.memoryBacking?.hugepages;
  if (huge) config.hugepages = hugepageSize(huge.page?.[0]?.size);
  Object.assign(config, optional('memoryBacking', memoryBacking(domain, notes)));
  config.hyperv = hyperv(domain, notes);
  if (!domain.features?.kvm?.hidden?.state) config.kvmHidden = false;
  config.firmware = firmware(domain);
  const secureBootFeature = domain.os?.firmware_?.feature?.find((f) => f.name === 'secure-boot');
  if (domain.os?.loader?.secure || secureBootFeature?.enabled) {
    // libvirt: "Secure boot is supported for x86_64 architecture only" (config/fields/machine.ts, checkArch).
    if (domain.os?.type?.arch === 'i686') notes.push('Secure Boot on a 32-bit guest: libvirt refuses it');
    else config.secureBoot = true;
  }
  Object.assign(config, optional('smbios', smbios(domain, notes)));
  const tpm = tpmConfig(dev, notes);
  if (tpm !== undefined) config.tpm = tpm;
  const entropy = rngConfig(dev, notes);
  if (entropy !== undefined) config.rng = entropy;
  Object.assign(config, pciDevices(dev, assumed, notes, family ?? 'q35'));
  const mdev = mdevDevices(dev.hostdev ?? [], notes);
  if (mdev.length) config.mdev = mdev;
  storage(domain, config, notes);
  config.network = networks(dev.interface ?? [], notes);
  osBoot(domain, config, notes);
  const usb = usbDevices(dev.hostdev ?? [], notes);
  if (usb.length) config.usb = usb;
  const sound = soundConfig(dev, notes);
  if (sound) config.sound = sound;
  const shown = display(dev, notes);
  config.display = shown;
  const controller = usbController(dev, notes, family ?? 'q35');
  if (controller !== DEFAULTS.usbController) config.usbController = controller;
  const pointer = tablet(dev, typeof shown === 'string' ? shown : shown.type, controller);
  if (pointer !== undefined) config.tablet = pointer;
  const evdev = evdevConfig(dev);
  if (evdev) config.evdev = evdev;
  const lg = lookingGlass(dev, notes);
  if (lg !== undefined) config.lookingGlass = lg;
  config.clock = clockConfig(domain, notes);
  Object.assign(config, optional('suspend', suspendConfig(domain)));
  Object.assign(config, optional('onReboot', onReboot(domain, notes)));
  // Without <memballoon>, libvirt adds a virtio balloon: only model='none' is the config's default.
  if (dev.memballoon?.model !== 'none') config.noMemballoon = false;
  const args = domain.qemuCommandline?.arg?.map((a) => a.value ?? '') ?? [];
  // A config's strings are one line of text: arguments with control characters stay in the template.
  if (args.some((a) => CONTROL_CHAR.test(a)))
    notes.push('<qemu:commandline> arguments with control characters');
  else if (args.length) config.qemuArgs = args;
  unexpressed(domain, notes);
  return { config, notes, assumed };
}

// eslint-disable-next-line no-control-regex -- control characters are what it finds
const CONTROL_CHAR = /[\u0000-\u001f\u007f]/;

/**
 * The domain's name, or the nearest name the config takes (libvirt takes almost any name; a
 * config's names files and commands), with a note when it differs.
 */
function configName(name: string | undefined, notes: string[]): string {
  if (name === undefined) return 'imported-vm';
  if (NAME_RE.test(name)) return name;
  const usable = name.replace(/[^A-Za-z0-9._-]+/g, '-').replace(/^[^A-Za-z0-9]+/, '') || 'imported-vm';
  notes.push(
    `name ${JSON.stringify(name)}: a config's name is letters, digits, ".", "-", "_", so "${usable}"`,
  );
  return usable;
}

/** `{ key: value }`, or nothing when the value is undefined (the config leaves the field out). */
function optional<K extends keyof VmConfig>(key: K, value: VmConfig[K] | undefined): Partial<VmConfig> {
  return value === undefined ? {} : ({ [key]: value } as Partial<VmConfig>);
}

/** libvirt makes `<memory>` the sum of the NUMA cells' memory: the config's must be that sum. */
function cellsMemory(config: VmConfig, notes: string[]): void {
  const cells = config.cpu.numa;
  if (!Array.isArray(cells)) return;
  const sum = cells.reduce((n, c) => n + Number(c.memory), 0);
  if (sum === config.memory) return;
  notes.push(
    `memory ${String(config.memory)} MiB is not the NUMA cells' ${sum} MiB: the config takes their sum, as libvirt does`,
  );
  config.memory = sum;
}

function unexpressed(domain: Domain, notes: string[]): void {
  const dev = domain.devices ?? {};
  if (domain.qemuCommandline?.env?.length)
    notes.push(`<qemu:env> ${domain.qemuCommandline.env.map((e) => e.name).join(', ')}`);
  const os = domain.os ?? {};
  const names: string[] = [
    ...(['serial', 'parallel', 'console', 'redirdev', 'watchdog', 'panic'] as const).flatMap((kind) =>
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
