/**
 * virt-gen's libvirt hook: `/etc/libvirt/hooks/qemu.d/virt-gen NAME OPERATION SUB-OPERATION EXTRA`
 * with the domain XML on stdin (libvirt `hooks.html`). It acts only on domains that carry virt-gen's
 * stamp and a runtime plan in `<metadata>` (hook/plan.ts); for every other domain and operation it
 * exits 0 at once. It never writes to stdout (libvirt reads it for some operations), never calls
 * libvirt (libvirt waits for the hook: a call back would deadlock), and bounds every wait.
 *
 *   prepare begin   allocate the VM's hugepages (a failure stops the start: exit 1, the pools as before)
 *   started begin   keep the host's slices on the host's CPUs; set the vCPUs' governor
 *   release end     undo both; free the pages the hook allocated
 */
import { readStamp } from '../define/stamp.js';
import { parseXml } from '../domain/xml-read.js';
import { setGovernor, restoreGovernors } from './governor.js';
import { allocatePages, freePages } from './hugepages.js';
import { isolate, release } from './isolate.js';
import { readRuntimePlan, RUNTIME_NS, type RuntimePlan } from './plan.js';
import { loadState, saveState } from './state.js';
import { HookFailure, type HookLog } from './util.js';

export interface HookRun {
  /** argv after the program: NAME OPERATION SUB-OPERATION EXTRA. */
  argv: string[];
  /** The domain XML libvirt wrote on stdin. */
  stdin: string;
  /** Every host path under this root ('/' on the host). */
  root: string;
  /** Where messages go (stderr; libvirt logs it and shows it when the hook fails). */
  log: HookLog;
}

/** The runtime plan of a virt-gen domain, or undefined for anyone else's (or unreadable XML). */
export function planOf(xml: string): RuntimePlan | undefined {
  // Most domains are not virt-gen's: skip the XML parser when the plan's namespace is not even there.
  if (!xml.includes(RUNTIME_NS)) return undefined;
  try {
    const domain = parseXml(xml);
    return readStamp(domain) ? readRuntimePlan(domain) : undefined;
  } catch {
    return undefined;
  }
}

type Step = (run: HookRun, name: string, plan: RuntimePlan) => Promise<void>;

const STEPS: Record<string, Step> = {
  'prepare begin': prepare,
  'started begin': started,
  'release end': released,
};

/** Whether the hook has anything to do for this call (else it exits at once, without reading stdin). */
export const handles = (argv: string[]): boolean =>
  Boolean(argv[0]) && STEPS[`${argv[1] ?? ''} ${argv[2] ?? ''}`] !== undefined;

/** Runs one hook call; the exit code libvirt sees. */
export async function runHook(run: HookRun): Promise<number> {
  const [name, op, subop] = run.argv;
  const step = STEPS[`${op ?? ''} ${subop ?? ''}`];
  if (!name || !step) return 0;
  const plan = planOf(run.stdin);
  if (!plan) return 0;
  const log: HookLog = (line) => run.log(`virt-gen hook: ${name} ${op ?? ''}: ${line}`);
  try {
    await step({ ...run, log }, name, plan);
    return 0;
  } catch (err) {
    log(err instanceof HookFailure ? err.message : `failed: ${(err as Error).stack ?? String(err)}`);
    return 1;
  }
}

async function prepare(run: HookRun, name: string, plan: RuntimePlan): Promise<void> {
  if (!plan.hugepages) return;
  const state = await loadState(run.root, name);
  try {
    await allocatePages(run.root, plan.hugepages, state, run.log);
  } catch (err) {
    // Pages added on an earlier node go back too: the start is refused with the pools as they were.
    await freePages(run.root, state, run.log);
    await saveState(run.root, name, state);
    throw err;
  }
  await saveState(run.root, name, state);
}

async function started(run: HookRun, name: string, plan: RuntimePlan): Promise<void> {
  const state = await loadState(run.root, name);
  try {
    if (plan.isolate && !state.isolated)
      state.isolated = await isolate(run.root, plan.isolate.hostCpus, run.log);
    if (plan.governor) await setGovernor(run.root, plan.governor, state, run.log);
  } finally {
    await saveState(run.root, name, state);
  }
}

async function released(run: HookRun, name: string): Promise<void> {
  const state = await loadState(run.root, name);
  try {
    if (state.isolated) await release(run.log);
    state.isolated = false;
    await restoreGovernors(run.root, state, run.log);
    await freePages(run.root, state, run.log);
  } finally {
    await saveState(run.root, name, state);
  }
}
