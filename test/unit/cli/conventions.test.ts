/**
 * virt-gen's command-line conventions, through the built CLI: global options before or after the
 * command, documented exit codes, --json on every command that reports, completion scripts.
 * Nothing here needs a running libvirt (an unreachable URI is the point of one test).
 */
import { afterAll, describe, expect, it } from '@jest/globals';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { spawn } from 'node:child_process';
import { BIN, EXAMPLES, REPO } from '../../support/paths.js';
import { run, virtGen } from '../../support/run.js';

const dir = mkdtempSync(path.join(tmpdir(), 'vg-cli-conv-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const MINIMAL = path.join(EXAMPLES, 'minimal.ts');
const MODERN = path.join(EXAMPLES, 'modern.ts');
const HOST = path.join(REPO, 'test', 'fixtures', 'hosts', 'amd-2ccd');
const NO_LIBVIRT = 'qemu+unix:///system?socket=/nonexistent/libvirt-sock';

describe('exit codes', () => {
  it('an unknown option is a usage error: exit 2', () => {
    const r = virtGen(['xml', MINIMAL, '--no-such-option']);
    expect(r.stderr).toContain("unknown option '--no-such-option'");
    expect(r.status).toBe(2);
  });

  it('an unknown command is a usage error: exit 2', () => {
    expect(virtGen(['definee', MINIMAL]).status).toBe(2);
  });

  it('--backend refuses values it does not know, before doing anything: exit 2', () => {
    const r = virtGen(['define', MINIMAL, '--backend', 'libvirtd', '--dry-run']);
    expect(r.stderr).toContain("argument 'libvirtd' is invalid. Allowed choices are auto, dbus, virsh");
    expect(r.status).toBe(2);
  });

  it('a --root that does not exist is a usage error naming it: exit 2', () => {
    const r = virtGen(['doctor', '--root', path.join(dir, 'missing')]);
    expect(r.stderr).toBe(`virt-gen: --root ${path.join(dir, 'missing')}: no such directory\n`);
    expect(r.status).toBe(2);
  });

  it('libvirt unreachable is exit 3, with -c before or after the command', () => {
    const before = virtGen(['-c', NO_LIBVIRT, '--backend', 'virsh', 'define', MINIMAL, '--root', HOST]);
    const after = virtGen(['define', MINIMAL, '--root', HOST, '-c', NO_LIBVIRT, '--backend', 'virsh']);
    for (const r of [before, after]) {
      expect(r.stderr).toContain(`cannot reach libvirt at ${NO_LIBVIRT}`);
      expect(r.status).toBe(3);
    }
  });

  it('a file system refusal is reported as such (exit 1), not as an internal error', () => {
    const folder = path.join(dir, 'a-folder');
    mkdirSync(folder);
    const r = virtGen(['xml', MINIMAL, '-o', folder]);
    expect(r.stderr).not.toContain('internal error');
    expect(r.stderr).toBe(
      `virt-gen: ${folder} is a directory, not a regular file: choose another output file\n`,
    );
    expect(r.status).toBe(1);
  });

  it('--help documents the exit codes and the global options', () => {
    const r = virtGen(['--help']);
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/Exit codes:\n {2}0 .*\n {2}1 .*\n {2}2 .*\n {2}3 .*\n {2}70 /);
    const sub = virtGen(['define', '--help']);
    expect(sub.stdout).toContain('Global Options:');
    expect(sub.stdout).toMatch(/-c, --connect <uri>/);
  });
});

describe('xml is offline and deterministic', () => {
  it("pin: 'auto' without --root: no pins, the same XML on every run, a note naming the config", () => {
    const a = virtGen(['xml', MODERN]);
    const b = virtGen(['xml', MODERN]);
    expect(a.status).toBe(0);
    expect(a.stdout).toBe(b.stdout);
    expect(a.stdout).not.toContain('<vcpupin');
    expect(a.stderr).toContain(`${MODERN}: cpu.pin 'auto'`);
    expect(a.stderr).toContain('--root /');
  });

  it('--root, before or after the command, gives the pins for that host', () => {
    const before = virtGen(['--root', HOST, 'xml', MODERN]);
    const after = virtGen(['xml', MODERN, '--root', HOST]);
    expect(before.stdout).toContain('<vcpupin');
    expect(before.stdout).toBe(after.stdout);
    expect(before.stderr).toBe('');
  });
});

describe('--json', () => {
  it('import --json: one JSON document with the XML and the warnings', () => {
    const args = path.join(dir, 'vm.args');
    writeFileSync(args, 'qemu-system-x86_64 -name vg-cli-json -m 1024 -smp 2 -no-such-flag\n');
    const r = virtGen(['--json', 'import', args]);
    expect(r.status).toBe(0);
    const doc = JSON.parse(r.stdout) as { xml: string; warnings: string[] };
    expect(doc.xml).toContain('<name>vg-cli-json</name>');
    expect(doc.warnings.join('\n')).toContain('-no-such-flag');
  });

  it('host plan --json, the option before or after the command', () => {
    const a = virtGen(['host', 'plan', MINIMAL, '--root', HOST, '--json']);
    const b = virtGen(['--json', '--root', HOST, 'host', 'plan', MINIMAL]);
    expect(a.status).toBe(0);
    expect(JSON.parse(a.stdout)).toEqual(JSON.parse(b.stdout));
  });

  it('a failure with --json is still one JSON document on stdout, with the exit code', () => {
    const r = virtGen(['--json', '-c', NO_LIBVIRT, '--backend', 'virsh', 'define', MINIMAL, '--root', HOST]);
    expect(r.status).toBe(3);
    expect(JSON.parse(r.stdout)).toEqual({
      error: expect.stringContaining('cannot reach libvirt'),
      exitCode: 3,
    });
  });

  it('doctor --json is JSON even when the host is not ready', () => {
    const r = virtGen(['doctor', '--root', HOST, '--json']);
    const doc = JSON.parse(r.stdout) as { ready: boolean; findings: unknown[] };
    expect(doc.findings.length).toBeGreaterThan(0);
    expect(r.status).toBe(doc.ready ? 0 : 1);
  });
});

describe('a reader that stops early (virt-gen … | head)', () => {
  it("is no error: no stack trace, and the exit code is the command's own", async () => {
    for (const args of [
      ['define', '--help'],
      ['xml', path.join(EXAMPLES, 'gaming.ts')],
    ]) {
      const child = spawn(process.execPath, [BIN, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
      child.stdout.destroy(); // the reader is gone before virt-gen writes
      let stderr = '';
      child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
      const code = await new Promise((resolve) => child.on('close', resolve));
      expect(stderr).toBe('');
      expect(code).toBe(0);
    }
  });
});

describe('virt-gen completion', () => {
  const bash = virtGen(['completion', 'bash']);
  const file = path.join(dir, 'virt-gen.bash');
  writeFileSync(file, bash.stdout);

  /** What bash completes for the words typed so far (the last one being completed). */
  function complete(...words: string[]): string[] {
    const script = `source ${JSON.stringify(file)}; COMP_WORDS=(${words.map((w) => `'${w}'`).join(' ')}); COMP_CWORD=${words.length - 1}; _virt_gen; printf '%s\\n' "\${COMPREPLY[@]}"`;
    const r = run('bash', ['-c', script], { cwd: dir });
    expect(r.stderr).toBe('');
    return r.stdout.split('\n').filter(Boolean);
  }

  it('bash: valid syntax, and completes commands, options of the command, and --backend values', () => {
    expect(bash.status).toBe(0);
    expect(run('bash', ['-n', file]).status).toBe(0);
    expect(complete('virt-gen', 'de')).toEqual(['define']);
    expect(complete('virt-gen', 'define', 'x.ts', '--dr')).toEqual(['--dry-run']);
    expect(complete('virt-gen', '-c', 'qemu:///system', 'define', '--ba')).toEqual(['--backend']);
    expect(complete('virt-gen', 'xml', '--backend', '')).toEqual(['auto', 'dbus', 'virsh']);
  });

  /** What a real zsh (through compinit, in a pty) offers for the words typed so far. */
  function zshComplete(line: string): string[] {
    const fpath = mkdtempSync(path.join(dir, 'zsh-'));
    writeFileSync(path.join(fpath, '_virt-gen'), virtGen(['completion', 'zsh']).stdout);
    const out = path.join(fpath, 'offered');
    const r = run('zsh', [path.join(REPO, 'test/support/zsh-complete.zsh'), fpath, out, line]);
    expect(r.status).toBe(0);
    return readFileSync(out, 'utf8').split('\n').filter(Boolean).sort();
  }

  /** What a real fish offers (`complete -C`), the candidates without their descriptions. */
  function fishComplete(line: string): string[] {
    const file = path.join(dir, 'virt-gen.fish');
    writeFileSync(file, virtGen(['completion', 'fish']).stdout);
    const r = run('fish', ['-c', `source ${file}; complete -C ${JSON.stringify(line)}`]);
    expect(r.stderr).toBe('');
    return r.stdout
      .split('\n')
      .filter(Boolean)
      .map((l) => l.split('\t')[0] ?? '')
      .sort();
  }

  it('zsh: valid syntax; completes commands, options of the command, and --backend values', () => {
    const file = path.join(dir, '_virt-gen');
    writeFileSync(file, virtGen(['completion', 'zsh']).stdout);
    expect(run('zsh', ['-n', file]).status).toBe(0);
    expect(zshComplete('virt-gen de')).toEqual(['define']);
    expect(zshComplete('virt-gen xml --backend ')).toEqual(['auto', 'dbus', 'virsh']);
    expect(zshComplete('virt-gen define x.ts --dr')).toContain('--dry-run');
  });

  it('fish: valid syntax; completes commands, options of the command, and --backend values', () => {
    const file = path.join(dir, 'virt-gen.fish');
    writeFileSync(file, virtGen(['completion', 'fish']).stdout);
    expect(run('fish', ['-n', file]).status).toBe(0);
    expect(fishComplete('virt-gen de')).toEqual(['define']);
    expect(fishComplete('virt-gen xml --backend ')).toEqual(['auto', 'dbus', 'virsh']);
    expect(fishComplete('virt-gen define x.ts --dr')).toEqual(['--dry-run']);
  });

  it('zsh and fish: scripts that name every command', () => {
    for (const shell of ['zsh', 'fish']) {
      const r = virtGen(['completion', shell]);
      expect(r.status).toBe(0);
      for (const cmd of ['init', 'define', 'xml', 'import', 'host', 'doctor', 'discover']) {
        expect(r.stdout).toContain(shell === 'zsh' ? `'${cmd}:` : `-a ${cmd} `);
      }
    }
  });

  it('an unknown shell is a usage error', () => {
    const r = virtGen(['completion', 'tcsh']);
    expect(r.stderr).toContain('completion tcsh: expected one of bash, zsh, fish');
    expect(r.status).toBe(2);
  });
});

describe('errors name the config file', () => {
  it('a config with a bad value: the message names the file, the file is untouched', () => {
    const cfg = path.join(dir, 'bad.ts');
    writeFileSync(
      cfg,
      "import { defineVm } from 'virt-gen';\nexport default defineVm({ name: 1 } as never);\n",
    );
    const r = virtGen(['xml', cfg]);
    expect(r.stderr).toContain(cfg);
    expect(r.status).toBe(1);
    expect(readFileSync(cfg, 'utf8')).toContain('name: 1');
  });
});
