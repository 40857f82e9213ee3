/** Validation and defaults of the config fields for emulated devices (network, sound, input, Looking Glass). */
import type { AudioConfig, EvdevConfig, NetworkConfig, SoundConfig } from '../types.js';
import type { ResolvedEvdev, ResolvedNetwork, ResolvedVm } from '../resolved.js';
import { Issues, type Obj } from '../issues.js';
import { DEFAULTS } from '../defaults.js';
import { AUDIO_TYPES, GRAB_TOGGLES, NIC_MODELS, SOUND_MODELS } from '../vocabulary.js';

const MAC_RE = /^[0-9a-f]{2}(:[0-9a-f]{2}){5}$/i;

/**
 * A Linux interface name (the kernel's dev_valid_name): 1 to 15 bytes (IFNAMSIZ 16 with the NUL), no
 * "/", ":" or white space, not "." or "..". libvirt defines a longer tap name and QEMU fails at start.
 */
const IFNAME_RE = /^[A-Za-z0-9_.-]{1,15}$/;
/** Prefixes libvirt keeps for names it generates: a tap named so is renamed (vnetN, macvtapN). */
const RESERVED_TAP = /^(vnet|macvtap|macvlan)/;

function interfaceName(issues: Issues, at: string, value: unknown, what: string): string | undefined {
  const name = issues.string(at, value);
  if (name === undefined) return undefined;
  if (!IFNAME_RE.test(name) || name === '.' || name === '..') {
    issues.add(
      at,
      `"${name}" is not a ${what} name (1 to 15 letters, digits, "_", "-", "."; the kernel's limit)`,
    );
    return undefined;
  }
  return name;
}

function macAddress(issues: Issues, at: string, value: unknown): string | undefined {
  const mac = issues.string(at, value);
  if (mac === undefined) return undefined;
  if (!MAC_RE.test(mac)) issues.add(at, `"${mac}" is not a MAC address`);
  else if (parseInt(mac.slice(0, 2), 16) & 1) {
    issues.add(
      at,
      `"${mac}" is a multicast address (odd first byte); a NIC needs a unicast one, e.g. 52:54:00:…`,
    );
  } else if (/^(00:){5}00$/.test(mac)) {
    issues.add(at, `"${mac}" is all zeros, which QEMU treats as unset and replaces`);
  } else return mac;
  return undefined;
}
export function resolveNetworks(issues: Issues, value: unknown): ResolvedNetwork[] {
  if (value === false) return [];
  if (value === undefined)
    return [{ source: { network: DEFAULTS.network.network }, model: DEFAULTS.network.model }];
  const list = Array.isArray(value) ? value : [value];
  const at = (i: number): string => (Array.isArray(value) ? `network[${i}]` : 'network');
  return list.flatMap((n, i): ResolvedNetwork[] => {
    if (!issues.object(at(i), n, { required: true })) return [];
    const net = n as NetworkConfig & Obj;
    issues.unknownKeys(at(i), net, ['bridge', 'network', 'mac', 'model', 'tap', 'queues']);
    const bridge = interfaceName(issues, `${at(i)}.bridge`, net.bridge, 'bridge');
    const network = issues.string(`${at(i)}.network`, net.network);
    if (network !== undefined && !/^[^/]+$/.test(network)) {
      issues.add(`${at(i)}.network`, `"${network}" is not a libvirt network name (not empty, no "/")`);
    }
    if ((net.bridge === undefined) === (net.network === undefined)) {
      issues.add(
        at(i),
        'needs exactly one of bridge (a host bridge such as "br0") or network (a libvirt network)',
      );
    }
    const mac = macAddress(issues, `${at(i)}.mac`, net.mac);
    const tap = interfaceName(issues, `${at(i)}.tap`, net.tap, 'tap device');
    if (tap !== undefined && RESERVED_TAP.test(tap)) {
      issues.add(
        `${at(i)}.tap`,
        `"${tap}" starts with a prefix libvirt keeps for names it makes (vnet, macvtap, macvlan)`,
      );
    }
    const queues = issues.integer(`${at(i)}.queues`, net.queues, { min: 1, max: 256 });
    const model = issues.oneOf(`${at(i)}.model`, net.model, NIC_MODELS) ?? DEFAULTS.network.model;
    if (queues !== undefined && model !== 'virtio') {
      issues.add(`${at(i)}.queues`, `multiqueue is a virtio feature; model "${model}" has one queue`);
    }
    return [
      {
        source: bridge !== undefined ? { bridge } : { network: network ?? DEFAULTS.network.network },
        model,
        ...(mac ? { mac: mac.toLowerCase() } : {}),
        ...(tap ? { tap } : {}),
        ...(queues ? { queues } : {}),
      },
    ];
  });
}

export function resolveSound(issues: Issues, value: unknown): ResolvedVm['sound'] {
  if (value === undefined || value === false) return false;
  if (!issues.object('sound', value)) return false;
  const s = value as SoundConfig & Obj;
  issues.unknownKeys('sound', s, ['model', 'audio']);
  const model = issues.oneOf('sound.model', s.model, SOUND_MODELS) ?? DEFAULTS.sound.model;
  return { model, audio: resolveAudio(issues, s.audio) };
}

function resolveAudio(issues: Issues, value: unknown): AudioConfig {
  if (value === undefined) return DEFAULTS.sound.audio;
  if (!issues.object('sound.audio', value)) return { type: 'none' };
  const a = value as Obj;
  const type = issues.oneOf('sound.audio.type', a.type, AUDIO_TYPES, { required: true });
  const allowed: Record<string, string[]> = {
    pulseaudio: ['type', 'server', 'latency'],
    pipewire: ['type', 'runtimeDir', 'latency'],
    alsa: ['type', 'latency'],
  };
  issues.unknownKeys('sound.audio', a, allowed[type ?? ''] ?? ['type']);
  issues.integer('sound.audio.latency', a.latency, { min: 1, max: 10_000_000 });
  issues.string('sound.audio.server', a.server);
  issues.absolutePath('sound.audio.runtimeDir', a.runtimeDir);
  return { ...(a as AudioConfig), type: type ?? 'none' } as AudioConfig;
}

export function resolveEvdev(issues: Issues, value: unknown): { evdev?: ResolvedEvdev } {
  if (value === undefined) return {};
  if (!issues.object('evdev', value)) return {};
  const e = value as EvdevConfig & Obj;
  issues.unknownKeys('evdev', e, ['keyboard', 'mouse', 'grabToggle', 'virtioInput']);
  issues.absolutePath('evdev.keyboard', e.keyboard);
  issues.absolutePath('evdev.mouse', e.mouse);
  const grabToggle = issues.oneOf('evdev.grabToggle', e.grabToggle, GRAB_TOGGLES);
  const virtioInput = issues.boolean('evdev.virtioInput', e.virtioInput);
  return {
    evdev: {
      ...e,
      grabToggle: grabToggle ?? DEFAULTS.evdev.grabToggle,
      virtioInput: virtioInput ?? DEFAULTS.evdev.virtioInput,
    },
  };
}

export function resolveLookingGlass(issues: Issues, value: unknown): { lookingGlassMiB?: number } {
  if (value === undefined || value === false) return {};
  if (value === true) return { lookingGlassMiB: DEFAULTS.lookingGlassMiB };
  if (!issues.object('lookingGlass', value)) return {};
  const size = issues.integer('lookingGlass.sizeMiB', (value as Obj).sizeMiB, {
    min: 1,
    max: 4096,
    required: true,
  });
  if (size !== undefined && (size & (size - 1)) !== 0) {
    issues.add('lookingGlass.sizeMiB', `${size} is not a power of two (ivshmem sizes are: 32, 64, 128, …)`);
  }
  return size ? { lookingGlassMiB: size } : {};
}
