/**
 * doctor tells the truth to a normal user (run as `nobody` through runuser): a qemu.conf only root
 * may read is "cannot read", not "does not exist"; libvirt refusing the user is answered with the
 * libvirt group, not "start libvirtd". The AppArmor verdict is the host's, with or without a config.
 */
import { afterAll, describe, expect, it } from '@jest/globals';
import { chmodSync, cpSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { BIN, EXAMPLES, REPO } from '../support/paths.js';
import { run, virtGen } from '../support/run.js';

const dir = mkdtempSync(path.join(os.tmpdir(), 'vg-cli-doctor-'));
chmodSync(dir, 0o755);
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** A copy of a recorded host, with `edit` applied. */
function hostRoot(name: string, edit: (root: string) => void): string {
  const root = path.join(dir, name);
  cpSync(path.join(REPO, 'test', 'fixtures', 'hosts', 'guide'), root, {
    recursive: true,
    verbatimSymlinks: true,
  });
  edit(root);
  return root;
}

function asNobody(args: string[]): ReturnType<typeof run> {
  return run('runuser', ['-u', 'nobody', '--', process.execPath, BIN, ...args], {
    cwd: dir,
    env: { HOME: dir },
  });
}

interface Finding {
  id: string;
  status: string;
  what: string;
  fix: string;
}
const findings = (stdout: string): Finding[] => (JSON.parse(stdout) as { findings: Finding[] }).findings;

describe('doctor as a normal user', () => {
  it('a qemu.conf only root can read is "cannot read (run as root)", not "does not exist"', () => {
    const root = hostRoot('root-only-conf', (r) => {
      mkdirSync(path.join(r, 'etc', 'libvirt'), { recursive: true });
      writeFileSync(path.join(r, 'etc', 'libvirt', 'qemu.conf'), 'user = "libvirt-qemu"\n', { mode: 0o600 });
    });
    const r = asNobody(['doctor', '--root', root, '--json']);
    const conf = findings(r.stdout).find((f) => f.id === 'qemu-conf');
    expect(conf?.what).toBe('/etc/libvirt/qemu.conf: cannot read (EACCES; run as root)');
    expect(r.stdout).not.toContain('does not exist');
  });

  it('libvirt refusing this user: the fix is the libvirt group, not starting libvirtd', () => {
    const r = asNobody(['doctor', '--json']);
    const libvirt = findings(r.stdout).find((f) => f.id === 'libvirt');
    expect(libvirt?.status).toBe('fail');
    expect(libvirt?.fix).toContain('usermod -aG libvirt');
    expect(libvirt?.fix).not.toContain('start libvirtd');
  });
});

describe('the AppArmor verdict', () => {
  it('is the same with or without a config (AppArmor on, libvirt abstraction missing)', () => {
    const root = hostRoot('apparmor-no-abstraction', (r) => {
      mkdirSync(path.join(r, 'sys', 'module', 'apparmor', 'parameters'), { recursive: true });
      writeFileSync(path.join(r, 'sys', 'module', 'apparmor', 'parameters', 'enabled'), 'Y\n');
    });
    const bare = virtGen(['doctor', '--root', root, '--json']);
    const withConfig = virtGen(['doctor', path.join(EXAMPLES, 'minimal.ts'), '--root', root, '--json']);
    const verdict = (stdout: string): Finding | undefined =>
      findings(stdout).find((f) => f.id === 'apparmor');
    expect(verdict(bare.stdout)?.status).toBe('warn');
    expect(verdict(withConfig.stdout)).toEqual(verdict(bare.stdout));
  });
});
