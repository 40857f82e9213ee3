/** domain -> config for emulated devices: network, sound, display, input, Looking Glass (the reverse of src/generate/devices.ts). */
import { NIC_MODELS, SOUND_MODELS, isOneOf } from '../../config/vocabulary.js';
import type { DomainInterface } from '../../domain/model.js';
import type { AudioConfig, EvdevConfig, NetworkConfig, SoundConfig, VmConfig } from '../../config/types.js';
import type { Devices } from './index.js';

export function networks(ifaces: DomainInterface[], notes: string[]): NetworkConfig[] | false {
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

export function display(dev: Devices, notes: string[]): VmConfig['display'] {
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
