/**
 * Video devices (`-vga`, `-device qxl-vga|VGA|virtio-vga|…`) and displays (`-display`, `-vnc`,
 * `-spice`, `-sdl`, `-nographic`).
 *
 * QEMU opens a desktop window (GTK/SDL) when no display is named; a libvirt-managed QEMU runs without
 * the user's X session, so that window becomes a SPICE display (virt-manager and virt-viewer show it),
 * with a warning. `-nographic` and `-display none` mean no display at all.
 */
import type { DomainGraphics, DomainVideo } from '../../domain/model.js';
import { describeOpt, type Opt } from '../argv.js';
import type { ImportContext } from '../context.js';
import { MAX_PORT } from '../limits.js';
import type { Props } from '../options.js';
import { ignoreCommon, type DeviceHandler, type DeviceOpt } from './devices.js';
import { pciAddress } from './pci.js';

/** `-vga` names -> libvirt video models. */
const VGA: Record<string, string> = {
  std: 'vga',
  cirrus: 'cirrus',
  vmware: 'vmvga',
  qxl: 'qxl',
  virtio: 'virtio',
  none: 'none',
  xenfb: 'xen',
  bochs: 'bochs',
};

/** Display devices -> libvirt video models. */
const DISPLAY_DEVICES: Record<string, string> = {
  VGA: 'vga',
  'cirrus-vga': 'cirrus',
  'qxl-vga': 'qxl',
  qxl: 'qxl',
  'virtio-vga': 'virtio',
  'virtio-vga-gl': 'virtio',
  'virtio-gpu-pci': 'virtio',
  'virtio-gpu-gl-pci': 'virtio',
  'virtio-gpu': 'virtio',
  'bochs-display': 'bochs',
  ramfb: 'ramfb',
  'vmware-svga': 'vmvga',
};

const KIB = 1024;

function videoDevice(dev: DeviceOpt, ctx: ImportContext): void {
  const p = dev.props;
  ignoreCommon(p);
  const model: NonNullable<DomainVideo['model']> = { type: DISPLAY_DEVICES[dev.driver] as string };
  const ram = p.int('ram_size');
  if (ram !== undefined) model.ram = ram / KIB;
  const vram = p.int('vram_size');
  if (vram !== undefined) model.vram = vram / KIB;
  const vgamem = p.int('vgamem_mb');
  if (vgamem !== undefined) {
    if (model.type === 'qxl') model.vgamem = vgamem * KIB;
    else model.vram = vgamem * KIB;
  }
  const vram64 = p.int('vram64_size_mb');
  if (vram64) model.vram64 = vram64 * KIB;
  const heads = p.int('max_outputs');
  if (heads !== undefined) model.heads = heads;
  if (/-gl(-pci)?$/.test(dev.driver)) {
    model.acceleration = { accel3d: true };
  }
  const video: DomainVideo = { model };
  const address = pciAddress(ctx, dev);
  if (address) video.address = address;
  ctx.add('video', video);
}

/** `-vga TYPE` */
export function mapVga(ctx: ImportContext): void {
  for (const opt of ctx.take('-vga')) {
    const type = VGA[opt.value ?? ''];
    if (!type) throw ctx.error(opt, `unknown VGA type '${opt.value}'`);
    ctx.add('video', { model: { type } });
  }
}

/** Displays, then the video QEMU adds by default when none was named. */
export function mapDisplays(ctx: ImportContext): void {
  const nographic = ctx.take('-nographic').length > 0;
  let displayNamed = nographic;
  for (const opt of ctx.take('-display')) {
    displayNamed = true;
    display(ctx, opt);
  }
  for (const opt of ctx.take('-vnc')) {
    displayNamed = true;
    ctx.add('graphics', vnc(ctx, opt));
  }
  for (const opt of ctx.take('-spice')) {
    displayNamed = true;
    ctx.add('graphics', spice(ctx, opt));
  }
  const fullscreen = ctx.take('-full-screen').length > 0;
  if (ctx.take('-sdl').length) {
    displayNamed = true;
    ctx.add('graphics', sdl(ctx, fullscreen));
  }
  defaultVideo(ctx, nographic);
  if (!displayNamed && ctx.list('video').some((v) => v.model?.type !== 'none')) {
    ctx.add('graphics', { type: 'spice', autoport: true });
    ctx.warn(
      'no display option: QEMU would open a desktop window; imported as a SPICE display (open it with virt-manager or virt-viewer)',
    );
  }
  mapKeymap(ctx);
}

/** `-k de`: the layout VNC and SPICE translate keys with, libvirt's `keymap` of each such display. */
function mapKeymap(ctx: ImportContext): void {
  const opt = ctx.take('-k').pop();
  if (!opt) return;
  const keymap = opt.value ?? '';
  if (!/^[a-z][a-z-]*$/i.test(keymap)) throw ctx.error(opt, `expected a keyboard layout such as de or en-us`);
  const remote = ctx.list('graphics').filter((g) => g.type === 'vnc' || g.type === 'spice');
  for (const g of remote) g.keymap = keymap;
  if (!remote.length)
    ctx.warn(
      `${describeOpt(opt)}: a keymap applies to VNC and SPICE displays only; there is none, so it is dropped`,
    );
}

/** QEMU's default VGA (`-nodefaults` removes it); with `-nographic` it shows nothing, as libvirt's old parser read it. */
function defaultVideo(ctx: ImportContext, nographic: boolean): void {
  if (ctx.list('video').length) return;
  if (ctx.given('-nodefaults')) {
    if (ctx.list('graphics').length) ctx.add('video', { model: { type: 'none' } });
    return;
  }
  if (!nographic && !ctx.list('graphics').length && displayOff(ctx)) return;
  if (!nographic) ctx.add('video', { model: { type: 'vga' } });
}

function displayOff(ctx: ImportContext): boolean {
  return ctx.opts.some((o) => o.name === '-display' && (o.value ?? '').split(',')[0] === 'none');
}

function display(ctx: ImportContext, opt: Opt): void {
  const p = ctx.props(opt);
  const type = p.str('type');
  if (type === 'none') return ctx.reportUnused(opt, p);
  if (type === 'sdl' || type === 'gtk') {
    if (type === 'gtk') ctx.warn(`${opt.written} ${opt.value}: libvirt has no GTK display; imported as SDL`);
    const g = sdl(ctx, p.bool('full-screen') ?? false);
    const gl = p.bool('gl');
    if (gl !== undefined) g.gl = { enable: gl };
    ctx.add('graphics', g);
  } else if (type === 'egl-headless') {
    const rendernode = p.str('rendernode');
    ctx.add('graphics', { type: 'egl-headless', ...(rendernode ? { gl: { rendernode } } : {}) });
  } else if (type === 'spice-app') {
    ctx.add('graphics', { type: 'spice', autoport: true });
  } else if (type === 'dbus') {
    ctx.add('graphics', { type: 'dbus' });
  } else {
    opt.consumed = false;
    return;
  }
  ctx.reportUnused(opt, p);
}

/** SDL draws on the user's X display: libvirt needs it named (`DISPLAY`, `XAUTHORITY`). */
function sdl(ctx: ImportContext, fullscreen: boolean): DomainGraphics {
  const g: DomainGraphics = { type: 'sdl' };
  const displayName = ctx.env('DISPLAY');
  if (displayName) g.display = displayName;
  const xauth = ctx.env('XAUTHORITY');
  if (xauth) g.xauth = xauth;
  if (fullscreen) g.fullscreen = true;
  return g;
}

const VNC_BASE_PORT = 5900;

/** `-vnc HOST:DISPLAY[,opts]`, `-vnc unix:PATH`, `-vnc [::]:N` */
function vnc(ctx: ImportContext, opt: Opt): DomainGraphics {
  const p = ctx.props(opt);
  const target = p.str('vnc') ?? '';
  const g: DomainGraphics = { type: 'vnc' };
  if (target.startsWith('unix:')) {
    // Only in <listen>: libvirt's schema refuses `sharePolicy` beside a `socket` attribute.
    g.listen_ = [{ type: 'socket', socket: target.slice(5) }];
  } else if (target !== 'none') {
    const m = /^(?:\[([^\]]*)\]|([^:]*)):(\d+)$/.exec(target);
    if (!m) throw ctx.error(opt, `expected HOST:DISPLAY or unix:PATH, found '${target}'`);
    const host = m[1] ?? m[2] ?? '';
    g.port = VNC_BASE_PORT + Number(m[3]);
    if (g.port > MAX_PORT)
      throw ctx.error(opt, `display ${m[3]} is port ${g.port}, past the last TCP port ${MAX_PORT}`);
    g.autoport = false;
    if (host) {
      g.listen = host;
      g.listen_ = [{ type: 'address', address: host }];
    }
  }
  const websocket = p.matching('websocket', /^(-1|\d{1,5})$/, 'a websocket port');
  if (websocket) g.websocket = Number(websocket);
  const share = p.str('share');
  if (share) g.sharePolicy = share;
  // TLS, SASL and passwords come from qemu.conf and <graphics passwd>: libvirt writes them itself.
  p.ignore(
    'tls',
    'x509',
    'x509verify',
    'sasl',
    'password',
    'audiodev',
    'tls-creds',
    'tls-authz',
    'sasl-authz',
  );
  ctx.reportUnused(opt, p);
  return g;
}

/** `-spice port=5901,addr=127.0.0.1,image-compression=off,gl=on,rendernode=…` */
function spice(ctx: ImportContext, opt: Opt): DomainGraphics {
  const p = ctx.props(opt);
  const g: DomainGraphics = { type: 'spice' };
  const port = p.int('port');
  for (const key of ['port', 'tls-port']) {
    const n = p.int(key);
    if (n !== undefined && (n < 0 || n > MAX_PORT))
      throw ctx.error(opt, `${key}=${n} is not a TCP port (0-${MAX_PORT})`);
  }
  if (port !== undefined) {
    g.port = port;
    g.autoport = false;
  } else g.autoport = true;
  const addr = p.str('addr');
  if (addr) g.listen_ = [{ type: 'address', address: addr }];
  else if (port !== undefined || p.bool('unix')) g.listen_ = [{ type: 'address' }];
  const compression = p.bool('image-compression');
  if (compression !== undefined) g.image = { compression };
  spiceGl(p, g);
  p.ignore('seamless-migration', 'disable-ticketing', 'x509-dir', 'tls-port', 'password', 'sasl', 'unix');
  ctx.reportUnused(opt, p);
  return g;
}

function spiceGl(p: Props, g: DomainGraphics): void {
  const gl = p.bool('gl');
  const rendernode = p.str('rendernode');
  if (gl !== undefined || rendernode)
    g.gl = { ...(gl !== undefined ? { enable: gl } : {}), ...(rendernode ? { rendernode } : {}) };
}

export const videoHandlers: Record<string, DeviceHandler> = Object.fromEntries(
  Object.keys(DISPLAY_DEVICES).map((d) => [d, videoDevice]),
);
