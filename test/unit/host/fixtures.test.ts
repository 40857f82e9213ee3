/** The fixture trees must be what a clean clone gets: git keeps files and links, never empty folders. */
import { expect, it } from '@jest/globals';
import { readdirSync } from 'node:fs';
import path from 'node:path';

function emptyDirs(dir: string): string[] {
  const entries = readdirSync(dir, { withFileTypes: true });
  if (entries.length === 0) return [dir];
  return entries.filter((e) => e.isDirectory()).flatMap((e) => emptyDirs(path.join(dir, e.name)));
}

it('no fixture folder is empty (git would drop it, and the test would pass here but not in CI)', () => {
  expect(emptyDirs(path.join('test', 'fixtures'))).toEqual([]);
});
