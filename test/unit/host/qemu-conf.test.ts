/**
 * cgroup_device_acl patching, checked the way libvirt reads the result: augtool with libvirt's
 * Libvirtd_qemu lens (exact ACL entries) and libvirt's own parser.
 */
import { afterAll, describe, expect, it } from '@jest/globals';
import { diffChars } from 'diff';
import { ConfSyntaxError } from '../../../src/host/libvirt-conf.js';
import { LIBVIRT9_DEFAULT_ACL, planQemuConf } from '../../../src/host/qemu-conf.js';
import { augtool, libvirtAccepts } from './helpers/oracles.js';
import { cleanRoots, putFile, qemuConfFixture, tempRoot } from './helpers/roots.js';

afterAll(cleanRoots);

const WANTED = ['/dev/vfio/vfio', '/dev/vfio/1', '/dev/kvmfr0'];
const GUIDE_ACL = [
  ...LIBVIRT9_DEFAULT_ACL,
  '/dev/kqemu',
  '/dev/rtc',
  '/dev/hpet',
  '/dev/vfio/vfio',
  '/dev/vfio/1',
];

async function augtoolOn(text: string) {
  const root = await tempRoot();
  await putFile(root, '/etc/libvirt/qemu.conf', text);
  return augtool(root);
}

/** Text removed from `before` on the way to `after`: the patch only inserts, so none. */
const removedText = (before: string, after: string): string[] =>
  diffChars(before, after)
    .filter((p) => p.removed)
    .map((p) => p.value);

const CASES: Array<[string, string[], string[]]> = [
  ['debian12-stock.conf', [...LIBVIRT9_DEFAULT_ACL, ...WANTED], WANTED],
  ['one-line-acl.conf', [...LIBVIRT9_DEFAULT_ACL, ...WANTED], WANTED],
  ['comments-around-list.conf', [...LIBVIRT9_DEFAULT_ACL, ...WANTED], WANTED],
  ['guide-vfio.conf', [...GUIDE_ACL, '/dev/kvmfr0'], ['/dev/kvmfr0']],
];

describe.each(CASES)('patching %s', (name, expectedAcl, expectedAdded) => {
  it('gives libvirt (augtool lens) exactly the expected ACL, and libvirt accepts the file', async () => {
    const before = await qemuConfFixture(name);
    const plan = planQemuConf(before, WANTED);
    expect(plan.added).toEqual(expectedAdded);
    expect(plan.acl).toEqual(expectedAcl);
    const aug = await augtoolOn(plan.after);
    expect(aug.errors).toBe('');
    expect(aug.acl).toEqual(expectedAcl);
    expect((await libvirtAccepts(plan.after)).ok).toBe(true);
  });

  it('only inserts: every character of the original stays, in order', async () => {
    const before = await qemuConfFixture(name);
    expect(removedText(before, planQemuConf(before, WANTED).after)).toEqual([]);
  });

  it('is idempotent: a second plan changes no byte', async () => {
    const once = planQemuConf(await qemuConfFixture(name), WANTED).after;
    const twice = planQemuConf(once, WANTED);
    expect(twice.changed).toBe(false);
    expect(twice.after).toBe(once);
  });
});

describe('the layout of the patch', () => {
  it('stock file: the new ACL follows the commented default, in its layout', async () => {
    const plan = planQemuConf(await qemuConfFixture('debian12-stock.conf'), [
      '/dev/vfio/vfio',
      '/dev/vfio/1',
    ]);
    expect(plan.defaults.source).toBe('installed');
    expect(plan.after).toContain(
      '#    "/dev/ptmx", "/dev/kvm"\n#]\n' +
        '# Set by virt-gen: the default list above, plus the device nodes passed-through VMs open.\n' +
        'cgroup_device_acl = [\n' +
        '    "/dev/null", "/dev/full", "/dev/zero",\n' +
        '    "/dev/random", "/dev/urandom",\n' +
        '    "/dev/ptmx", "/dev/kvm",\n' +
        '    "/dev/vfio/vfio", "/dev/vfio/1"\n' +
        ']\n#\n# RDMA migration',
    );
  });

  it('one-line ACL: entries are appended on the same line', async () => {
    const plan = planQemuConf(await qemuConfFixture('one-line-acl.conf'), ['/dev/vfio/vfio', '/dev/vfio/1']);
    expect(plan.after).toContain(
      '"/dev/ptmx", "/dev/kvm", "/dev/vfio/vfio", "/dev/vfio/1" ]\nsecurity_driver',
    );
  });

  it('multi-line ACL: entries go on a new line with the indentation of the last one', async () => {
    const plan = planQemuConf(await qemuConfFixture('comments-around-list.conf'), ['/dev/vfio/1']);
    expect(plan.after).toContain(
      '        "/dev/ptmx", "/dev/kvm",\n        "/dev/vfio/1"\n]\n# end of the device list',
    );
  });

  it('an empty ACL is filled in place', () => {
    const plan = planQemuConf('cgroup_device_acl = []\n', ['/dev/vfio/vfio']);
    expect(plan.after).toBe('cgroup_device_acl = [ "/dev/vfio/vfio" ]\n');
  });

  it("keeps a trailing comma (libvirt's parser allows it) and the quotes of each entry", async () => {
    const plan = planQemuConf('cgroup_device_acl = [ \'/dev/null\',\n  "/dev/kvm",\n]\n', ['/dev/vfio/vfio']);
    expect(plan.after).toBe('cgroup_device_acl = [ \'/dev/null\',\n  "/dev/kvm",\n  "/dev/vfio/vfio",\n]\n');
    expect((await libvirtAccepts(plan.after)).ok).toBe(true);
  });

  it('a file without the commented default starts from libvirt 9.x and says so', async () => {
    const plan = planQemuConf('user = "libvirt-qemu"\n', ['/dev/vfio/vfio']);
    expect(plan.defaults.source).toBe('libvirt-9');
    expect(plan.warnings[0]).toContain('has no commented default cgroup_device_acl');
    expect(plan.after.startsWith('user = "libvirt-qemu"\n\n# Set by virt-gen')).toBe(true);
    expect((await augtoolOn(plan.after)).acl).toEqual([...LIBVIRT9_DEFAULT_ACL, '/dev/vfio/vfio']);
  });

  it("takes libvirt ≥ 10.1's default list (with /dev/userfaultfd) from the installed file", async () => {
    const stock = (await qemuConfFixture('debian12-stock.conf')).replace(
      '#    "/dev/ptmx", "/dev/kvm"\n',
      '#    "/dev/ptmx", "/dev/kvm",\n#    "/dev/userfaultfd"\n',
    );
    const plan = planQemuConf(stock, ['/dev/vfio/1']);
    expect(plan.acl).toEqual([...LIBVIRT9_DEFAULT_ACL, '/dev/userfaultfd', '/dev/vfio/1']);
    expect((await augtoolOn(plan.after)).acl).toEqual(plan.acl);
  });

  it('nothing wanted and no ACL set: the file stays as it is', async () => {
    const stock = await qemuConfFixture('debian12-stock.conf');
    expect(planQemuConf(stock, []).changed).toBe(false);
  });
});

describe('warnings and refusals', () => {
  it('warns when QEMU runs as root', async () => {
    const plan = planQemuConf(await qemuConfFixture('one-line-acl.conf'), []);
    expect(plan.warnings).toEqual([
      '/etc/libvirt/qemu.conf sets user = "root": QEMU runs as root with every privilege, which libvirt\'s ' +
        "maintainers strongly advise against. Fix: remove the line (Debian's default user is libvirt-qemu) and restart libvirtd.",
    ]);
  });

  it('warns about an ACL that lacks default entries, and about duplicate ACLs (the first is patched)', () => {
    const text = 'cgroup_device_acl = [ "/dev/null" ]\ncgroup_device_acl = [ "/dev/kvm" ]\n';
    const plan = planQemuConf(text, ['/dev/vfio/1']);
    expect(plan.after).toBe(
      'cgroup_device_acl = [ "/dev/null", "/dev/vfio/1" ]\ncgroup_device_acl = [ "/dev/kvm" ]\n',
    );
    expect(plan.warnings.join('\n')).toContain('sets cgroup_device_acl 2 times (lines 1, 2)');
    expect(plan.warnings.join('\n')).toContain(
      'lacks /dev/full, /dev/zero, /dev/random, /dev/urandom, /dev/ptmx, /dev/kvm',
    );
  });

  it('refuses an ACL that is not a list of strings', () => {
    expect(() => planQemuConf('cgroup_device_acl = "/dev/null"\n', ['/dev/vfio/1'])).toThrow(
      '/etc/libvirt/qemu.conf: line 1: cgroup_device_acl must be a list of strings',
    );
  });

  it('refuses a broken file, naming the line, as libvirt does', async () => {
    const text = await qemuConfFixture('broken.conf');
    expect(() => planQemuConf(text, WANTED)).toThrow(
      '/etc/libvirt/qemu.conf: line 5, column 5: expecting a separator in list',
    );
    expect((await libvirtAccepts(text)).message).toContain('libvirt.conf:5: expecting a separator in list');
  });

  it('refuses a comment inside the list: libvirt 9.0 refuses it too (line 7)', async () => {
    const text = await qemuConfFixture('comments-in-list.conf');
    let err: unknown;
    try {
      planQemuConf(text, WANTED);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(ConfSyntaxError);
    expect((err as ConfSyntaxError).line).toBe(7);
    expect((err as ConfSyntaxError).reason).toBe('expecting a value');
    expect((await libvirtAccepts(text)).message).toContain('libvirt.conf:7: expecting a value');
  });
});
