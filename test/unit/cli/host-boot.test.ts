/**
 * `virt-gen host plan|apply|revert` and `doctor` through the built CLI, on never-prepared hosts of five
 * distributions (test/unit/host/helpers/distros.ts): plan, apply, a second apply that changes nothing,
 * doctor saying "reboot pending", revert putting every byte back. What apply writes is read back by
 * the programs that will read it on the host: bash (GRUB defaults, mkinitcpio and dracut config),
 * modprobe -C (modprobe.d), JSON.parse (kernelstub). Regeneration runs against stub commands.
 */
import { afterAll, beforeAll, describe, expect, it, jest } from '@jest/globals';
import { chmod, lstat, mkdtemp, readdir, readFile, readlink, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { run, virtGen, type RunResult } from '../../support/run.js';
import { distroRoot, DISTROS } from '../host/helpers/distros.js';
import { cleanRoots, readRootFile } from '../host/helpers/roots.js';

let dir: string;
let config: string;
let config1G: string;

beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'vg-boot-cli-'));
  config = path.join(dir, 'vm.ts');
  const vm = (extra: string): string =>
    `import { defineVm } from 'virt-gen';\nexport default defineVm({ name: 'vg-boot-vm', memory: 8192, ` +
    `cpu: { cores: 2 }, gpu: { host: '01:00.0' }${extra} });\n`;
  await writeFile(config, vm(''));
  config1G = path.join(dir, 'vm1g.ts');
  await writeFile(config1G, vm(", hugepages: '1G'"));
});
afterAll(async () => {
  await cleanRoots();
  await rm(dir, { recursive: true, force: true });
});
// Each test runs the built CLI or writes a whole host root: seconds on a loaded machine.
jest.setTimeout(60_000);

/**
 * Every file, link and directory under root with its bytes and mode. `/run` is left out: the lock
 * lives in /run/lock, which a real host always has.
 */
async function snapshot(root: string, rel = ''): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  for (const name of await readdir(path.join(root, rel))) {
    const p = path.join(rel, name);
    if (p === 'run') continue;
    const st = await lstat(path.join(root, p));
    if (st.isSymbolicLink()) out.set(p, `-> ${await readlink(path.join(root, p))}`);
    else if (st.isDirectory()) {
      out.set(p, `dir ${(st.mode & 0o7777).toString(8)}`);
      for (const [k, v] of await snapshot(root, p)) out.set(k, v);
    } else out.set(p, `${(st.mode & 0o7777).toString(8)} ${await readFile(path.join(root, p), 'latin1')}`);
  }
  return out;
}

const host = (args: string[], env: NodeJS.ProcessEnv = {}): RunResult => virtGen(['host', ...args], { env });

interface Case {
  distro: keyof typeof DISTROS & string;
  /** Files the plan changes, in plan order. */
  files: string[];
  args: string;
  commands: string[];
}

const CASES: Case[] = [
  {
    distro: 'debian12',
    files: [
      '/etc/default/grub.d/60-virt-gen.cfg',
      '/etc/modprobe.d/virt-gen-vfio.conf',
      '/etc/initramfs-tools/modules',
    ],
    args: 'iommu=pt',
    commands: ['update-initramfs -u -k all', 'update-grub'],
  },
  {
    distro: 'ubuntu2404',
    files: [
      '/etc/default/grub.d/60-virt-gen.cfg',
      '/etc/modprobe.d/virt-gen-vfio.conf',
      '/etc/initramfs-tools/modules',
    ],
    args: 'iommu=pt',
    commands: ['update-initramfs -u -k all', 'update-grub'],
  },
  {
    distro: 'fedora40',
    files: [
      '/etc/default/grub',
      '/boot/loader/entries/6a9b-0-rescue.conf',
      '/boot/loader/entries/6a9b-6.8.5-301.fc40.x86_64.conf',
      '/etc/modprobe.d/virt-gen-vfio.conf',
      '/etc/dracut.conf.d/virt-gen-vfio.conf',
    ],
    args: 'iommu=pt',
    commands: ['dracut -f --regenerate-all'],
  },
  {
    distro: 'arch',
    files: [
      '/boot/loader/entries/arch-fallback.conf',
      '/boot/loader/entries/arch.conf',
      '/etc/modprobe.d/virt-gen-vfio.conf',
      '/etc/mkinitcpio.conf.d/virt-gen.conf',
    ],
    args: 'iommu=pt',
    commands: ['mkinitcpio -P'],
  },
  {
    distro: 'popos',
    files: [
      '/etc/kernelstub/configuration',
      '/etc/modprobe.d/virt-gen-vfio.conf',
      '/etc/initramfs-tools/modules',
    ],
    args: 'intel_iommu=on iommu=pt',
    commands: ['update-initramfs -u -k all', 'kernelstub'],
  },
];

describe.each(CASES)('$distro, never prepared', ({ distro, files, args, commands }) => {
  let root: string;
  let pristine: Map<string, string>;
  beforeAll(async () => {
    root = await distroRoot(distro);
    pristine = await snapshot(root);
  });

  it('plan shows each layer as a diff and changes nothing', async () => {
    const r = host(['plan', config, '--root', root]);
    expect(r.stderr).not.toContain('Error');
    expect(r.status).toBe(0);
    const planned = [...r.stdout.matchAll(/^# (\/\S+): /gm)].map((m) => m[1]);
    expect(planned.slice(0, files.length)).toEqual(files);
    expect(r.stdout).toContain(`kernel command line: ${args}`);
    expect(r.stdout).not.toContain('amd_iommu=on');
    expect(r.stdout).toContain(`after apply: ${commands.join(', then ')}, then reboot`);
    expect(await snapshot(root)).toEqual(pristine);
  });

  it('apply writes them and prints the regeneration commands; a second apply changes nothing', async () => {
    const r = host(['apply', config, '--root', root]);
    expect(r.status).toBe(0);
    for (const f of files) expect(r.stdout).toContain(`wrote ${path.join(root, f)}\n`);
    for (const c of commands) expect(r.stdout).toContain(`now run (in the root ${root}): ${c}\n`);
    const after = await snapshot(root);
    const again = host(['apply', config, '--root', root]);
    expect(again.status).toBe(0);
    expect(again.stdout).toContain('Nothing to change.\n');
    expect(await snapshot(root)).toEqual(after);
  });

  it('doctor says reboot pending for the command line and the binding', () => {
    const r = virtGen(['doctor', config, '--root', root]);
    expect(r.stdout).toMatch(new RegExp(`WARN  reboot pending: ${args} is configured`));
    expect(r.stdout).toContain(
      'WARN  reboot pending: 0000:01:00.0 is configured for vfio-pci at boot but is bound to',
    );
  });

  it('revert puts every byte back and says what to regenerate', async () => {
    const r = host(['revert', '--root', root]);
    expect(r.status).toBe(0);
    for (const c of commands) expect(r.stdout).toContain(`now run: ${c}\n`);
    expect(await snapshot(root)).toEqual(pristine);
  });
});

describe('what apply writes, read by the programs that read it at boot', () => {
  it('Debian: the GRUB drop-in sources after /etc/default/grub and appends to the defaults', async () => {
    const root = await distroRoot('debian12');
    expect(host(['apply', config, '--root', root]).status).toBe(0);
    const dropin = path.join(root, 'etc/default/grub.d/60-virt-gen.cfg');
    expect(run('bash', ['-n', dropin]).status).toBe(0);
    const r = run('bash', [
      '-c',
      '. "$1"; . "$2"; printf %s "$GRUB_CMDLINE_LINUX_DEFAULT"',
      '_',
      path.join(root, 'etc/default/grub'),
      dropin,
    ]);
    expect(r.stdout).toBe('quiet iommu=pt');
  });

  it('modprobe -C reads the ids and softdeps of every function', async () => {
    const root = await distroRoot('debian12');
    expect(host(['apply', config, '--root', root]).status).toBe(0);
    const r = run('modprobe', ['-C', path.join(root, 'etc/modprobe.d'), '--showconfig']);
    expect(r.stderr).toBe('');
    expect(r.stdout).toContain('options vfio_pci ids=10de:22ba,10de:2684');
    expect(r.stdout).toContain('softdep nvidia pre: vfio-pci');
    expect(r.stdout).toContain('softdep snd_hda_intel pre: vfio-pci');
  });

  it('Arch: the mkinitcpio drop-in puts vfio first and keeps the user modules', async () => {
    const root = await distroRoot('arch');
    const conf = path.join(root, 'etc/mkinitcpio.conf');
    await writeFile(conf, (await readFile(conf, 'utf8')).replace('MODULES=()', 'MODULES=(nvme btrfs)'));
    expect(host(['apply', config, '--root', root]).status).toBe(0);
    const dropin = path.join(root, 'etc/mkinitcpio.conf.d/virt-gen.conf');
    const r = run('bash', ['-c', '. "$1"; . "$2"; printf "%s\\n" "${MODULES[@]}"', '_', conf, dropin]);
    expect(r.stdout).toBe('vfio_pci\nvfio\nvfio_iommu_type1\nnvme\nbtrfs\n');
  });

  it('Fedora: dracut sees force_drivers and the modprobe file; grub and every BLS entry get the arguments', async () => {
    const root = await distroRoot('fedora40');
    expect(host(['apply', config1G, '--root', root]).status).toBe(0);
    const dracut = path.join(root, 'etc/dracut.conf.d/virt-gen-vfio.conf');
    const r = run('bash', ['-c', '. "$1"; printf "%s|%s" "$force_drivers" "$install_items"', '_', dracut]);
    expect(r.stdout).toBe(' vfio_pci vfio vfio_iommu_type1 | /etc/modprobe.d/virt-gen-vfio.conf ');
    const words = 'iommu=pt default_hugepagesz=1G hugepagesz=1G hugepages=8';
    const grub = run('bash', [
      '-c',
      '. "$1"; printf %s "$GRUB_CMDLINE_LINUX"',
      '_',
      path.join(root, 'etc/default/grub'),
    ]);
    expect(grub.stdout).toBe(`rootflags=subvol=root rhgb quiet ${words}`);
    for (const e of ['6a9b-0-rescue.conf', '6a9b-6.8.5-301.fc40.x86_64.conf']) {
      expect(await readRootFile(root, `/boot/loader/entries/${e}`)).toContain(
        `\noptions root=UUID=9b1f ro rootflags=subvol=root rhgb quiet ${words}\n`,
      );
    }
  });

  it('Pop!_OS: kernelstub gets the options in user.kernel_options, the rest of the JSON unchanged', async () => {
    const root = await distroRoot('popos');
    const before = JSON.parse(await readRootFile(root, '/etc/kernelstub/configuration')) as Record<
      string,
      Record<string, unknown>
    >;
    expect(host(['apply', config, '--root', root]).status).toBe(0);
    const after = JSON.parse(await readRootFile(root, '/etc/kernelstub/configuration')) as typeof before;
    expect(after.user?.kernel_options).toEqual([
      'quiet',
      'loglevel=0',
      'systemd.show_status=false',
      'splash',
      'intel_iommu=on',
      'iommu=pt',
    ]);
    expect({ ...after, user: { ...after.user, kernel_options: [] } }).toEqual({
      ...before,
      user: { ...before.user, kernel_options: [] },
    });
  });
});

describe('regeneration commands (stubs on PATH, as if the root were /)', () => {
  async function stubs(fail: string[]): Promise<{ bin: string; log: string }> {
    const bin = await mkdtemp(path.join(dir, 'bin-'));
    const log = path.join(bin, 'log');
    for (const name of ['update-initramfs', 'update-grub']) {
      const code = fail.includes(name) ? 1 : 0;
      await writeFile(
        path.join(bin, name),
        `#!/bin/sh\necho "$0 $*" >> "${log}"\necho "${name} says hello"\nexit ${code}\n`,
      );
      await chmod(path.join(bin, name), 0o755);
    }
    return { bin, log };
  }
  const env = (bin: string): NodeJS.ProcessEnv => ({
    PATH: `${bin}:${process.env.PATH ?? ''}`,
    VIRT_GEN_TEST_REGENERATE_ANY_ROOT: '1',
  });

  it('apply runs them in order, initramfs first, with their output shown', async () => {
    const root = await distroRoot('debian12');
    const { bin, log } = await stubs([]);
    const r = host(['apply', config, '--root', root], env(bin));
    expect(r.status).toBe(0);
    expect((await readFile(log, 'utf8')).replaceAll(`${bin}/`, '')).toBe(
      'update-initramfs -u -k all\nupdate-grub \n',
    );
    expect(r.stdout).toContain('running: update-initramfs -u -k all\nupdate-initramfs says hello\n');
    expect(r.stdout).not.toContain('now run');
  });

  it('a failing command puts every file back, says so, and exits 1', async () => {
    const root = await distroRoot('debian12');
    const pristine = await snapshot(root);
    const { bin } = await stubs(['update-grub']);
    const r = host(['apply', config, '--root', root], env(bin));
    expect(r.status).toBe(1);
    expect(r.stderr).toContain(
      'update-grub exited with status 1; update-initramfs -u -k all had already run on the new files: ' +
        'run it again after fixing this (the files written before were restored)',
    );
    expect(await snapshot(root)).toEqual(pristine);
  });
});

describe('host revert on its own', () => {
  it('with nothing recorded says so and changes nothing', async () => {
    const root = await distroRoot('debian12');
    const pristine = await snapshot(root);
    const r = host(['revert', '--root', root]);
    expect(r.status).toBe(0);
    expect(r.stdout).toBe('Nothing to revert: virt-gen recorded no host changes.\n');
    const now = await snapshot(root);
    expect([...now.keys()].filter((k) => !pristine.has(k))).toEqual([]);
  });

  it('a record that is not virt-gen JSON is refused, naming it, with nothing changed', async () => {
    const root = await distroRoot('debian12');
    expect(host(['apply', config, '--root', root]).status).toBe(0);
    await writeFile(path.join(root, 'var/lib/virt-gen/host-files.json'), '{"files": 3}\n');
    const before = await snapshot(root);
    const r = host(['revert', '--root', root]);
    expect(r.status).toBe(1);
    expect(r.stderr).toContain('/var/lib/virt-gen/host-files.json is not a virt-gen record of host changes');
    expect(await snapshot(root)).toEqual(before);
  });

  it('a changed file whose backup was deleted is left as it is and named', async () => {
    const root = await distroRoot('debian12');
    expect(host(['apply', config, '--root', root]).status).toBe(0);
    const modules = path.join(root, 'etc/initramfs-tools/modules');
    const applied = await readFile(modules, 'utf8');
    await rm(`${modules}.virt-gen.bak`);
    const r = host(['revert', '--root', root]);
    expect(r.stdout).toContain(
      'left /etc/initramfs-tools/modules as it is: its backup /etc/initramfs-tools/modules.virt-gen.bak is gone\n',
    );
    expect(r.stdout).toContain('removed /etc/modprobe.d/virt-gen-vfio.conf\n');
    expect(await readFile(modules, 'utf8')).toBe(applied);
  });
});
