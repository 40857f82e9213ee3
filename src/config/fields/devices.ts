/** Validation and defaults of the config fields for emulated devices (network, sound, input, Looking Glass). */
import type { AudioConfig, EvdevConfig, NetworkConfig, SoundConfig } from '../types.js';
import type { ResolvedNetwork, ResolvedVm } from '../resolved.js';
import { Issues, type Obj } from '../issues.js';

const MAC_RE = /^[0-9a-f]{2}(:[0-9a-f]{2}){5}$/i;

export function resolveNetworks(issues: Issues, value: unknown): ResolvedNetwork[] {
  if (value === false) return [];
  if (value === undefined) return [{ source: { network: 'default' }, model: 'virtio' }];
  const list = Array.isArray(value) ? value : [value];
  const at = (i: number): string => (Array.isArray(value) ? `network[${i}]` : 'network');
  return list.flatMap((n, i): ResolvedNetwork[] => {
    if (!issues.object(at(i), n, { required: true })) return [];
    const net = n as NetworkConfig & Obj;
    issues.unknownKeys(at(i), net, ['bridge', 'network', 'mac', 'model', 'tap', 'queues']);
    const bridge = issues.string(`${at(i)}.bridge`, net.bridge);
    const network = issues.string(`${at(i)}.network`, net.network);
    if ((bridge === undefined) === (network === undefined)) {
      issues.add(
        at(i),
        'needs exactly one of bridge (a host bridge such as "br0") or network (a libvirt network)',
      );
    }
    const mac = issues.string(`${at(i)}.mac`, net.mac);
    if (mac !== undefined && !MAC_RE.test(mac)) issues.add(`${at(i)}.mac`, `"${mac}" is not a MAC address`);
    const tap = issues.string(`${at(i)}.tap`, net.tap);
    const queues = issues.integer(`${at(i)}.queues`, net.queues, { min: 1, max: 256 });
    return [
      {
        source: bridge !== undefined ? { bridge } : { network: network ?? 'default' },
        model:
          issues.oneOf(`${at(i)}.model`, net.model, ['virtio', 'e1000e', 'rtl8139'] as const) ?? 'virtio',
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
  const model = issues.oneOf('sound.model', s.model, ['ich9', 'ich6', 'ac97', 'usb'] as const) ?? 'ich9';
  return { model, audio: resolveAudio(issues, s.audio) };
}

function resolveAudio(issues: Issues, value: unknown): AudioConfig {
  if (value === undefined) return { type: 'pulseaudio' };
  if (!issues.object('sound.audio', value)) return { type: 'none' };
  const a = value as Obj;
  const type = issues.oneOf(
    'sound.audio.type',
    a.type,
    ['pulseaudio', 'pipewire', 'alsa', 'spice', 'none'] as const,
    {
      required: true,
    },
  );
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

export function resolveEvdev(issues: Issues, value: unknown): { evdev?: EvdevConfig } {
  if (value === undefined) return {};
  if (!issues.object('evdev', value)) return {};
  const e = value as EvdevConfig & Obj;
  issues.unknownKeys('evdev', e, ['keyboard', 'mouse', 'grabToggle', 'virtioInput']);
  issues.absolutePath('evdev.keyboard', e.keyboard);
  issues.absolutePath('evdev.mouse', e.mouse);
  issues.oneOf('evdev.grabToggle', e.grabToggle, [
    'ctrl-ctrl',
    'alt-alt',
    'shift-shift',
    'meta-meta',
    'scrolllock',
    'ctrl-scrolllock',
  ] as const);
  issues.boolean('evdev.virtioInput', e.virtioInput);
  return { evdev: e };
}

export function resolveLookingGlass(issues: Issues, value: unknown): { lookingGlassMiB?: number } {
  if (value === undefined || value === false) return {};
  if (value === true) return { lookingGlassMiB: 64 };
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
