/**
 * The host-file writer under bad input: special files, sizes past libvirt's limit, non-UTF-8 bytes,
 * symlinks inside, absolute and escaping the root, a read-only mount, a failure half-way through a
 * plan. Each case checks what is on disk afterwards, not only the message.
 */
import { afterAll, describe, expect, it } from '@jest/globals';
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import {
  cp,
  lstat,
  mkdir,
  readdir,
  readFile,
  readlink,
  rm,
  symlink,
  truncate,
  writeFile,
} from 'node:fs/promises';
import path from 'node:path';
import { parsePciAddress, type PciAddress } from '../../../src/domain/address.js';
import { readHostFacts } from '../../../src/host/facts.js';
import { HOST_FILE_LIMIT } from '../../../src/host/host-file.js';
import { applyHostPlan, planHost } from '../../../src/host/plan.js';
import { resolveInRoot } from '../../../src/host/resolve.js';
import { LOCAL_FILE } from '../../../src/host/apparmor.js';
import { augtool } from './helpers/oracles.js';
import { cleanRoots, hostRoot, putFile, qemuConfFixture, readRootFile, tempRoot } from './helpers/roots.js';

afterAll(cleanRoots);

const CONF = '/etc/libvirt/qemu.conf';
const NEEDS = {
  pciDevices: ['02:00.0', '02:00.1'].map((a) => parsePciAddress(a) as PciAddress),
  deviceNodes: [],
  readFiles: [],
};

/** The guide host without a qemu.conf, its folder made. */
async function bareRoot(): Promise<string> {
  const root = await hostRoot('guide');
  await mkdir(path.join(root, 'etc/libvirt'), { recursive: true });
  return root;
}

async function plan(root: string) {
  return planHost(await readHostFacts(root), NEEDS, root);
}

async function apply(root: string) {
  return applyHostPlan(await plan(root), root);
}

describe('reading: special files and sizes are refused, nothing is written', () => {
  it('a FIFO as qemu.conf is refused at once (no hang)', async () => {
    const root = await hostRoot('guide', '');
    await rm(path.join(root, CONF));
    execFileSync('mkfifo', [path.join(root, CONF)]);
    await expect(plan(root)).rejects.toThrow(
      'host file /etc/libvirt/qemu.conf is a FIFO (named pipe), not a regular file (nothing was changed)',
    );
  }, 10_000);

  it('a folder where qemu.conf should be', async () => {
    const root = await hostRoot('guide');
    await mkdir(path.join(root, CONF), { recursive: true });
    await expect(plan(root)).rejects.toThrow('is a directory, not a regular file (nothing was changed)');
  });

  it("a qemu.conf over libvirt's 10 MiB limit", async () => {
    const root = await hostRoot('guide', '# big\n');
    await truncate(path.join(root, CONF), HOST_FILE_LIMIT + 1);
    await expect(plan(root)).rejects.toThrow(
      `is ${HOST_FILE_LIMIT + 1} bytes, more than the 10485760 bytes accepted`,
    );
  });
});

describe('bytes outside the patch stay as they are', () => {
  it('a Latin-1 comment byte survives the patch, and the backup is the original bytes', async () => {
    const stock = Buffer.from(await qemuConfFixture('debian12-stock.conf'), 'utf8');
    const original = Buffer.concat([
      Buffer.from('# caf'),
      Buffer.from([0xe9]),
      Buffer.from(' \xa0ok\n', 'latin1'),
      stock,
    ]);
    const root = await bareRoot();
    await writeFile(path.join(root, CONF), original);
    await apply(root);
    const after = await readFile(path.join(root, CONF));
    // Only insertions: the original's first bytes (the Latin-1 comment) are byte-identical.
    expect(after.subarray(0, 12)).toEqual(original.subarray(0, 12));
    expect(after.includes(Buffer.from([0xef, 0xbf, 0xbd]))).toBe(false); // no U+FFFD
    expect(await readFile(path.join(root, CONF + '.virt-gen.bak'))).toEqual(original);
    const aug = await augtool(root);
    expect(aug.errors).toBe('');
    expect(aug.acl).toContain('/dev/vfio/1');
    expect((await plan(root)).changes).toEqual([]);
  });
});

describe('links: the target is written, the link kept, and nothing outside the root is touched', () => {
  it('a relative link inside the root', async () => {
    const original = await qemuConfFixture('debian12-stock.conf');
    const root = await bareRoot();
    await putFile(root, '/srv/conf/qemu.conf', original);
    await symlink('../../srv/conf/qemu.conf', path.join(root, CONF));
    await apply(root);
    expect(await readlink(path.join(root, CONF))).toBe('../../srv/conf/qemu.conf');
    expect(await readRootFile(root, '/srv/conf/qemu.conf')).toContain('"/dev/vfio/1"');
    expect(await readRootFile(root, '/srv/conf/qemu.conf.virt-gen.bak')).toBe(original);
  });

  it('an absolute link is followed inside the root, never on the real host', async () => {
    const original = await qemuConfFixture('debian12-stock.conf');
    const root = await bareRoot();
    const outside = await tempRoot('virt-gen-outside-');
    await writeFile(path.join(outside, 'qemu.conf'), 'OUTSIDE\n');
    // The link names a real file on this machine; under --root it means ROOT/<that path>.
    await putFile(root, path.join(outside, 'qemu.conf'), original);
    await symlink(path.join(outside, 'qemu.conf'), path.join(root, CONF));
    await apply(root);
    expect(await readFile(path.join(outside, 'qemu.conf'), 'utf8')).toBe('OUTSIDE\n');
    expect(await readRootFile(root, path.join(outside, 'qemu.conf'))).toContain('"/dev/vfio/1"');
    expect((await lstat(path.join(root, CONF))).isSymbolicLink()).toBe(true);
  });

  it('a link climbing out with .. stops at the root', async () => {
    const root = await bareRoot();
    const outside = await tempRoot('virt-gen-outside-');
    await writeFile(path.join(outside, 'qemu.conf'), 'OUTSIDE\n');
    await symlink(`../../../../../../../../../..${outside}/qemu.conf`, path.join(root, CONF));
    const resolved = await resolveInRoot(root, CONF);
    expect(resolved.real).toBe(path.join(root, outside, 'qemu.conf'));
    await apply(root);
    expect(await readFile(path.join(outside, 'qemu.conf'), 'utf8')).toBe('OUTSIDE\n');
    expect(await readRootFile(root, path.join(outside, 'qemu.conf'))).toContain('"/dev/vfio/1"');
  });

  it('a linked folder never leads outside the root', async () => {
    const root = await hostRoot('guide');
    const outside = await tempRoot('virt-gen-outside-');
    await writeFile(path.join(outside, 'qemu.conf'), 'OUTSIDE\n');
    await mkdir(path.join(root, 'etc'), { recursive: true });
    await rm(path.join(root, 'etc/libvirt'), { recursive: true, force: true });
    await symlink(outside, path.join(root, 'etc/libvirt'));
    await apply(root);
    expect(await readFile(path.join(outside, 'qemu.conf'), 'utf8')).toBe('OUTSIDE\n');
    expect(existsSync(path.join(outside, 'qemu.conf.virt-gen.bak'))).toBe(false);
    expect(await readRootFile(root, path.join(outside, 'qemu.conf'))).toContain('"/dev/vfio/1"');
  });

  it('a link loop is an error naming the file', async () => {
    const root = await tempRoot();
    await mkdir(path.join(root, 'etc/libvirt'), { recursive: true });
    await symlink('qemu.conf', path.join(root, CONF));
    await expect(resolveInRoot(root, CONF)).rejects.toThrow(
      `cannot resolve ${CONF}: too many symbolic links`,
    );
  });
});

describe('errors are ordinary messages, and a failure half-way puts back what was written', () => {
  it('a read-only mount: a HostError naming the file, the file unchanged', async () => {
    const original = await qemuConfFixture('debian12-stock.conf');
    const root = await hostRoot('guide');
    const dir = path.join(root, 'etc/libvirt');
    await mkdir(dir, { recursive: true });
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=1m', 'tmpfs', dir]);
    try {
      await writeFile(path.join(dir, 'qemu.conf'), original);
      execFileSync('mount', ['-o', 'remount,ro', dir]);
      const err = (await apply(root).then(
        () => undefined,
        (e: unknown) => e,
      )) as Error & { code?: string };
      expect(err).toBeInstanceOf(Error);
      expect(err.name).toBe('HostError');
      expect(err.code).toBe('host-erofs');
      expect(err.message).toBe('cannot write /etc/libvirt/qemu.conf: the file system is read-only');
      expect(await readRootFile(root, CONF)).toBe(original);
    } finally {
      execFileSync('umount', [dir]);
    }
  });

  it('a full file system: a HostError naming the file, the file unchanged, no temporary file left', async () => {
    const original = await qemuConfFixture('debian12-stock.conf');
    const root = await hostRoot('guide');
    const dir = path.join(root, 'etc/libvirt');
    await mkdir(dir, { recursive: true });
    // Room for the file and a little more, not for its backup and the new version.
    const size = Buffer.byteLength(original) + 8192;
    execFileSync('mount', ['-t', 'tmpfs', '-o', `size=${size}`, 'tmpfs', dir]);
    try {
      await writeFile(path.join(dir, 'qemu.conf'), original);
      await expect(apply(root)).rejects.toThrow(
        'cannot write /etc/libvirt/qemu.conf: no space left on the device',
      );
      expect(await readRootFile(root, CONF)).toBe(original);
      expect((await readdir(dir)).filter((n) => n.endsWith('.tmp'))).toEqual([]);
    } finally {
      execFileSync('umount', [dir]);
    }
  });

  it('the second file fails: the first is restored, and the message says so', async () => {
    const original = await qemuConfFixture('debian12-stock.conf');
    const root = await hostRoot('guide', original);
    await cp('/etc/apparmor.d', path.join(root, 'etc/apparmor.d'), {
      recursive: true,
      verbatimSymlinks: true,
    });
    const p = await planHost(await readHostFacts(root), { ...NEEDS, deviceNodes: ['/dev/kvmfr0'] }, root, {
      owner: 'vm',
      apparmor: 'always',
    });
    expect(p.changes.map((c) => c.path)).toEqual([CONF, LOCAL_FILE]);
    const localBefore = await readRootFile(root, LOCAL_FILE);
    await writeFile(path.join(root, LOCAL_FILE), localBefore + '# edited meanwhile\n');
    await expect(applyHostPlan(p, root)).rejects.toThrow(
      `${LOCAL_FILE} changed since the plan was made: run \`virt-gen host plan\` again (the files written before were restored)`,
    );
    expect(await readRootFile(root, CONF)).toBe(original);
  });
});
