/**
 * define's command-line conventions against the sandbox's real libvirt, through the built CLI:
 * -c before the command, --json, a dry run that exits 1 when the real run would refuse, an update
 * that shows its diff, and --force that says how to put the old definition back (and that the
 * printed command works). Domains are named vg-cli-*.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseDomainXml } from '../../src/domain/read.js';
import { dumpInactive, requireLibvirt, undefine, URI, virshOk } from '../support/libvirt.js';
import { BIN, EXAMPLES } from '../support/paths.js';
import { run, virtGen } from '../support/run.js';

const dir = mkdtempSync(path.join(os.tmpdir(), 'vg-cli-define-'));
// Backups and records go to a temp state folder, never the host's /var/lib/virt-gen.
const env = { VIRT_GEN_STATE_DIR: path.join(dir, 'state') };
const name = 'vg-cli-conventions';
const config = path.join(dir, `${name}.ts`);

function writeConfig(memoryMiB: number): void {
  const src = readFileSync(path.join(EXAMPLES, 'minimal.ts'), 'utf8')
    .replace(/name: '[^']*'/, `name: '${name}'`)
    .replace(/memory: \d+/, `memory: ${memoryMiB}`);
  writeFileSync(config, src);
}

beforeAll(() => {
  requireLibvirt();
  undefine(name);
  writeConfig(256);
});
afterAll(() => {
  undefine(name);
  rmSync(dir, { recursive: true, force: true });
});

/** Memory in KiB of libvirt's definition. */
const memoryKiB = (): number | undefined => parseDomainXml(dumpInactive(name)).memory?.value;

describe('virt-gen define conventions', () => {
  it('-c and --backend before the command; --json gives one JSON document', () => {
    const r = virtGen(['-c', URI, '--backend', 'virsh', '--json', 'define', config], { env });
    expect(r.status).toBe(0);
    const doc = JSON.parse(r.stdout) as Record<string, unknown>;
    expect(doc).toMatchObject({ action: 'created', name, uri: URI, backend: 'virsh', dryRun: false });
    expect(doc.uuid).toBe(virshOk(['domuuid', name]).trim());
  });

  it('an update prints its diff', () => {
    writeConfig(384);
    const r = virtGen(['define', config, '-c', URI], { env });
    expect(r.status).toBe(0);
    expect(r.stdout).toContain(`updated domain '${name}'`);
    expect(r.stdout).toMatch(/^-.*<memory unit=.KiB.>262144<\/memory>/m);
    expect(r.stdout).toMatch(/^\+.*<memory unit=.KiB.>393216<\/memory>/m);
  });

  it('--dry-run exits 1 when the real run would refuse (a hand edit the config conflicts with), and changes nothing', () => {
    const edited = dumpInactive(name).replace(
      /<memory unit='KiB'>\d+<\/memory>/,
      "<memory unit='KiB'>524288</memory>",
    );
    const file = path.join(dir, 'edited.xml');
    writeFileSync(file, edited);
    virshOk(['define', file]);
    // The config changes the field the hand edit changed: a conflict define refuses.
    writeConfig(448);
    const r = virtGen(['define', config, '--dry-run', '--json'], { env });
    expect(JSON.parse(r.stdout)).toMatchObject({ dryRun: true, blocked: true });
    expect(r.status).toBe(1);
    expect(memoryKiB()).toBe(524288);
  });

  it('--force prints a virsh command that restores the backup, and that command works', () => {
    const r = virtGen(['define', config, '--force'], { env });
    expect(r.status).toBe(0);
    expect(memoryKiB()).toBe(448 * 1024);
    const restore = /^restore it with: (virsh .*)$/m.exec(r.stdout)?.[1] ?? '';
    expect(restore).toMatch(
      new RegExp(`^virsh (-c ${URI} )?define ${path.join(dir, 'state')}/backups/${name}-\\S+\\.xml$`),
    );
    // A normal user's virsh defaults to qemu:///session: the hint names the URI unless run as root.
    if (process.getuid?.() !== 0) expect(restore).toContain(`-c ${URI}`);
    const argv = restore.split(' ');
    const back = run(argv[0] ?? 'virsh', [...argv.slice(1)]);
    expect(back.status).toBe(0);
    expect(memoryKiB()).toBe(524288);
  });

  it('diff --json: what define would change, as one JSON document', () => {
    const r = virtGen(['diff', config, '--json'], { env });
    expect(r.status).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ name, warnings: [] });
  });

  it("define warns about a disk image libvirt's QEMU user cannot reach", () => {
    const priv = path.join(dir, 'private');
    // The test's own folder lets others through: `private` is the one closed folder on the way.
    chmodSync(dir, 0o711);
    mkdirSync(priv, { mode: 0o700 });
    writeFileSync(path.join(priv, 'disk.qcow2'), '');
    const cfg = path.join(dir, 'vg-cli-disk.ts');
    writeFileSync(
      cfg,
      `import { defineVm } from 'virt-gen';\nexport default defineVm({ name: 'vg-cli-disk', memory: 256, cpu: { cores: 1 }, firmware: 'bios', disks: [{ path: '${priv}/disk.qcow2' }] });\n`,
    );
    const r = virtGen(['define', cfg, '--dry-run'], { env });
    // As root on the host itself, the kernel was asked as libvirt-qemu: ACLs were read.
    const asked = process.getuid?.() === 0 ? '' : '; ACLs not read';
    const warning = `warning: disk image ${priv}/disk.qcow2: libvirt's QEMU user libvirt-qemu cannot enter ${priv} (mode 0700${asked}): the VM will not start until this is fixed`;
    expect(r.stderr).toContain(warning);
    if (process.getuid?.() !== 0) return;
    // An ACL that lets libvirt-qemu through the 0700 folder: the mode bits alone would still refuse.
    expect(run('setfacl', ['-m', 'u:libvirt-qemu:x', priv]).status).toBe(0);
    const opened = virtGen(['define', cfg, '--dry-run'], { env });
    expect(opened.stderr).not.toContain('cannot enter');
    expect(opened.status).toBe(0);
    // A named-user entry that grants nothing, beside it, is as closed as the mode.
    expect(run('setfacl', ['-m', 'u:libvirt-qemu:-', priv]).status).toBe(0);
    expect(virtGen(['define', cfg, '--dry-run'], { env }).stderr).toContain(warning);
  });

  it('hints carry the options given: a normal user is told to apply host changes with --root', () => {
    const fixture = path.resolve('test', 'fixtures', 'hosts', 'guide');
    const gaming = path.join(EXAMPLES, 'gaming.ts');
    const r = run('runuser', [
      '-u',
      'nobody',
      '--',
      process.execPath,
      BIN,
      '--root',
      fixture,
      'host',
      'plan',
      gaming,
    ]);
    expect(r.status).toBe(0);
    expect(r.stdout).toContain(`apply them with: sudo virt-gen host apply ${gaming} --root ${fixture}\n`);
  });
});
