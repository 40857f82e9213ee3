/**
 * "An error changes nothing", through the built CLI as root, on a fixture host (--root) and the
 * real libvirt: libvirt out of reach, a refusal, libvirt refusing the XML, and kill -9 at each
 * write step of `define`. The host files are compared byte for byte (qemu.conf carries a Latin-1
 * byte, which a text round trip would turn into U+FFFD).
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { spawn } from 'node:child_process';
import {
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  readdirSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { dumpInactive, requireLibvirt, undefine, virsh, virshOk } from '../support/libvirt.js';
import { BIN, EXAMPLES, REPO } from '../support/paths.js';
import { virtGen } from '../support/run.js';

const dir = mkdtempSync(path.join(os.tmpdir(), 'vg-define-faults-'));
const env = { VIRT_GEN_STATE_DIR: path.join(dir, 'state') };
const names: string[] = [];
const ORIGINAL = Buffer.from('# qemu.conf, caf\xe9 (Latin-1)\nuser = "libvirt-qemu"\n', 'latin1');

beforeAll(requireLibvirt);
afterAll(() => {
  names.forEach(undefine);
  rmSync(dir, { recursive: true, force: true });
});

/** The guide's host with a qemu.conf of its own, in a fresh folder. */
function fixtureRoot(label: string): string {
  const root = path.join(dir, `root-${label}`);
  cpSync(path.join(REPO, 'test', 'fixtures', 'hosts', 'guide'), root, { recursive: true });
  mkdirSync(path.join(root, 'etc', 'libvirt'), { recursive: true });
  writeFileSync(path.join(root, 'etc', 'libvirt', 'qemu.conf'), ORIGINAL);
  return root;
}

/** Every file under root/etc with its bytes, to compare a host before and after. */
function etcOf(root: string): Record<string, string> {
  const out: Record<string, string> = {};
  const walk = (d: string): void => {
    for (const e of readdirSync(d, { withFileTypes: true })) {
      const p = path.join(d, e.name);
      if (e.isDirectory()) walk(p);
      else out[path.relative(root, p)] = readFileSync(p).toString('hex');
    }
  };
  walk(path.join(root, 'etc'));
  return out;
}

/** examples/gaming.ts under a test name, with an optional extra field. */
function gamingAs(name: string, extra = ''): string {
  const src = readFileSync(path.join(EXAMPLES, 'gaming.ts'), 'utf8').replace(
    /name: '[^']*',/,
    `name: '${name}',${extra}`,
  );
  const file = path.join(dir, `${name}-${names.length}.ts`);
  writeFileSync(file, src);
  names.push(name);
  return file;
}

describe('define changes nothing on the host when it stops', () => {
  it('libvirt out of reach: exit non-zero, qemu.conf untouched, the message names the URI', () => {
    const root = fixtureRoot('unreachable');
    const before = etcOf(root);
    const uri = 'qemu+unix:///system?socket=/nonexistent';
    const r = virtGen(
      ['define', gamingAs('vg-define-unreach'), '--root', root, '-c', uri, '--backend', 'virsh'],
      {
        env,
      },
    );
    expect(r.status).not.toBe(0);
    expect(r.stderr).toContain(`cannot reach libvirt at ${uri}`);
    expect(r.stdout).not.toContain('wrote');
    expect(etcOf(root)).toEqual(before);
  });

  it('a domain virt-gen did not define: refused, nothing written, and "nothing was changed" is true', () => {
    const name = 'vg-define-foreign';
    const root = fixtureRoot('foreign');
    const config = gamingAs(name);
    const file = path.join(dir, `${name}.xml`);
    writeFileSync(
      file,
      `<domain type='qemu'><name>${name}</name><memory>131072</memory><os><type>hvm</type></os></domain>`,
    );
    virshOk(['define', file]);
    const before = etcOf(root);
    const xml = dumpInactive(name);
    const r = virtGen(['define', config, '--root', root], { env });
    expect(r.status).toBe(1);
    expect(r.stderr).toContain(
      `domain '${name}' exists and was not defined by virt-gen: nothing was changed`,
    );
    expect(etcOf(root)).toEqual(before);
    expect(dumpInactive(name)).toBe(xml);
  });

  it('libvirt refuses the XML after the host files were written: they are put back, and it says so', () => {
    const root = fixtureRoot('refused');
    const before = etcOf(root);
    const name = 'vg-define-refused';
    const r = virtGen(['define', gamingAs(name, " emulator: '/nonexistent/qemu',"), '--root', root], { env });
    expect(r.status).toBe(1);
    expect(r.stderr).toContain('libvirt refused the domain XML: Cannot check QEMU binary /nonexistent/qemu');
    expect(r.stderr).toContain(
      `the host files this run wrote were put back as they were: ${path.join(root, 'etc', 'libvirt', 'qemu.conf')}`,
    );
    expect(r.stderr).not.toContain('nothing was changed');
    expect(etcOf(root)).toEqual(before); // the backup made on the way is gone too
    expect(virsh(['domstate', name]).status).not.toBe(0);
  });
});

/** Runs the CLI until it reaches `step`, then kills it with SIGKILL. */
async function killAt(step: string, args: string[]): Promise<void> {
  const marker = path.join(dir, `marker-${step}`);
  rmSync(marker, { force: true });
  const child = spawn(process.execPath, [BIN, ...args], {
    env: {
      ...process.env,
      ...env,
      LC_ALL: 'C',
      VIRT_GEN_TEST_PAUSE_AT: step,
      VIRT_GEN_TEST_PAUSE_MARKER: marker,
    },
    stdio: 'ignore',
  });
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  const deadline = Date.now() + 30_000;
  while (!existsSync(marker)) {
    if (Date.now() > deadline || child.exitCode !== null) throw new Error(`never reached ${step}`);
    await new Promise((r) => setTimeout(r, 50));
  }
  child.kill('SIGKILL');
  await exited;
}

describe('kill -9 at each write step of define: the next run converges', () => {
  it.each(['host-written', 'first-define', 'stamp-define'])(
    'killed at %s',
    async (step) => {
      const name = `vg-define-kill-${step}`;
      undefine(name);
      const root = fixtureRoot(`kill-${step}`);
      const config = gamingAs(name);
      const args = ['define', config, '--root', root];
      await killAt(step, args);
      // Consistent: qemu.conf is whole (the original or the new one), and libvirt holds either
      // nothing or a domain of this config.
      const conf = readFileSync(path.join(root, 'etc', 'libvirt', 'qemu.conf'));
      expect(conf.equals(ORIGINAL) || conf.toString('latin1').includes('cgroup_device_acl')).toBe(true);
      if (step !== 'host-written') expect(dumpInactive(name)).toContain(`<vg:config>${config}</vg:config>`);
      else expect(virsh(['domstate', name]).status).not.toBe(0);

      const again = virtGen(args, { env });
      expect(again.stderr).not.toMatch(/^virt-gen:/m);
      expect(again.status).toBe(0);
      expect(again.stdout).toMatch(new RegExp(`^(created|updated|unchanged) domain '${name}'`, 'm'));
      const third = virtGen(args, { env });
      expect(third.status).toBe(0);
      expect(third.stdout).toContain(`unchanged domain '${name}'`);
      expect(third.stdout).not.toContain('wrote');
    },
    90_000,
  );
});
