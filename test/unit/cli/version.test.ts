import { expect, it } from '@jest/globals';
import { readFileSync } from 'node:fs';
import { VERSION } from '../../../src/cli/version.js';
import { virtGen } from '../../support/run.js';

it('--version prints the version of package.json', () => {
  const pkg = JSON.parse(readFileSync('package.json', 'utf8')) as { version: string };
  expect(VERSION).toBe(pkg.version);
  expect(virtGen(['--version']).stdout).toBe(`${pkg.version}\n`);
});
