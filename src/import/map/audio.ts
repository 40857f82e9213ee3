/**
 * Audio backends: `-audiodev` (classic or JSON) and the environment QEMU read before it
 * (`QEMU_AUDIO_DRV=pa QEMU_PA_SAMPLES=128`, the guide's), converted as QEMU's own audio_legacy.c
 * converts them into an audiodev. `<audio>` backends libvirt would add by itself (`none`, and
 * `spice` with a SPICE display) are understood and not carried over.
 */
import type { DomainAudio } from '../../domain/model.js';
import type { ImportContext } from '../context.js';
import type { Props } from '../options.js';

/** QEMU audiodev driver -> libvirt `<audio type>`. */
const AUDIO_TYPES: Record<string, string> = {
  none: 'none',
  alsa: 'alsa',
  coreaudio: 'coreaudio',
  dbus: 'dbus',
  jack: 'jack',
  oss: 'oss',
  pa: 'pulseaudio',
  pipewire: 'pipewire',
  sdl: 'sdl',
  spice: 'spice',
  wav: 'file',
  sndio: 'sndio',
};

type Direction = NonNullable<DomainAudio['output']>;

export function mapAudio(ctx: ImportContext): void {
  for (const opt of ctx.take('-audiodev')) {
    const p = ctx.props(opt);
    const audio = audiodev(ctx, p);
    ctx.reportUnused(opt, p);
    if (audio) ctx.add('audio', audio);
  }
  legacyAudio(ctx);
}

/** libvirt's number for an audiodev id (`audio1` -> 1, else the next free). */
function audioNumber(ctx: ImportContext, id: string): number {
  const m = /(\d+)$/.exec(id);
  const used = new Set(ctx.audioIds.values());
  let n = m ? Number(m[1]) : 1;
  while (used.has(n) || n < 1) n++;
  ctx.audioIds.set(id, n);
  return n;
}

function audiodev(ctx: ImportContext, p: Props): DomainAudio | undefined {
  const driver = p.str('driver') ?? '';
  const type = AUDIO_TYPES[driver];
  const id = p.str('id') ?? driver;
  if (!type) throw p.error('driver', `unknown audio driver '${driver}'`);
  if (libvirtDefault(ctx, type)) {
    p.ignore(...p.entries.map((e) => e.key));
    return undefined;
  }
  const audio: DomainAudio = { id: audioNumber(ctx, id), type: baselineType(ctx, type, p) };
  const timer = p.int('timer-period');
  if (timer !== undefined) audio.timerPeriod = timer;
  const server = p.str('server');
  if (server) audio.serverName = server;
  const runtimeDir = p.str('runtime-dir') ?? ctx.env('PIPEWIRE_RUNTIME_DIR');
  if (runtimeDir && audio.type === 'pipewire') audio.runtimeDir = runtimeDir;
  const path = p.str('path');
  if (path) audio.path = path;
  for (const dir of ['in', 'out'] as const) {
    const d = direction(p, dir);
    if (d) audio[dir === 'in' ? 'input' : 'output'] = d;
  }
  return audio;
}

/**
 * libvirt 9.0 (Debian 12, the reference host) has no `<audio type='pipewire'>` (libvirt 9.10 has):
 * PipeWire serves the PulseAudio protocol, so the backend becomes pulseaudio.
 */
function baselineType(ctx: ImportContext, type: string, p: Props): string {
  if (type !== 'pipewire') return type;
  p.ignore('runtime-dir');
  ctx.warn(
    "-audiodev pipewire: imported as type='pulseaudio' (PipeWire's pulse server plays it): <audio type='pipewire'> " +
      'needs libvirt 9.10 and the reference host has 9.0; change it by hand on a newer libvirt',
  );
  return 'pulseaudio';
}

/** `none` is what libvirt uses when nothing is said (unless an SDL window needs sound); `spice` with SPICE. */
function libvirtDefault(ctx: ImportContext, type: string): boolean {
  if (type === 'none') return !ctx.given('-sdl') && !displayIs(ctx, 'sdl');
  if (type === 'spice') return ctx.given('-spice');
  return false;
}

function displayIs(ctx: ImportContext, type: string): boolean {
  return ctx.opts.some((o) => o.name === '-display' && (o.value ?? '').split(',')[0] === type);
}

function direction(p: Props, dir: 'in' | 'out'): Direction | undefined {
  const d: Direction = {};
  const k = (name: string): string => `${dir}.${name}`;
  const mixing = p.bool(k('mixing-engine'));
  if (mixing !== undefined) d.mixingEngine = mixing;
  const fixed = p.bool(k('fixed-settings'));
  if (fixed !== undefined) d.fixedSettings = fixed;
  const voices = p.int(k('voices'));
  if (voices !== undefined) d.voices = voices;
  const buffer = p.int(k('buffer-length'));
  if (buffer !== undefined) d.bufferLength = buffer;
  const name = p.str(k('name'));
  if (name !== undefined) d.name = name;
  const stream = p.str(k('stream-name'));
  if (stream !== undefined) d.streamName = stream;
  const latency = p.int(k('latency'));
  if (latency !== undefined) d.latency = latency;
  const settings = {
    frequency: p.int(k('frequency')),
    channels: p.int(k('channels')),
    format: p.str(k('format')),
  };
  const defined = Object.fromEntries(Object.entries(settings).filter(([, v]) => v !== undefined));
  if (Object.keys(defined).length) d.settings = defined;
  const dev = p.str(k('dev'));
  if (dev !== undefined) d.dev = dev;
  return Object.keys(d).length ? d : undefined;
}

// ---- the environment ------------------------------------------------------------------------------

/** QEMU's default frame rate and channel count for converting sample counts (audio_legacy.c). */
const LEGACY_FREQ = 44100;
const LEGACY_CHANNELS = 2;

/** `samples` (all channels) -> µs, as QEMU's samples_to_usecs does. */
export function samplesToUsecs(samples: number): number {
  const frames = Math.floor(samples / LEGACY_CHANNELS);
  return Math.floor((frames * 1000000 + LEGACY_FREQ / 2) / LEGACY_FREQ);
}

/** `QEMU_AUDIO_DRV=pa QEMU_PA_SAMPLES=128 …`, converted as QEMU's audio_legacy.c does. */
function legacyAudio(ctx: ImportContext): void {
  const drv = ctx.env('QEMU_AUDIO_DRV');
  if (drv === undefined) return;
  const take = (name: string): string | undefined => ctx.env(name);
  const type = AUDIO_TYPES[drv];
  if (!type) {
    ctx.warn(`environment QEMU_AUDIO_DRV=${drv}: unknown audio driver, not carried over`);
    return;
  }
  if (ctx.list('audio').length || libvirtDefault(ctx, type)) return;
  const audio: DomainAudio = { id: 1, type };
  const output: Direction = {};
  const input: Direction = {};
  const period = take('QEMU_AUDIO_TIMER_PERIOD');
  if (period && Number(period) > 0) audio.timerPeriod = Math.floor(1000000 / Number(period));
  if (type === 'pulseaudio') {
    const server = take('QEMU_PA_SERVER');
    if (server) audio.serverName = server;
    const sink = take('QEMU_PA_SINK');
    if (sink) output.name = sink;
    const source = take('QEMU_PA_SOURCE');
    if (source) input.name = source;
    const samples = take('QEMU_PA_SAMPLES');
    if (samples && /^\d+$/.test(samples))
      input.bufferLength = output.bufferLength = samplesToUsecs(Number(samples));
  }
  if (type === 'sdl') {
    const samples = take('QEMU_SDL_SAMPLES');
    if (samples && /^\d+$/.test(samples)) output.bufferLength = samplesToUsecs(Number(samples));
  }
  if (Object.keys(input).length) audio.input = input;
  if (Object.keys(output).length) audio.output = output;
  ctx.audioIds.set(drv, 1);
  ctx.add('audio', audio);
}
