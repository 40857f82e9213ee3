/**
 * Sound devices: `-soundhw` (the guide's `hda`), `-device intel-hda|ich9-intel-hda|AC97|ES1370|sb16|
 * usb-audio…` with their `hda-*` codecs, and the PC speaker (`-machine pcspk-audiodev=`).
 */
import type { DomainSound } from '../../domain/model.js';
import type { ImportContext } from '../context.js';
import type { Props } from '../options.js';
import { ignoreCommon, type DeviceHandler, type DeviceOpt } from './devices.js';
import { pciAddress } from './pci.js';
import { usbAddress } from './usb-address.js';

/** QEMU device -> libvirt `<sound model>`. */
const SOUND_MODELS: Record<string, string> = {
  'intel-hda': 'ich6',
  'ich9-intel-hda': 'ich9',
  AC97: 'ac97',
  ES1370: 'es1370',
  sb16: 'sb16',
  'usb-audio': 'usb',
  cs4231a: 'cs4231a',
  gus: 'gus',
  'virtio-sound-pci': 'virtio',
};

/** `-soundhw` names -> libvirt models (`hda` is intel-hda with a duplex codec: libvirt's ich6). */
const SOUNDHW: Record<string, string> = {
  hda: 'ich6',
  ac97: 'ac97',
  es1370: 'es1370',
  sb16: 'sb16',
  pcspk: 'pcspk',
  cs4231a: 'cs4231a',
  gus: 'gus',
  adlib: 'adlib',
};

const CODECS: Record<string, string> = {
  'hda-duplex': 'duplex',
  'hda-micro': 'micro',
  'hda-output': 'output',
};

/** The `<audio id>` child for a device's `audiodev=`, when that backend was carried over. */
function audioRef(ctx: ImportContext, p: Props): DomainSound['audio'] {
  const id = p.str('audiodev');
  const n = id === undefined ? undefined : ctx.audioIds.get(id);
  return n === undefined ? undefined : { id: n };
}

function soundDevice(dev: DeviceOpt, ctx: ImportContext): void {
  const p = dev.props;
  ignoreCommon(p);
  const sound: DomainSound = { model: SOUND_MODELS[dev.driver] as string };
  const audio = audioRef(ctx, p);
  if (audio) sound.audio = audio;
  if (dev.driver === 'usb-audio') {
    // <sound multichannel='yes'> is newer than libvirt 9.0, the reference host: reported, not written.
    if (p.bool('multi'))
      ctx.warn(
        `-device usb-audio${dev.id ? ` '${dev.id}'` : ''}: multi=on not carried over (libvirt 9.0 has no multichannel attribute)`,
      );
    const address = usbAddress(ctx, p);
    if (address) sound.address = address;
  } else {
    const address = pciAddress(ctx, dev);
    if (address) sound.address = address;
  }
  ctx.add('sound', sound);
  if (dev.id) ctx.buses.set(`${dev.id}.0`, { kind: 'hda', controller: ctx.list('sound').length - 1 });
}

/** `hda-duplex,bus=sound0.0`: a codec of the HDA controller on that bus. */
function codecDevice(dev: DeviceOpt, ctx: ImportContext): boolean {
  const p = dev.props;
  const busName = p.str('bus');
  const bus = busName === undefined ? lastHda(ctx) : ctx.buses.get(busName);
  const sound = bus?.kind === 'hda' ? ctx.list('sound')[bus.controller] : undefined;
  if (!sound) return false;
  ignoreCommon(p);
  p.ignore('cad');
  (sound.codec ??= []).push({ type: CODECS[dev.driver] as string });
  const audio = audioRef(ctx, p);
  if (audio && !sound.audio) sound.audio = audio;
  return true;
}

function lastHda(ctx: ImportContext): { kind: 'hda'; controller: number } | undefined {
  const sounds = ctx.list('sound');
  for (let i = sounds.length - 1; i >= 0; i--) {
    if (/^ich[69]$/.test(sounds[i]?.model ?? '')) return { kind: 'hda', controller: i };
  }
  return undefined;
}

/** `-soundhw hda,ac97` (or `all`), and `-machine pcspk-audiodev=`. */
export function mapSoundhw(ctx: ImportContext): void {
  for (const opt of ctx.take('-soundhw')) {
    const names = (opt.value ?? '').split(',');
    const models = names.includes('all') ? Object.values(SOUNDHW) : names.map((n) => SOUNDHW[n]);
    const unknown = names.filter((n) => n !== 'all' && !SOUNDHW[n]);
    if (unknown.length) throw ctx.error(opt, `unknown sound device '${unknown.join(',')}'`);
    for (const model of models) ctx.add('sound', { model: model as string });
  }
  const machine = ctx.opts.find((o) => o.name === '-machine' && o.value !== undefined);
  if (machine && ctx.props(machine).str('pcspk-audiodev')) ctx.add('sound', { model: 'pcspk' });
}

/** libvirt gives ich6/ich9 one duplex codec by default: a lone duplex is not written. */
export function finishSound(ctx: ImportContext): void {
  for (const s of ctx.list('sound')) {
    if (s.codec?.length === 1 && s.codec[0]?.type === 'duplex') delete s.codec;
  }
}

export const soundHandlers: Record<string, DeviceHandler> = {
  ...Object.fromEntries(Object.keys(SOUND_MODELS).map((d) => [d, soundDevice])),
  ...Object.fromEntries(Object.keys(CODECS).map((d) => [d, codecDevice])),
};
