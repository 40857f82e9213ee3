/**
 * What the hook changed for one running domain, so `release end` undoes exactly that and no more:
 * pages it added to each pool, governors it replaced, whether it restricted the host's slices.
 * Kept under the root's /run (cleared at boot, like the changes themselves).
 */
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { writeFileAtomic } from '../host/files.js';
import { underRoot } from '../host/read.js';

export interface HookState {
  /** nr_hugepages files and how many pages the hook added to each. */
  pages: Array<{ file: string; added: number }>;
  /** scaling_governor files and the governor each had before. */
  governors: Array<{ file: string; before: string }>;
  isolated: boolean;
}

export const STATE_DIR = '/run/virt-gen/hook';

export const emptyState = (): HookState => ({ pages: [], governors: [], isolated: false });

const stateFile = (root: string, domain: string): string =>
  underRoot(root, path.posix.join(STATE_DIR, `${encodeURIComponent(domain)}.json`));

export async function loadState(root: string, domain: string): Promise<HookState> {
  try {
    const parsed = JSON.parse(await fs.readFile(stateFile(root, domain), 'utf8')) as Partial<HookState>;
    return { ...emptyState(), ...parsed };
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return emptyState();
    throw err;
  }
}

export async function saveState(root: string, domain: string, state: HookState): Promise<void> {
  const file = stateFile(root, domain);
  if (state.pages.length === 0 && state.governors.length === 0 && !state.isolated) {
    await fs.rm(file, { force: true });
    return;
  }
  await fs.mkdir(path.dirname(file), { recursive: true, mode: 0o700 });
  await writeFileAtomic(file, JSON.stringify(state) + '\n', 0o600);
}
