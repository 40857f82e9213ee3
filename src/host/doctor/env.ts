/**
 * Everything `doctor` reads besides HostFacts: config files, firmware, tuning knobs, the host plan.
 * Read once here; the checks are pure functions of (facts, env, needs).
 */
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { readAppArmorState, type AppArmorState } from '../apparmor.js';
import { HostError } from '../errors.js';
import { readDeviceNode, type DeviceNodeFacts, type HostFacts } from '../facts.js';
import type { HostNeeds } from '../needs.js';
import { planBoot, type BootPlan } from '../boot/index.js';
import { planModules, type ModulesPlan } from '../modules/index.js';
import { planHost, type HostPlan, type PlanOptions } from '../plan.js';
import type { Domain } from '../../domain/model.js';
import { readHostText } from '../host-file.js';
import { QEMU_CONF } from '../qemu-conf.js';
import { inspectVmPaths, type VmPathsReport } from '../vm-paths.js';
import { listDir, pathExists, readTrimmed, underRoot } from '../read.js';
import { checkHookFile, type HookCheck } from '../runtime-hook.js';

export interface RomFile {
  path: string;
  exists: boolean;
  /** Starts with the PCI expansion ROM signature 0x55 0xAA. */
  signature?: boolean;
}

export interface LibvirtStatus {
  ok: boolean;
  /** e.g. `9.0.0` */
  version?: string;
  error?: string;
  /** LibvirtError's kind when it failed: access denied and "not running" have different fixes. */
  kind?: string;
}

export interface DoctorEnv {
  /** Checks run against the running host (root '/'): device nodes must be real devices there. */
  live: boolean;
  qemuConf?: string;
  /** qemu.conf exists but this user cannot read it (errno code, e.g. EACCES): not the same as absent. */
  qemuConfUnreadable?: string;
  apparmor: AppArmorState;
  ovmfCode: boolean;
  firmwareDescriptors: string[];
  clocksource?: string;
  ignoreMsrs?: string;
  splitLockMitigate?: string;
  deviceNodes: Array<{ path: string; node: DeviceNodeFacts }>;
  roms: RomFile[];
  /** The host plan for `needs`, or the error that prevented it (with its HostError code). */
  plan?: HostPlan;
  planError?: { message: string; code?: string };
  libvirt?: LibvirtStatus;
  /** The boot-time layers planned for `needs`: configured (no change left) or not. */
  bootTime?: { boot: BootPlan; modules: ModulesPlan };
  /** virt-gen's libvirt hook, read when the VM has a runtime plan. */
  runtimeHook?: HookCheck;
  /** With a config: its disk images, ROMs and evdev devices, and what is wrong with them. */
  vmPaths?: VmPathsReport;
}

async function readRom(root: string, p: string): Promise<RomFile> {
  const full = underRoot(root, p);
  try {
    const handle = await fs.open(full, 'r');
    try {
      const { buffer, bytesRead } = await handle.read(Buffer.alloc(2), 0, 2, 0);
      return {
        path: p,
        exists: true,
        signature: bytesRead === 2 && buffer[0] === 0x55 && buffer[1] === 0xaa,
      };
    } finally {
      await handle.close();
    }
  } catch {
    return { path: p, exists: await pathExists(root, p) };
  }
}

/**
 * A config file's text; `{ unreadable }` when it exists but this user may not read it (qemu.conf
 * is 0600 root on Debian); undefined when it does not exist.
 */
/** Read strictly and bounded (host-file.ts: no hang on a FIFO, links inside the root). */
async function readConf(root: string, p: string): Promise<string | { unreadable: string } | undefined> {
  try {
    return (await readHostText(root, p)).text;
  } catch (err) {
    // The errno code when there is one (EACCES), else what is wrong with the file (a FIFO, too large).
    let cause: unknown = err;
    while (cause instanceof Error && cause.cause !== undefined) cause = cause.cause;
    const code = (cause as NodeJS.ErrnoException).code;
    if (code === 'ENOTDIR') return undefined;
    return { unreadable: code ?? (err instanceof Error ? err.message : String(err)) };
  }
}

async function tryPlan(
  facts: HostFacts,
  needs: HostNeeds,
  root: string,
  opts: PlanOptions,
): Promise<Pick<DoctorEnv, 'plan' | 'planError'>> {
  try {
    return { plan: await planHost(facts, needs, root, opts) };
  } catch (err) {
    if (err instanceof HostError) return { planError: { message: err.message, code: err.code } };
    return { planError: { message: err instanceof Error ? err.message : String(err) } };
  }
}

/** The boot-time plans, or nothing when a boot file cannot be read as expected (plan names the error). */
async function readBootTime(
  facts: HostFacts,
  needs: HostNeeds,
  root: string,
): Promise<DoctorEnv['bootTime']> {
  try {
    const [boot, modules] = await Promise.all([
      planBoot(facts, needs, root),
      planModules(facts, needs, root),
    ]);
    return { boot, modules };
  } catch (err) {
    if (err instanceof HostError) return undefined;
    throw err;
  }
}

export interface DoctorReadOptions {
  needs?: HostNeeds;
  planOptions?: PlanOptions;
  /** The VM's domain: the files and devices it opens are checked. */
  domain?: Domain;
  /** Asks libvirt for its version; the CLI passes its backend here. */
  checkLibvirt?: () => Promise<LibvirtStatus>;
}

export async function readDoctorEnv(
  facts: HostFacts,
  root: string,
  opts: DoctorReadOptions = {},
): Promise<DoctorEnv> {
  const needs = opts.needs;
  const [qemuConf, apparmor, ovmfCode, descriptors, clocksource, ignoreMsrs, splitLock] = await Promise.all([
    readConf(root, QEMU_CONF),
    readAppArmorState(root),
    pathExists(root, '/usr/share/OVMF/OVMF_CODE_4M.fd'),
    listDir(root, '/usr/share/qemu/firmware'),
    readTrimmed(root, '/sys/devices/system/clocksource/clocksource0/current_clocksource'),
    readTrimmed(root, '/sys/module/kvm/parameters/ignore_msrs'),
    readTrimmed(root, '/proc/sys/kernel/split_lock_mitigate'),
  ]);
  const env: DoctorEnv = {
    live: path.resolve(root) === '/',
    apparmor,
    ovmfCode,
    firmwareDescriptors: descriptors.filter((d) => d.endsWith('.json')),
    deviceNodes: await Promise.all(
      (needs?.deviceNodes ?? []).map(async (p) => ({ path: p, node: await readDeviceNode(root, p) })),
    ),
    roms: await Promise.all((needs?.readFiles ?? []).map((p) => readRom(root, p))),
  };
  if (typeof qemuConf === 'string') env.qemuConf = qemuConf;
  else if (qemuConf) env.qemuConfUnreadable = qemuConf.unreadable;
  if (clocksource !== undefined) env.clocksource = clocksource;
  if (ignoreMsrs !== undefined) env.ignoreMsrs = ignoreMsrs;
  if (splitLock !== undefined) env.splitLockMitigate = splitLock;
  if (needs) Object.assign(env, await tryPlan(facts, needs, root, opts.planOptions ?? {}));
  if (needs) env.bootTime = await readBootTime(facts, needs, root);
  if (needs?.runtimeHook) env.runtimeHook = await checkHookFile(root);
  if (opts.domain) env.vmPaths = await inspectVmPaths(facts, root, opts.domain, env.qemuConf);
  if (opts.checkLibvirt)
    env.libvirt = await opts.checkLibvirt().catch((e: unknown) => ({ ok: false, error: String(e) }));
  return env;
}
