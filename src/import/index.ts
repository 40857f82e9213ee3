/**
 * `virt-gen import`: a QEMU command line (`vm.args`) -> a libvirt domain, never running what it reads.
 *
 *     text --tokenize--> words --splitOptions--> options --map/*--> Domain (+ warnings)
 *
 * Each mapper takes the options of its concern. What libvirt generates itself is understood and
 * dropped (map/internal.ts); everything no mapper took is kept in `<qemu:commandline>` and listed in a
 * warning, so nothing is silently lost.
 */
import { commandFromScript, isShellScript } from './script.js';
import type { Domain } from '../domain/model.js';
import { describeOpt, splitOptions, wordsOf, type Opt } from './argv.js';
import { ImportContext, type ImportOptions } from './context.js';
import { formatPosition } from './errors.js';
import { mapAudio } from './map/audio.js';
import { chardevHandlers, mapSerialParallel } from './map/chardev.js';
import { controllerHandlers } from './map/controllers.js';
import { mapCpu } from './map/cpu.js';
import { dispatchDevices, type DeviceHandler } from './map/devices.js';
import { diskHandlers, finishDisks, mapLegacyDrives, mapShortcutDrives } from './map/disks.js';
import { mapEnvironment } from './map/env.js';
import { mapFirmware } from './map/firmware.js';
import { hostdevHandlers, mapPcidevice } from './map/hostdev.js';
import { inputHandlers, mapEvdev } from './map/input.js';
import { mapInternal } from './map/internal.js';
import { mapIothreads } from './map/iothreads.js';
import { mapMachine } from './map/machine.js';
import { mapMemory } from './map/memory.js';
import { finishBalloon, mapMisc, miscHandlers } from './map/misc.js';
import { mapDefaultNic, mapLegacyNet, mapNic, networkHandlers } from './map/network.js';
import { mapNuma } from './map/numa.js';
import { mapPciControllers, registerBuiltinBuses } from './map/pci.js';
import { rngPanicHandlers } from './map/rng-panic.js';
import { shmemHandlers } from './map/shmem.js';
import { finishSound, mapSoundhw, soundHandlers } from './map/sound.js';
import { tpmHandlers } from './map/tpm.js';
import { mapUsbDefaults, mapUsbdevice, usbControllerHandlers, usbHandlers } from './map/usb.js';
import { mapDisplays, mapVga, videoHandlers } from './map/video.js';
import { parseCommandLine } from './tokenize.js';

export { ImportError } from './errors.js';
export { isShellScript } from './script.js';
export type { ImportOptions } from './context.js';
export { domainToConfigSource, type ConfigSourceOptions } from './config-source.js';

export interface ImportResult {
  domain: Domain;
  /** What was assumed, changed or kept verbatim: for stderr. */
  warnings: string[];
}

/** Devices other than controllers, dispatched once the buses exist. */
const DEVICE_HANDLERS: Record<string, DeviceHandler> = {
  ...diskHandlers,
  ...hostdevHandlers,
  ...usbHandlers,
  ...networkHandlers,
  ...soundHandlers,
  ...videoHandlers,
  ...inputHandlers,
  ...shmemHandlers,
  ...tpmHandlers,
  ...chardevHandlers,
  ...miscHandlers,
  ...rngPanicHandlers,
};

/** Imports the text of an args file. Throws ImportError (naming the argument) on bad input. */
export function importArgs(text: string, options: ImportOptions = {}): ImportResult {
  // A start script (the guide's qemu-start.sh) is read for the command line it would run.
  const script = isShellScript(text, options.fileName)
    ? commandFromScript(text, options.pwd ?? process.cwd())
    : undefined;
  const command = parseCommandLine(script?.text ?? text);
  const ctx = new ImportContext(command, splitOptions(command.args), options);
  for (const note of script?.notes ?? []) ctx.warn(note);
  noteCommand(ctx);
  mapInternal(ctx);
  mapMachine(ctx);
  registerBuiltinBuses(ctx);
  mapMemory(ctx);
  mapCpu(ctx);
  mapNuma(ctx);
  mapIothreads(ctx);
  mapAudio(ctx);
  mapPciControllers(ctx);
  dispatchDevices(ctx, { ...controllerHandlers, ...usbControllerHandlers });
  mapUsbDefaults(ctx);
  mapSerialParallel(ctx); // -serial takes the first ports, as in QEMU
  dispatchDevices(ctx, DEVICE_HANDLERS);
  mapFirmware(ctx);
  mapLegacyDrives(ctx);
  mapShortcutDrives(ctx);
  mapUsbdevice(ctx);
  mapPcidevice(ctx);
  mapLegacyNet(ctx);
  mapNic(ctx);
  mapDefaultNic(ctx);
  mapSoundhw(ctx);
  mapVga(ctx);
  mapEvdev(ctx);
  mapDisplays(ctx);
  mapMisc(ctx);
  mapName(ctx);
  finish(ctx);
  return { domain: ctx.domain, warnings: ctx.warnings };
}

/** Shell expansions left as written, the prefix's oddities, the wrappers dropped. */
function noteCommand(ctx: ImportContext): void {
  const { command } = ctx;
  for (const note of command.notes) ctx.warn(note);
  for (const t of [...command.env.map((e) => e.token), ...command.args]) {
    if (!t.expansions.length) continue;
    ctx.warn(
      `'${t.value}' at ${formatPosition(t)}: shell expansion ${t.expansions.join(', ')} left as written ` +
        '(virt-gen never runs the shell; replace it with the value)',
    );
  }
  if (!command.binary) ctx.warn('no QEMU binary before the options: x86_64 assumed');
}

/** `--name`, else `-name [guest=]NAME`, else the file name without its extension. */
function mapName(ctx: ImportContext): void {
  let fromArgs: string | undefined;
  for (const opt of ctx.take('-name')) {
    const p = ctx.props(opt);
    fromArgs = p.str('guest') ?? fromArgs;
    p.ignore('debug-threads', 'process');
    ctx.reportUnused(opt, p);
  }
  const base = ctx.options.fileName
    ?.split('/')
    .pop()
    ?.replace(/\.[^.]*$/, '');
  const name = ctx.options.name ?? fromArgs ?? (base || undefined);
  if (!name) {
    ctx.warn("no -name and no file name: the domain is named 'imported-vm'");
  }
  ctx.domain.name = { value: name ?? 'imported-vm' };
}

function finish(ctx: ImportContext): void {
  finishDisks(ctx);
  finishSound(ctx);
  finishBalloon(ctx);
  reconcileBoot(ctx);
  mapEnvironment(ctx);
  keepTheRest(ctx);
}

/**
 * libvirt refuses `<os><boot>` together with per-device `<boot order>`: `-boot order=` wins. Orders
 * start at 1 and are unique in libvirt; QEMU's bootindex starts at 0, may repeat and skip (Proxmox
 * writes 100, 102): renumbered 1, 2, … by rank, which is all the order means.
 */
function reconcileBoot(ctx: ImportContext): void {
  const devices = ctx.domain.devices ?? {};
  const lists = [devices.disk, devices.interface, devices.hostdev];
  const booted = lists.flatMap((l) => (l ?? []).flatMap((d) => (d.boot ? [d.boot] : [])));
  [...booted].sort((a, b) => (a.order ?? 0) - (b.order ?? 0)).forEach((b, i) => (b.order = i + 1));
  if (!ctx.domain.os?.boot?.length) return;
  let dropped = false;
  for (const list of lists) {
    for (const d of list ?? []) {
      if (d.boot) {
        delete d.boot;
        dropped = true;
      }
    }
  }
  if (dropped)
    ctx.warn(
      '-boot order= and bootindex= both given: the per-device boot order is dropped (libvirt takes one or the other)',
    );
}

/** Everything no mapper took: kept as written in `<qemu:commandline>`, each listed in a warning. */
function keepTheRest(ctx: ImportContext): void {
  const rest = ctx.opts.filter((o) => !o.consumed);
  for (const opt of rest) {
    ctx.qemuArgs.push(...wordsOf(rewriteBus(ctx, opt)));
    ctx.warn(
      `${describeOpt(opt)} (argument ${opt.index}, ${formatPosition(opt.token)}): kept in <qemu:commandline>`,
    );
  }
  if (!ctx.qemuArgs.length && !ctx.qemuEnv.length) return;
  ctx.domain.qemuCommandline = {
    ...(ctx.qemuArgs.length ? { arg: ctx.qemuArgs.map((value) => ({ value })) } : {}),
    ...(ctx.qemuEnv.length ? { env: ctx.qemuEnv } : {}),
  };
}

/**
 * A device kept verbatim may plug into a controller the import mapped (`bus=root.1`); libvirt names
 * that bus after the controller index (`pci.1`), so the reference is renamed.
 */
function rewriteBus(ctx: ImportContext, opt: Opt): Opt {
  if (opt.name !== '-device' || opt.value === undefined) return opt;
  const busName = ctx.props(opt).str('bus');
  const bus = busName === undefined ? undefined : ctx.buses.get(busName);
  if (!busName || !bus || bus.kind !== 'pci' || bus.controller === 0) return opt;
  const alias = `pci.${bus.controller}`;
  if (alias === busName) return opt;
  const value = opt.value.startsWith('{')
    ? opt.value.replace(`"bus":"${busName}"`, `"bus":"${alias}"`)
    : opt.value.replace(new RegExp(`(^|,)bus=${escapeRe(busName)}(?=,|$)`), `$1bus=${alias}`);
  ctx.warn(`${describeOpt(opt)}: bus '${busName}' renamed '${alias}', libvirt's name for that controller`);
  return { ...opt, value };
}

function escapeRe(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
