/**
 * `prepare begin`: give the VM's pools the pages it needs; `release end`: take back what was added.
 * Caches are dropped and memory compacted first (a pool grows only from free, contiguous memory),
 * every write is read back, and a pool that did not grow enough is put back as it was before the
 * error stops the start: no half-allocated pool is left behind.
 */
import { promises as fs } from 'node:fs';
import { formatPageSize, poolDir } from '../host/memory.js';
import { readNumber, underRoot } from '../host/read.js';
import type { RuntimePlan } from './plan.js';
import type { HookState } from './state.js';
import { bounded, HookFailure, type HookLog } from './util.js';

type PagesPlan = NonNullable<RuntimePlan['hugepages']>;

const WRITE_LIMIT_MS = 30_000;

/** Writes one sysfs/procfs value; tests replace it to play a kernel that grants fewer pages. */
export type SysWrite = (root: string, file: string, value: string) => Promise<void>;

export const sysWrite: SysWrite = (root, file, value) =>
  bounded(fs.writeFile(underRoot(root, file), value), WRITE_LIMIT_MS, `writing ${file}`);

let writeValue: SysWrite = sysWrite;

/** For tests only: the kernel's side of a write (e.g. a pool that grows less than asked). */
export function setSysWriteForTest(write: SysWrite): void {
  writeValue = write;
}

/** Pages of the pool still free for a new mapping (the global pool also counts reservations). */
async function available(root: string, dir: string, global: boolean): Promise<number> {
  const free = (await readNumber(root, `${dir}/free_hugepages`)) ?? 0;
  const resv = global ? ((await readNumber(root, `${dir}/resv_hugepages`)) ?? 0) : 0;
  return Math.max(0, free - resv);
}

async function makeRoom(root: string, log: HookLog): Promise<void> {
  for (const [file, value] of [
    ['/proc/sys/vm/drop_caches', '3'],
    ['/proc/sys/vm/compact_memory', '1'],
  ] as const) {
    try {
      await writeValue(root, file, value);
    } catch (err) {
      log(`could not write ${file} (${(err as Error).message}): allocating without it`);
    }
  }
}

export async function allocatePages(
  root: string,
  plan: PagesPlan,
  state: HookState,
  log: HookLog,
): Promise<void> {
  let roomMade = false;
  for (const part of plan.pages) {
    const dir = poolDir(plan.sizeKiB, part.node);
    const file = `${dir}/nr_hugepages`;
    const missing = part.count - (await available(root, dir, part.node === undefined));
    if (missing <= 0) continue;
    if (!roomMade) await makeRoom(root, log);
    roomMade = true;
    const before = await readNumber(root, file);
    if (before === undefined) {
      throw new HookFailure(`the host has no ${formatPageSize(plan.sizeKiB)} pool at ${file}`);
    }
    await writeValue(root, file, String(before + missing));
    const after = (await readNumber(root, file)) ?? before;
    if (after < before + missing) {
      await writeValue(root, file, String(before));
      const where = part.node === undefined ? '' : ` on node ${part.node}`;
      throw new HookFailure(
        `could allocate only ${after - before} of the ${missing} ${formatPageSize(plan.sizeKiB)} hugepages ` +
          `still missing${where} (memory is too fragmented or too full); the pool is back at ${before}. ` +
          `Reserve them at boot (hugepagesz=${formatPageSize(plan.sizeKiB)} hugepages=…) or free memory`,
      );
    }
    state.pages.push({ file, added: missing });
    log(`${file}: ${before} -> ${after} (+${missing} for the VM)`);
  }
}

export async function freePages(root: string, state: HookState, log: HookLog): Promise<void> {
  for (const { file, added } of state.pages) {
    const now = await readNumber(root, file);
    if (now === undefined) continue;
    const target = Math.max(0, now - added);
    await writeValue(root, file, String(target));
    log(`${file}: ${now} -> ${target} (the VM's pages freed)`);
  }
  state.pages = [];
}
