/** Validation and defaults of the config fields for emulated devices (network, display, sound, input, Looking Glass). */
import type { AudioConfig, DisplayConfig, EvdevConfig, NetworkConfig, SoundConfig } from '../types.js';
import { isIP } from 'node:net';
import type { ResolvedDisplay, ResolvedEvdev, ResolvedNetwork, ResolvedVm } from '../resolved.js';
import { Issues, describe, type Obj } from '../issues.js';
import { DEFAULTS } from '../defaults.js';
import {
  AUDIO_TYPES,
  DISPLAYS,
  GRAB_TOGGLES,
  NIC_MODELS,
  SOUND_MODELS,
  VIDEO_MODELS,
  type Display,
} from '../vocabulary.js';

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
    issues.unknownKeys(at(i), net, ['bridge', 'network', 'user', 'mac', 'model', 'tap', 'queues', 'boot']);
    const source = networkSource(issues, at(i), net);
    const mac = macAddress(issues, `${at(i)}.mac`, net.mac);
    const tap = net.tap === true ? undefined : tapName(issues, `${at(i)}.tap`, net.tap);
    const queues = issues.integer(`${at(i)}.queues`, net.queues, { min: 1, max: 256 });
    const model = issues.oneOf(`${at(i)}.model`, net.model, NIC_MODELS) ?? DEFAULTS.network.model;
    const boot = issues.integer(`${at(i)}.boot`, net.boot, { min: 1, max: 64 });
    if (queues !== undefined && model !== 'virtio') {
      issues.add(`${at(i)}.queues`, `multiqueue is a virtio feature; model "${model}" has one queue`);
    }
    return [
      {
        source,
        model,
        ...(mac ? { mac: mac.toLowerCase() } : {}),
        ...(tap ? { tap } : {}),
        ...(queues ? { queues } : {}),
        ...(boot !== undefined ? { boot } : {}),
      },
    ];
  });
}

/** Where the NIC connects: exactly one of bridge, network, user, or a tap alone. */
function networkSource(issues: Issues, at: string, net: Obj): ResolvedNetwork['source'] {
  const bridge = interfaceName(issues, `${at}.bridge`, net.bridge, 'bridge');
  const network = issues.string(`${at}.network`, net.network);
  if (network !== undefined && !/^[^/]+$/.test(network)) {
    issues.add(`${at}.network`, `"${network}" is not a libvirt network name (not empty, no "/")`);
  }
  if (net.user !== undefined && net.user !== true) {
    issues.add(`${at}.user`, `must be true (user-mode networking), got ${describe(net.user)}`);
  }
  const kinds = ['bridge', 'network', 'user'].filter((k) => net[k] !== undefined);
  if (kinds.length > 1 || (kinds.length === 0 && net.tap === undefined)) {
    issues.add(
      at,
      'needs exactly one of bridge (a host bridge such as "br0"), network (a libvirt network), ' +
        'user: true (QEMU user-mode networking) or tap alone (a host tap device)',
    );
  }
  if (net.user !== undefined && net.tap !== undefined) {
    issues.add(`${at}.tap`, 'user-mode networking has no host tap device (leave tap out, or use tap alone)');
  }
  if (net.tap === true && kinds.length) {
    issues.add(
      `${at}.tap`,
      `true (a tap libvirt creates and connects to nothing) goes alone, not with ${kinds[0]}`,
    );
  }
  if (bridge !== undefined) return { bridge };
  if (kinds[0] === 'user') return { user: true };
  if (kinds.length === 0) return { ethernet: true };
  return { network: network ?? DEFAULTS.network.network };
}

function tapName(issues: Issues, at: string, value: unknown): string | undefined {
  const tap = interfaceName(issues, at, value, 'tap device');
  if (tap !== undefined && RESERVED_TAP.test(tap)) {
    issues.add(at, `"${tap}" starts with a prefix libvirt keeps for names it makes (vnet, macvtap, macvlan)`);
  }
  return tap;
}

/** `display`: a word, or `{ type, port, listen, video }`. */
export function resolveDisplay(issues: Issues, value: unknown, hasGpu: boolean): ResolvedDisplay {
  const fallback = DEFAULTS.display(hasGpu);
  if (typeof value !== 'object' || value === null) {
    const type = issues.oneOf('display', value, DISPLAYS) ?? fallback;
    return { type, video: DEFAULTS.video[type] };
  }
  if (!issues.object('display', value)) return { type: fallback, video: DEFAULTS.video[fallback] };
  const d = value as DisplayConfig & Obj;
  issues.unknownKeys('display', d, ['type', 'port', 'listen', 'video']);
  const type = issues.oneOf('display.type', d.type, DISPLAYS, { required: true }) ?? fallback;
  const video = issues.oneOf('display.video', d.video, VIDEO_MODELS) ?? DEFAULTS.video[type];
  const port = displayPort(issues, d.port, type);
  const listen = issues.string('display.listen', d.listen);
  if (listen !== undefined && isIP(listen) === 0) {
    issues.add('display.listen', `"${listen}" is not an IP address (e.g. "127.0.0.1", "0.0.0.0", "::")`);
  }
  if (type === 'none' && (d.port !== undefined || d.listen !== undefined)) {
    issues.add('display', `port and listen belong to a SPICE or VNC server; type is "none"`);
  }
  return { type, video, ...(port !== undefined ? { port } : {}), ...(listen ? { listen } : {}) };
}

/** QEMU runs unprivileged (a port below 1024 needs root); a VNC port is 5900 + the display number. */
function displayPort(issues: Issues, value: unknown, type: Display): number | undefined {
  const port = issues.integer('display.port', value, { min: 1, max: 65535 });
  const min = type === 'vnc' ? 5900 : 1024;
  if (port === undefined || port >= min) return port;
  issues.add(
    'display.port',
    type === 'vnc'
      ? `${port} is below 5900: QEMU numbers VNC displays from port 5900 (display :1 is 5901)`
      : `${port} is below 1024, which only root may bind, and QEMU runs unprivileged`,
  );
  return undefined;
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
