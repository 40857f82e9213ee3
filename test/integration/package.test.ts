/**
 * virt-gen as a user installs it: the packed tarball installed into a fresh prefix, run from
 * another folder, as root and as `nobody`. `init` writes a config and a tsconfig.json that the
 * project's own TypeScript checks against the installed package's declarations (no npm link, no
 * node_modules in the folder); a typo is a type error naming the field.
 *
 * One pack and one install per run (beforeAll); the install needs jiti, the one runtime dependency,
 * from the npm cache or registry.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import {
  chmodSync,
  existsSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { REPO } from '../support/paths.js';
import { run, type RunResult } from '../support/run.js';

const work = mkdtempSync(path.join(tmpdir(), 'vg-cli-pack-'));
// nobody must reach the installed package and its own folders.
chmodSync(work, 0o755);
const prefix = path.join(work, 'prefix');
const bin = path.join(prefix, 'bin', 'virt-gen');
const TSC = path.join(REPO, 'node_modules', 'typescript', 'bin', 'tsc');
let tarball = '';
let files: string[] = [];

beforeAll(() => {
  const pack = run('npm', ['pack', '--ignore-scripts', '--json', '--pack-destination', work], { cwd: REPO });
  expect(pack.status).toBe(0);
  const [info] = JSON.parse(pack.stdout) as Array<{ filename: string; files: Array<{ path: string }> }>;
  tarball = path.join(work, info?.filename ?? '');
  files = (info?.files ?? []).map((f) => f.path);
  const install = run(
    'npm',
    ['install', '-g', '--prefix', prefix, '--prefer-offline', '--no-audit', '--no-fund', tarball],
    { cwd: work },
  );
  expect(install.stderr).not.toMatch(/ERR!/);
  expect(install.status).toBe(0);
}, 180_000);

afterAll(() => rmSync(work, { recursive: true, force: true }));

/** The installed CLI, as root or as nobody, in `cwd`. */
function virtGen(args: string[], cwd: string, user?: 'nobody'): RunResult {
  const env = { HOME: cwd, XDG_CACHE_HOME: path.join(cwd, '.cache'), PATH: process.env.PATH ?? '' };
  return user ? run('runuser', ['-u', user, '--', bin, ...args], { cwd, env }) : run(bin, args, { cwd, env });
}

function tsc(project: string, user?: 'nobody'): RunResult {
  const args = [TSC, '--noEmit', '-p', project];
  return user ? run('runuser', ['-u', user, '--', process.execPath, ...args]) : run(process.execPath, args);
}

describe('the packed tarball', () => {
  it('holds what it runs and its declarations; no tests, fixtures or build output', () => {
    expect(files).toEqual(
      expect.arrayContaining(['bin/virt-gen', 'dist/cli.js', 'dist/index.js', 'types/index.d.ts']),
    );
    expect(files.filter((f) => /^(test|build|bench|scripts|src)\//.test(f))).toEqual([]);
    const pkg = JSON.parse(readFileSync(path.join(REPO, 'package.json'), 'utf8')) as {
      exports: Record<string, { types: string; default: string }>;
    };
    for (const target of Object.values(pkg.exports['.'] ?? {}))
      expect(files).toContain(target.replace(/^\.\//, ''));
  });

  it('installs its manual page, which man renders with every command and no groff warning', () => {
    const page = path.join(prefix, 'share', 'man', 'man1', 'virt-gen.1');
    expect(existsSync(page)).toBe(true);
    const lint = run('groff', ['-man', '-ww', '-z', page]);
    expect(lint.stderr).toBe('');
    const shown = run('man', ['-l', page], { env: { MANWIDTH: '100', PATH: process.env.PATH ?? '' } });
    expect(shown.status).toBe(0);
    const help = run(bin, ['--help']).stdout;
    const listed = help.slice(help.indexOf('\nCommands:'), help.indexOf('\nExamples:'));
    const commands = [...listed.matchAll(/^ {2}([a-z]+) /gm)].map((m) => m[1]).filter((c) => c !== 'help');
    expect(commands.length).toBeGreaterThan(8);
    for (const c of commands) expect(shown.stdout).toContain(`virt-gen ${c} `);
    for (const section of ['EXIT STATUS', 'ENVIRONMENT', 'FILES', 'SEE ALSO'])
      expect(shown.stdout).toContain(section);
  });
});

describe.each([['root'], ['nobody']] as const)('installed, run as %s from another folder', (who) => {
  const user = who === 'nobody' ? 'nobody' : undefined;
  const home = mkdtempSync(path.join(work, `home-${who}-`));
  chmodSync(home, 0o777);

  it('--version', () => {
    const r = virtGen(['--version'], home, user);
    expect(r.stderr).toBe('');
    expect(r.stdout.trim()).toBe(JSON.parse(readFileSync(path.join(REPO, 'package.json'), 'utf8')).version);
  });

  it('init writes a config and a tsconfig.json; tsc checks it against the installed types', () => {
    const r = virtGen(['init', 'vm'], home, user);
    expect(r.status).toBe(0);
    const dir = path.join(home, 'vm');
    expect(readdirSync(dir).sort()).toEqual(['gaming.ts', 'tsconfig.json']);
    const tsconfig = JSON.parse(readFileSync(path.join(dir, 'tsconfig.json'), 'utf8')) as {
      compilerOptions: { paths: Record<string, string[]> };
    };
    expect(tsconfig.compilerOptions.paths['virt-gen']?.[0]).toMatch(
      new RegExp(`^${prefix}/lib/node_modules/virt-gen/`),
    );
    const check = tsc(dir, user);
    expect(check.stdout + check.stderr).toBe('');
    expect(check.status).toBe(0);
    expect(existsSync(path.join(dir, 'node_modules'))).toBe(false);
  });

  it('xml of the config init wrote', () => {
    const r = virtGen(['xml', 'vm/gaming.ts'], home, user);
    expect(r.stderr).toBe('');
    expect(r.stdout).toContain('<name>win-gaming</name>');
    expect(r.status).toBe(0);
  });

  // The editor's side once (as root): tsserver takes seconds on a loaded machine.
  const asRootOnly = user ? it.skip : it;
  asRootOnly("the editor's TypeScript server shows a field's documentation and completes the fields", () => {
    const file = path.join(home, 'vm', 'gaming.ts');
    const line =
      readFileSync(file, 'utf8')
        .split('\n')
        .findIndex((l) => l.startsWith('  memory:')) + 1;
    const request = (seq: number, command: string, args: object): string =>
      JSON.stringify({ seq, type: 'request', command, arguments: { file, ...args } }) + '\n';
    const input =
      request(1, 'open', {}) +
      request(2, 'quickinfo', { line, offset: 4 }) +
      request(3, 'completionInfo', { line, offset: 3 });
    const tsserver = path.join(REPO, 'node_modules', 'typescript', 'lib', 'tsserver.js');
    const r = user
      ? run('runuser', ['-u', user, '--', process.execPath, tsserver], { input, cwd: home })
      : run(process.execPath, [tsserver], { input, cwd: home });
    const responses = r.stdout
      .split('\n')
      .filter((l) => l.startsWith('{'))
      .map((l) => JSON.parse(l) as { request_seq?: number; body?: Record<string, unknown> });
    const hover = responses.find((m) => m.request_seq === 2)?.body as { documentation?: string } | undefined;
    expect(hover?.documentation).toContain('Guest RAM');
    const completion = responses.find((m) => m.request_seq === 3)?.body as {
      entries?: Array<{ name: string }>;
    };
    expect(completion.entries?.map((e) => e.name)).toEqual(
      expect.arrayContaining(['hugepages', 'gpu', 'usb']),
    );
  });

  it('a typo in the config is a type error naming it', () => {
    const typo = path.join(home, 'typo');
    expect(virtGen(['init', 'typo'], home, user).status).toBe(0);
    const file = path.join(typo, 'gaming.ts');
    writeFileSync(file, readFileSync(file, 'utf8').replace('memory:', 'memroy:'));
    const check = tsc(typo, user);
    expect(check.stdout).toMatch(
      /gaming\.ts\(\d+,\d+\): error TS\d+: .*'memroy' does not exist in type 'VmConfig'/,
    );
    expect(check.status).not.toBe(0);
  });

  it('init refuses to overwrite, and changes nothing', () => {
    const before = readFileSync(path.join(home, 'vm', 'gaming.ts'), 'utf8');
    const r = virtGen(['init', 'vm'], home, user);
    expect(r.stderr).toContain('exist: nothing written (--force replaces them)');
    expect(r.status).toBe(1);
    expect(readFileSync(path.join(home, 'vm', 'gaming.ts'), 'utf8')).toBe(before);
  });
});
