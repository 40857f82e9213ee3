/**
 * The CPU frequency governor of the vCPUs' CPUs while the VM runs (`started begin`), and each CPU's
 * previous governor back at `release end`. CPUs without cpufreq (VMs, some containers) are skipped.
 */
import { promises as fs } from 'node:fs';
import { parseCpuList } from '../host/cpulist.js';
import { listDir, readTrimmed, underRoot } from '../host/read.js';
import type { HookState } from './state.js';
import { bounded, type HookLog } from './util.js';

const CPU_DIR = '/sys/devices/system/cpu';
const LIMIT_MS = 5_000;

async function cpusOf(root: string, list: string | undefined): Promise<number[]> {
  if (list !== undefined) return parseCpuList(list);
  return (await listDir(root, CPU_DIR))
    .map((n) => /^cpu(\d+)$/.exec(n)?.[1])
    .filter((n): n is string => n !== undefined)
    .map(Number);
}

export async function setGovernor(
  root: string,
  plan: { name: string; cpus?: string },
  state: HookState,
  log: HookLog,
): Promise<void> {
  let skipped = 0;
  for (const cpu of await cpusOf(root, plan.cpus)) {
    const file = `${CPU_DIR}/cpu${cpu}/cpufreq/scaling_governor`;
    const before = await readTrimmed(root, file);
    if (before === undefined) {
      skipped++;
      continue;
    }
    if (before === plan.name) continue;
    try {
      await bounded(fs.writeFile(underRoot(root, file), plan.name), LIMIT_MS, `writing ${file}`);
      state.governors.push({ file, before });
    } catch (err) {
      log(`warning: ${file}: ${(err as Error).message}`);
    }
  }
  if (skipped > 0) log(`warning: ${skipped} CPU(s) have no cpufreq governor to set`);
}

export async function restoreGovernors(root: string, state: HookState, log: HookLog): Promise<void> {
  for (const { file, before } of state.governors) {
    try {
      await bounded(fs.writeFile(underRoot(root, file), before), LIMIT_MS, `writing ${file}`);
    } catch (err) {
      log(`warning: ${file}: could not restore ${before}: ${(err as Error).message}`);
    }
  }
  state.governors = [];
}
