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
import { QEMU_CONF } from '../qemu-conf.js';
import { listDir, pathExists, readText, readTrimmed, underRoot } from '../read.js';

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
}

export interface DoctorEnv {
  /** Checks run against the running host (root '/'): device nodes must be real devices there. */
  live: boolean;
  qemuConf?: string;
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
    readText(root, QEMU_CONF),
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
  if (qemuConf !== undefined) env.qemuConf = qemuConf;
  if (clocksource !== undefined) env.clocksource = clocksource;
  if (ignoreMsrs !== undefined) env.ignoreMsrs = ignoreMsrs;
  if (splitLock !== undefined) env.splitLockMitigate = splitLock;
  if (needs) Object.assign(env, await tryPlan(facts, needs, root, opts.planOptions ?? {}));
  if (needs) env.bootTime = await readBootTime(facts, needs, root);
  if (opts.checkLibvirt)
    env.libvirt = await opts.checkLibvirt().catch((e: unknown) => ({ ok: false, error: String(e) }));
  return env;
}
