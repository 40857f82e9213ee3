/** domain -> config for emulated devices: network, sound, display, input, TPM, Looking Glass (the reverse of src/generate/devices.ts). */
import { DEFAULTS } from '../../config/defaults.js';
import {
  NIC_MODELS,
  SOUND_MODELS,
  TPM_MODELS,
  TPM_VERSIONS,
  USB_CONTROLLERS,
  VIDEO_MODELS,
  isOneOf,
  type Display,
  type UsbController,
} from '../../config/vocabulary.js';
import type { DomainInterface } from '../../domain/model.js';
import type {
  AudioConfig,
  DisplayConfig,
  EvdevConfig,
  NetworkConfig,
  SoundConfig,
  TpmConfig,
  VmConfig,
} from '../../config/types.js';
import { MACHINE_FACTS, type MachineFamily } from '../../config/machine-type.js';
import type { Devices } from './index.js';

export function networks(ifaces: DomainInterface[], notes: string[]): NetworkConfig[] | false {
  const out: NetworkConfig[] = [];
  const macs = new Set<string>();
  for (const i of ifaces) {
    const base = networkSource(i, notes);
    if (!base) {
      notes.push(
        `interface ${i.mac?.address ?? ''} of type '${i.type}': the config has bridge, network, user and tap interfaces`,
      );
      continue;
    }
    const model = i.model?.type;
    if (model && !isOneOf(NIC_MODELS, model))
      notes.push(`interface ${i.mac?.address ?? ''}: model '${model}'`);
    // One MAC on two NICs: the config refuses it (libvirt makes the later one another).
    const mac = i.mac?.address;
    if (mac && macs.has(mac.toLowerCase())) notes.push(`interface ${mac} again: a MAC names one NIC`);
    const unique = mac && !macs.has(mac.toLowerCase()) ? mac : undefined;
    if (mac) macs.add(mac.toLowerCase());
    out.push({
      ...base,
      ...(unique ? { mac: unique } : {}),
      // libvirt's own default model is rtl8139 on x86, the config's virtio: without one, say rtl8139.
      ...(isOneOf(NIC_MODELS, model) ? { model } : model === undefined ? { model: 'rtl8139' } : {}),
      ...(i.driver?.queues ? { queues: i.driver.queues } : {}),
      ...(i.boot?.order !== undefined ? { boot: i.boot.order } : {}),
    } as NetworkConfig);
  }
  return out.length ? out : false;
}

/** Where the NIC connects, in the config's words (the reverse of networkInterface). */
function networkSource(i: DomainInterface, notes: string[]): Record<string, unknown> | undefined {
  const tap = i.target?.dev ? { tap: i.target.dev } : {};
  if (i.type === 'bridge' && i.source?.bridge) return { bridge: i.source.bridge, ...tap };
  if (i.type === 'network' && i.source?.network) return { network: i.source.network, ...tap };
  if (i.type === 'user') return { user: true };
  if (i.type !== 'ethernet') return undefined;
  if (!i.target?.dev) return { tap: true };
  // The config's tap alone is the user's own device (managed='no'); libvirt creating it is not said.
  if (i.target.managed !== false)
    notes.push(`interface ${i.mac?.address ?? ''}: tap '${i.target.dev}' created by libvirt (managed)`);
  return { tap: i.target.dev };
}

export function soundConfig(dev: Devices, notes: string[]): SoundConfig | undefined {
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

/** The display (the reverse of generate/devices.ts' display): the bare word when all is default. */
export function display(dev: Devices, notes: string[]): NonNullable<VmConfig['display']> {
  const graphics = dev.graphics ?? [];
  const g = graphics[0];
  const videos = dev.video ?? [];
  const videoType = videos[0]?.model?.type ?? 'none';
  if (graphics.length > 1) notes.push(`${graphics.length - 1} more <graphics>: the config has one display`);
  if (videos.length > 1) notes.push(`${videos.length - 1} more <video>: the config has one adapter`);
  if (g && g.type !== 'spice' && g.type !== 'vnc')
    notes.push(`${g.type} display: the config has spice, vnc or none`);
  const type: Display = g?.type === 'spice' || g?.type === 'vnc' ? g.type : 'none';
  if (type !== 'none' && g) graphicsNotes(g, notes);
  const video = isOneOf(VIDEO_MODELS, videoType) ? videoType : undefined;
  if (!video) notes.push(`video model '${videoType}'`);
  const port =
    type !== 'none' && g?.autoport !== true && g?.port !== undefined && g.port > 0 ? g.port : undefined;
  const listen = type !== 'none' ? (g?.listen_?.[0]?.address ?? g?.listen) : undefined;
  const config: DisplayConfig = {
    type,
    ...(port !== undefined ? { port } : {}),
    ...(listen ? { listen } : {}),
    ...(video && video !== DEFAULTS.video[type] ? { video } : {}),
  };
  return Object.keys(config).length === 1 ? type : config;
}

/** What a SPICE/VNC server has beyond port and listen address, which the config does not say. */
function graphicsNotes(g: NonNullable<Devices['graphics']>[number], notes: string[]): void {
  const listen = g.listen_?.[0];
  if (listen && listen.type !== 'address') notes.push(`${g.type} listening on a ${listen.type}`);
  if (g.keymap) notes.push(`${g.type} keymap '${g.keymap}'`);
  if (g.gl?.enable) notes.push(`${g.type} OpenGL`);
  if (g.image) notes.push(`${g.type} image compression`);
}

/** The TPM: `true` for the default (TPM 2.0 on CRB), else its model and version. */
export function tpmConfig(dev: Devices, notes: string[]): VmConfig['tpm'] {
  const t = dev.tpm?.[0];
  if (!t) return undefined;
  const model = t.model?.replace(/^tpm-/, '');
  const version = t.backend?.version ?? DEFAULTS.tpmDevice.version;
  if (t.backend?.type !== 'emulator' || !isOneOf(TPM_MODELS, model) || !isOneOf(TPM_VERSIONS, version)) {
    notes.push(
      `TPM ${t.model ?? ''} (${t.backend?.type ?? 'no'} backend): the config has emulated TPMs (swtpm)`,
    );
    return undefined;
  }
  const config: TpmConfig = {
    ...(model !== DEFAULTS.tpmDevice.model ? { model } : {}),
    ...(version !== DEFAULTS.tpmDevice.version ? { version } : {}),
  };
  return Object.keys(config).length ? config : true;
}

/** The entropy source: `true` for the default (/dev/urandom), else its source. */
export function rngConfig(dev: Devices, notes: string[]): VmConfig['rng'] {
  const list = dev.rng ?? [];
  const r = list[0];
  if (!r) return undefined;
  if (list.length > 1) notes.push(`${list.length - 1} more <rng>: the config has one`);
  const b = r.backend;
  const source =
    b?.model === 'builtin' ? 'builtin' : b?.model === 'random' ? (b.path ?? DEFAULTS.rngSource) : undefined;
  if (r.model !== 'virtio' || source === undefined) {
    notes.push(
      `rng ${r.model ?? ''} (${b?.model ?? 'no'} backend): the config has virtio-rng from a device or builtin`,
    );
    return undefined;
  }
  return source === DEFAULTS.rngSource ? true : { source };
}

/** The USB tablet, said only when it differs from the default (a display, and USB to plug it in). */
export function tablet(dev: Devices, shown: Display, usb: UsbController): boolean | undefined {
  const has = (dev.input ?? []).some((i) => i.type === 'tablet');
  return has === (DEFAULTS.tablet(shown) && usb !== 'none') ? undefined : has;
}

/**
 * The first USB controller's model; without one, the one libvirt adds on the machine (PIIX3 UHCI on
 * i440fx, at the PIIX's address). ICH9 companions or a second controller are the template's.
 */
export function usbController(dev: Devices, notes: string[], family: MachineFamily): UsbController {
  const usb = (dev.controller ?? []).filter((c) => c.type === 'usb');
  const model = usb[0]?.model ?? MACHINE_FACTS[family].usbController;
  if (isOneOf(USB_CONTROLLERS, model) && usb.length <= 1) return model;
  notes.push(`USB controllers ${usb.map((c) => c.model).join(', ')}: the config has one controller`);
  return isOneOf(USB_CONTROLLERS, model) ? model : DEFAULTS.usbController;
}

export function evdevConfig(dev: Devices): EvdevConfig | undefined {
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

export function lookingGlass(dev: Devices, notes: string[]): VmConfig['lookingGlass'] {
  let result: VmConfig['lookingGlass'];
  for (const s of dev.shmem ?? []) {
    if (s.name === 'looking-glass' && s.model?.type === 'ivshmem-plain' && result === undefined) {
      result = s.size?.value && s.size.unit === 'M' ? { sizeMiB: s.size.value } : true;
    } else notes.push(`shared memory '${s.name}' (${s.model?.type})`);
  }
  return result;
}

/** Elements the import wrote that the config has no field for. */
