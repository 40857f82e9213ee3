/**
 * The rest of the domain: `-uuid`, `-rtc`/`-localtime` and tick policies, `-boot`, `-no-reboot`,
 * power management (`disable_s3/s4` globals), `-smbios`, watchdogs and the memory balloon.
 */
import type { DomainSysinfo, DomainWatchdog } from '../../domain/model.js';
import { describeOpt } from '../argv.js';
import type { ImportContext } from '../context.js';
import { ignoreCommon, type DeviceHandler, type DeviceOpt } from './devices.js';
import { pciAddress } from './pci.js';

const UUID_RE = /^[0-9a-f]{8}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{12}$/i;

export function mapMisc(ctx: ImportContext): void {
  mapUuid(ctx);
  mapClock(ctx);
  mapBoot(ctx);
  if (ctx.take('-no-reboot').length) ctx.domain.on_reboot = { value: 'destroy' };
  mapGlobals(ctx);
  mapSmbios(ctx);
  mapFwcfg(ctx);
  mapWatchdog(ctx);
}

/** The `<sysinfo>` of a type, added on first use (a domain may carry an smbios and a fwcfg one). */
function sysinfoOf(ctx: ImportContext, type: 'smbios' | 'fwcfg'): DomainSysinfo {
  const list = (ctx.domain.sysinfo ??= []);
  let sysinfo = list.find((s) => s.type === type);
  if (!sysinfo) list.push((sysinfo = { type }));
  return sysinfo;
}

/**
 * `-fw_cfg name=opt/…,string=…|file=…`: a blob the guest firmware reads, libvirt's
 * `<sysinfo type='fwcfg'><entry name>`. QEMU takes only names under `opt/` from users; libvirt too.
 */
function mapFwcfg(ctx: ImportContext): void {
  for (const opt of ctx.take('-fw_cfg')) {
    const p = ctx.props(opt);
    const name = p.str('name');
    const value = p.str('string');
    const file = p.str('file');
    if (!name?.startsWith('opt/') || (value === undefined) === (file === undefined))
      throw ctx.error(opt, 'expected name=opt/…, and one of string= or file=');
    const entry = file !== undefined ? { name, file: ctx.absolutePath(opt, file) } : { name, value };
    (sysinfoOf(ctx, 'fwcfg').entry ??= []).push(entry);
    ctx.reportUnused(opt, p);
  }
}

function mapUuid(ctx: ImportContext): void {
  for (const opt of ctx.take('-uuid')) {
    if (!UUID_RE.test(opt.value ?? ''))
      throw ctx.error(opt, 'expected a UUID such as c7a5fdbd-edaf-9455-926a-d65c16db1809');
    ctx.domain.uuid = { value: (opt.value as string).toLowerCase() };
  }
}

function timer(ctx: ImportContext, name: string, attrs: { tickpolicy?: string; track?: string }): void {
  const timers = ((ctx.domain.clock ??= {}).timer ??= []);
  const t = timers.find((x) => x.name === name);
  if (t) Object.assign(t, attrs);
  else timers.push({ name, ...attrs });
}

/** `-rtc base=utc|localtime,clock=host|rt|vm,driftfix=slew`, `-localtime`. */
function mapClock(ctx: ImportContext): void {
  const clock = (ctx.domain.clock ??= {});
  if (ctx.take('-localtime').length) clock.offset = 'localtime';
  for (const opt of ctx.take('-rtc')) {
    const p = ctx.props(opt);
    const base = p.str('base');
    if (base === 'utc' || base === 'localtime') clock.offset = base;
    else if (base !== undefined) {
      opt.consumed = false; // a start date: libvirt's offset='absolute' takes epoch seconds, keep it as written
      continue;
    }
    if (p.str('driftfix') === 'slew') timer(ctx, 'rtc', { tickpolicy: 'catchup' });
    const track = p.str('clock');
    if (track === 'vm') timer(ctx, 'rtc', { track: 'guest' });
    else if (track === 'rt') timer(ctx, 'rtc', { track: 'realtime' });
    else if (track === 'host') p.ignore('clock');
    p.ignore('driftfix');
    ctx.reportUnused(opt, p);
  }
  clock.offset ??= 'utc';
}

const BOOT_DEVS: Record<string, string> = {
  a: 'fd',
  b: 'fd',
  c: 'hd',
  d: 'cdrom',
  n: 'network',
  o: 'network',
  p: 'network',
};

/** `-boot order=dc,menu=on,splash-time=…,reboot-timeout=…` (also the bare `-boot d`). */
function mapBoot(ctx: ImportContext): void {
  for (const opt of ctx.take('-boot')) {
    const p = ctx.props(opt);
    const os = (ctx.domain.os ??= {});
    const order = p.str('order') ?? p.str('once');
    if (order) {
      const bad = [...order].filter((c) => !BOOT_DEVS[c]);
      if (bad.length) throw ctx.error(opt, `unknown boot device '${bad.join('')}' (expected a, c, d or n)`);
      os.boot = [...new Set([...order].map((c) => BOOT_DEVS[c] as string))].map((dev) => ({ dev }));
    }
    const menu = p.bool('menu');
    const splash = p.int('splash-time');
    if (menu !== undefined)
      os.bootmenu = { enable: menu, ...(splash !== undefined && menu ? { timeout: splash } : {}) };
    const reboot = p.int('reboot-timeout');
    if (reboot !== undefined && (reboot < -1 || reboot > 65535))
      throw p.error('reboot-timeout', 'expected -1 to 65535 milliseconds');
    if (reboot !== undefined) os.bios = { ...os.bios, rebootTimeout: reboot };
    p.ignore('strict', 'splash-time');
    ctx.reportUnused(opt, p);
  }
}

/** `-global` properties libvirt has elements for (the rest are kept as written). */
function mapGlobals(ctx: ImportContext): void {
  for (const opt of ctx.find('-global')) {
    const m = /^([^.=]+)\.([^=]+)=(.*)$/.exec(opt.value ?? '');
    if (!m) continue;
    const [, driver, prop, value] = m as unknown as [string, string, string, string];
    if (applyGlobal(ctx, driver, prop, value)) opt.consumed = true;
  }
}

function applyGlobal(ctx: ImportContext, driver: string, prop: string, value: string): boolean {
  if ((driver === 'PIIX4_PM' || driver === 'ICH9-LPC') && (prop === 'disable_s3' || prop === 'disable_s4')) {
    const pm = (ctx.domain.pm ??= {});
    pm[prop === 'disable_s3' ? 'suspend-to-mem' : 'suspend-to-disk'] = { enabled: value === '0' };
    return true;
  }
  if (driver === 'kvm-pit' && prop === 'lost_tick_policy') {
    timer(ctx, 'pit', { tickpolicy: value === 'discard' ? 'discard' : 'delay' });
    return true;
  }
  // libvirt's default with the iTCO watchdog it adds to q35 machines.
  return driver === 'ICH9-LPC' && prop === 'noreboot' && value === 'off';
}

type SmbiosBlock = 'bios' | 'system' | 'baseBoard' | 'chassis';
const SMBIOS_BLOCKS: Record<string, SmbiosBlock> = {
  '0': 'bios',
  '1': 'system',
  '2': 'baseBoard',
  '3': 'chassis',
};

/** The fields libvirt's schema has per block (QEMU's names, which libvirt shares). */
const SMBIOS_FIELDS: Record<SmbiosBlock, string[]> = {
  bios: ['vendor', 'version', 'date', 'release'],
  system: ['manufacturer', 'product', 'version', 'serial', 'uuid', 'sku', 'family'],
  baseBoard: ['manufacturer', 'product', 'version', 'serial', 'asset', 'location'],
  chassis: ['manufacturer', 'version', 'serial', 'asset', 'sku'],
};

/** `-smbios type=1,manufacturer=…,product=…` -> `<sysinfo type='smbios'>` + `<smbios mode='sysinfo'/>`. */
function mapSmbios(ctx: ImportContext): void {
  for (const opt of ctx.find('-smbios')) {
    const p = ctx.props(opt);
    const block = SMBIOS_BLOCKS[p.str('type') ?? ''];
    if (!block || p.has('file')) continue;
    const entries = p.entries.filter((e) => e.key !== 'type' && e.value !== undefined);
    if (entries.some((e) => !SMBIOS_FIELDS[block]?.includes(e.key))) continue; // kept as written
    opt.consumed = true;
    if (!entries.length) {
      ctx.warn(`${describeOpt(opt)}: sets no field, as QEMU reads it; nothing to carry over`);
      continue;
    }
    const sysinfo = sysinfoOf(ctx, 'smbios');
    const target = (sysinfo[block] ??= {});
    for (const e of entries) (target.entry ??= []).push({ name: e.key, value: String(e.value) });
    p.ignore(...p.entries.map((e) => e.key));
    (ctx.domain.os ??= {}).smbios = { mode: 'sysinfo' };
  }
}

const WATCHDOG_ACTIONS = ['reset', 'shutdown', 'poweroff', 'pause', 'none', 'dump', 'inject-nmi'];
const WATCHDOG_MODELS = ['i6300esb', 'ib700', 'diag288', 'itco'];

/** `-watchdog MODEL -watchdog-action ACTION`; `-watchdog-action reset` alone is libvirt's q35 default. */
function mapWatchdog(ctx: ImportContext): void {
  const actionOpt = ctx.take('-watchdog-action').pop();
  const action = actionOpt?.value;
  if (actionOpt && !WATCHDOG_ACTIONS.includes(action ?? ''))
    throw ctx.error(actionOpt, `expected one of ${WATCHDOG_ACTIONS.join(', ')}`);
  for (const opt of ctx.find('-watchdog'))
    if (!WATCHDOG_MODELS.includes((opt.value ?? '').toLowerCase()))
      throw ctx.error(opt, `expected one of ${WATCHDOG_MODELS.join(', ')}`);
  for (const opt of ctx.take('-watchdog')) watchdog(ctx, { model: (opt.value ?? '').toLowerCase() });
  const dog = ctx.list('watchdog')[0];
  if (dog && action) dog.action ??= action;
  if (!dog && action && action !== 'reset') {
    ctx.warn(`-watchdog-action ${action}: there is no watchdog device to act on; not carried over`);
  }
}

/** libvirt 9.0 takes one watchdog: as in QEMU, the last one given wins. */
function watchdog(ctx: ImportContext, dog: DomainWatchdog): void {
  (ctx.domain.devices ??= {}).watchdog = [dog];
}

function watchdogDevice(dev: DeviceOpt, ctx: ImportContext): void {
  ignoreCommon(dev.props);
  const address = pciAddress(ctx, dev);
  watchdog(ctx, { model: dev.driver, ...(address ? { address } : {}) });
}

/** `virtio-balloon-pci` -> `<memballoon model='virtio'>`; without one, `model='none'` (QEMU has none by default). */
function balloon(dev: DeviceOpt, ctx: ImportContext): void {
  const p = dev.props;
  ignoreCommon(p);
  const deflate = p.bool('deflate-on-oom');
  const address = pciAddress(ctx, dev);
  (ctx.domain.devices ??= {}).memballoon = {
    model: 'virtio',
    ...(deflate !== undefined ? { autodeflate: deflate } : {}),
    ...(address ? { address } : {}),
  };
}

export function finishBalloon(ctx: ImportContext): void {
  const devices = (ctx.domain.devices ??= {});
  devices.memballoon ??= { model: 'none' };
}

export const miscHandlers: Record<string, DeviceHandler> = {
  'virtio-balloon-pci': balloon,
  'virtio-balloon': balloon,
  'virtio-balloon-ccw': balloon,
  vmgenid: (dev, ctx) => {
    const guid = dev.props.matching(
      'guid',
      /^(auto|[0-9a-f]{8}(-[0-9a-f]{4}){3}-[0-9a-f]{12})$/i,
      'auto or a UUID',
    );
    ignoreCommon(dev.props);
    ctx.domain.genid = guid === undefined || guid === 'auto' ? {} : { value: guid.toLowerCase() };
    return true;
  },
  i6300esb: watchdogDevice,
  ib700: watchdogDevice,
};
