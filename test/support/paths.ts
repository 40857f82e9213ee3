/** Paths tests use. Jest runs from the repository root; tests are compiled into build/. */
import path from 'node:path';

export const REPO = process.cwd();
export const BIN = path.join(REPO, 'bin', 'virt-gen');
export const EXAMPLES = path.join(REPO, 'examples');
export const GOLDEN = path.join(REPO, 'test', 'golden');
export const SHARED = path.resolve(REPO, '..', 'shared');
