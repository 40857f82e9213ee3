/**
 * `virt-gen define` as a user runs it, against the sandbox's real libvirtd, libvirt-dbus and D-Bus:
 * through both backends, with the host plan applied under a fixture root, and the defined VM
 * started to show that libvirt runs its QEMU unprivileged.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { cpSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseDomainXml } from '../../src/domain/read.js';
import { dumpInactive, requireLibvirt, startPortably, undefine, virsh, virshOk } from '../support/libvirt.js';
import { EXAMPLES, REPO } from '../support/paths.js';
import { run, virtGen } from '../support/run.js';

const dir = mkdtempSync(path.join(os.tmpdir(), 'vg-define-cli-'));
// Never the real /var/lib/virt-gen, even as root.
const stateEnv = { VIRT_GEN_STATE_DIR: path.join(dir, 'state') };
const names: string[] = [];

/** A copy of an example under a test name, outside the repository. */
function exampleAs(example: string, name: string, edit: (src: string) => string = (s) => s): string {
  const src = readFileSync(path.join(EXAMPLES, `${example}.ts`), 'utf8').replace(
    /name: '[^']*'/,
    `name: '${name}'`,
  );
  const file = path.join(dir, `${name}.ts`);
  writeFileSync(file, edit(src));
  names.push(name);
  return file;
}

beforeAll(requireLibvirt);
afterAll(() => names.forEach(undefine));

describe.each(['dbus', 'virsh'])('virt-gen define --backend %s', (backend) => {
  const name = `vg-define-cli-${backend}`;
  const config = exampleAs('minimal', name);
  const define = (...extra: string[]) =>
    virtGen(['define', config, '--backend', backend, ...extra], { env: stateEnv });

  it('--dry-run shows what it would create and creates nothing', () => {
    undefine(name);
    const r = define('--dry-run');
    expect(r.stdout).toContain(`dry run: would create domain '${name}' through ${backend}`);
    expect(r.status).toBe(0);
    expect(virsh(['domstate', name]).status).not.toBe(0);
  });

  it('creates the domain, and a second run leaves it unchanged with the same UUID', () => {
    const first = define();
    expect(first.stderr).toBe('');
    expect(first.stdout).toMatch(
      new RegExp(`^created domain '${name}' \\(uuid [0-9a-f-]{36}\\) through ${backend}`),
    );
    const uuid = virshOk(['domuuid', name]).trim();
    const second = define();
    expect(second.stdout).toContain(`unchanged domain '${name}' (uuid ${uuid})`);
    expect(virshOk(['domuuid', name]).trim()).toBe(uuid);
  });

  it("a virsh define of libvirt's own dumpxml (virt-manager's Apply with no change) is no hand edit", () => {
    const file = path.join(dir, `${name}-same.xml`);
    writeFileSync(file, dumpInactive(name));
    virshOk(['define', file]);
    const r = define();
    expect(r.stderr).toBe('');
    expect(r.stdout).toContain(`unchanged domain '${name}'`);
  });

  it('keeps a hand edit the config does not touch; --force overwrites it, with a backup', () => {
    const edited = dumpInactive(name).replace(
      /<memory unit='KiB'>\d+<\/memory>/,
      "<memory unit='KiB'>524288</memory>",
    );
    const file = path.join(dir, `${name}-edited.xml`);
    writeFileSync(file, edited);
    virshOk(['define', file]);

    const kept = define();
    expect(kept.status).toBe(0);
    expect(kept.stdout).toContain('kept hand edit: memory: 256 MiB -> 512 MiB');
    expect(parseDomainXml(dumpInactive(name)).memory?.value).toBe(524288);

    const forced = define('--force');
    expect(forced.status).toBe(0);
    expect(forced.stdout).toContain(`updated domain '${name}'`);
    const backup = /previous definition saved to (\S+)/.exec(forced.stdout)?.[1] ?? '';
    expect(readFileSync(backup, 'utf8')).toContain('524288');
    expect(parseDomainXml(dumpInactive(name)).memory?.value).toBe(256 * 1024);
  });
});

describe('the VM virt-gen defined runs unprivileged', () => {
  it('libvirt starts its QEMU as a user other than root', () => {
    const name = 'vg-define-cli-run';
    const r = virtGen(['define', exampleAs('minimal', name)], { env: stateEnv });
    expect(r.status).toBe(0);
    startPortably(name);
    try {
      const pid = readFileSync(`/run/libvirt/qemu/${name}.pid`, 'utf8').trim();
      const user = run('ps', ['-o', 'user=', '-p', pid]).stdout.trim();
      expect(user).not.toBe('');
      expect(user).not.toBe('root');
    } finally {
      virsh(['destroy', name]);
    }
  });
});

describe('virt-gen define on a host with the guide GPU (fixture root)', () => {
  const name = 'vg-define-cli-guide';

  it('applies the qemu.conf ACL under --root as root, then defines the domain with both GPU functions', () => {
    const root = path.join(dir, 'guide-root');
    cpSync(path.join(REPO, 'test', 'fixtures', 'hosts', 'guide'), root, { recursive: true });
    const r = virtGen(['define', exampleAs('gaming', name), '--root', root], { env: stateEnv });
    expect(r.stderr).not.toMatch(/^virt-gen:/m);
    expect(r.status).toBe(0);
    expect(r.stdout).toContain(`wrote ${path.join(root, 'etc', 'libvirt', 'qemu.conf')}`);
    const conf = readFileSync(path.join(root, 'etc', 'libvirt', 'qemu.conf'), 'utf8');
    expect(conf).toMatch(/"\/dev\/vfio\/vfio", "\/dev\/vfio\/1"/);
    const dom = parseDomainXml(dumpInactive(name));
    expect(
      dom.devices?.hostdev?.filter((h) => h.type === 'pci').map((h) => h.source?.address?.function),
    ).toEqual(['0x0', '0x1']);
    // A second run changes nothing, on the host or in libvirt.
    const again = virtGen(['define', path.join(dir, `${name}.ts`), '--root', root], { env: stateEnv });
    expect(again.stdout).not.toContain('wrote');
    expect(again.stdout).toContain(`unchanged domain '${name}'`);
  });

  it('refuses explicit pins on CPUs the host does not have, before touching libvirt', () => {
    const root = path.join(dir, 'guide-root-pins');
    cpSync(path.join(REPO, 'test', 'fixtures', 'hosts', 'guide'), root, { recursive: true });
    const other = 'vg-define-cli-pins';
    const config = exampleAs('gaming', other, (src) =>
      src.replace('pin: [0, 1, 2, 3, 4, 5, 6, 7]', 'pin: [0, 1, 2, 3, 4, 5, 6, 12]'),
    );
    const r = virtGen(['define', config, '--root', root], { env: stateEnv });
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/^virt-gen: .*12.*/m);
    expect(virsh(['domstate', other]).status).not.toBe(0);
  });

  it('refuses a GPU this host does not have, naming it; --no-host-check defines anyway', () => {
    const other = 'vg-define-cli-nogpu';
    const config = exampleAs('gaming', other);
    const refused = virtGen(['define', config], { env: stateEnv });
    expect(refused.status).toBe(1);
    expect(refused.stderr).toContain('no such PCI device on this host: gpu[0].host: 0000:02:00.0');
    expect(virsh(['domstate', other]).status).not.toBe(0);
    const forced = virtGen(['define', config, '--no-host-check'], { env: stateEnv });
    expect(forced.status).toBe(0);
    expect(forced.stderr).toContain('not on this host, so not in the host plan: 0000:02:00.0, 0000:02:00.1');
    expect(virsh(['domstate', other]).status).toBe(0);
  });
});

describe('a feature this libvirt is too old for', () => {
  it('PipeWire audio on libvirt 9.0 is named in the config terms, and nothing is defined', () => {
    const name = 'vg-define-cli-pipewire';
    const config = exampleAs('minimal', name, (src) =>
      src.replace(
        'network: false,',
        "network: false,\n  sound: { audio: { type: 'pipewire', runtimeDir: '/run/user/1000' } },",
      ),
    );
    const r = virtGen(['define', config], { env: stateEnv });
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(
      /^virt-gen: nothing was changed: PipeWire audio \(sound\.audio\.type: 'pipewire'\) needs libvirt 9\.10 or newer; this libvirt is \d+\.\d+\.\d+: use type: 'pulseaudio'/,
    );
    expect(virsh(['domstate', name]).status).not.toBe(0);
  });
});

describe('libvirt out of reach', () => {
  it('a missing system bus with --backend dbus is one clear error, quickly, and nothing defined', () => {
    const name = 'vg-define-cli-nobus';
    const started = Date.now();
    const r = virtGen(['define', exampleAs('minimal', name), '--backend', 'dbus'], {
      env: { ...stateEnv, DBUS_SYSTEM_BUS_ADDRESS: `unix:path=${path.join(dir, 'no-such-bus')}` },
    });
    expect(r.status).not.toBe(0);
    expect(r.stderr).toMatch(/^virt-gen: .*bus/m);
    expect(r.stderr).not.toMatch(/\n\s+at /);
    expect(Date.now() - started).toBeLessThan(15_000);
    expect(virsh(['domstate', name]).status).not.toBe(0);
  });

  it('a libvirt that does not answer (virsh backend) names the URI', () => {
    const r = virtGen(
      [
        'define',
        path.join(EXAMPLES, 'minimal.ts'),
        '--backend',
        'virsh',
        '-c',
        'qemu:///system?socket=/nonexistent',
      ],
      {
        env: stateEnv,
      },
    );
    expect(r.status).not.toBe(0);
    expect(r.stderr).toContain('qemu:///system?socket=/nonexistent');
  });
});
