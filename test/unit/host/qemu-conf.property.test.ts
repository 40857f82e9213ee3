/**
 * Property: for generated qemu.conf files (random comments, settings and ACL layouts, within what
 * libvirt's augeas lens reads), the patch gives libvirt exactly the expected ACL, leaves every other
 * setting as it was, only inserts text, and is idempotent. Oracles: augtool's Libvirtd_qemu lens and
 * libvirt's own parser; virt-gen's parser must read the same ACL.
 */
import { afterAll, describe, expect, it } from '@jest/globals';
import { diffChars } from 'diff';
import fc from 'fast-check';
import { getEntry, parseLibvirtConf, stringList } from '../../../src/host/libvirt-conf.js';
import { LIBVIRT9_DEFAULT_ACL, planQemuConf } from '../../../src/host/qemu-conf.js';
import { augtool, libvirtAccepts } from './helpers/oracles.js';
import { cleanRoots, putFile, tempRoot } from './helpers/roots.js';

afterAll(cleanRoots);

const STR_KEYS = [
  'vnc_listen',
  'user',
  'group',
  'security_driver',
  'hugetlbfs_mount',
  'memory_backing_dir',
  'lock_manager',
];
const BOOL_KEYS = [
  'vnc_tls',
  'dynamic_ownership',
  'remember_owner',
  'relaxed_acs_check',
  'set_process_name',
  'mac_filter',
];
const INT_KEYS = ['max_processes', 'max_files', 'seccomp_sandbox', 'remote_display_port_min', 'max_queued'];
const ARRAY_KEYS = ['namespaces', 'cgroup_controllers', 'nvram', 'capability_filters'];
const DEVICES = [
  '/dev/null',
  '/dev/full',
  '/dev/zero',
  '/dev/random',
  '/dev/urandom',
  '/dev/ptmx',
  '/dev/kvm',
  '/dev/vfio/vfio',
  '/dev/vfio/1',
  '/dev/rtc',
];
const WANTED = ['/dev/vfio/vfio', '/dev/vfio/1', '/dev/vfio/13', '/dev/kvmfr0', '/dev/null'];

const COMMENTED_9 =
  '#cgroup_device_acl = [\n#    "/dev/null", "/dev/full", "/dev/zero",\n#    "/dev/random", "/dev/urandom",\n#    "/dev/ptmx", "/dev/kvm"\n#]\n';
const COMMENTED_10 =
  '#cgroup_device_acl = [\n#    "/dev/null", "/dev/full", "/dev/zero",\n#    "/dev/random", "/dev/urandom",\n#    "/dev/ptmx", "/dev/kvm",\n#    "/dev/userfaultfd"\n#]\n';

const blanks = fc.constantFrom('', ' ', '\t', '  ');
const text = fc.stringMatching(/^[a-zA-Z0-9 /._:-]{0,12}$/);
const quoted = text.map((s) => `"${s}"`);
const listGap = fc.constantFrom('', ' ', '\n', '\n    ', '\n\n  ', '\t');

/** A list in the lens's grammar: `[`, items separated by commas, blanks and newlines anywhere between. */
function listOf(items: fc.Arbitrary<string[]>): fc.Arbitrary<string> {
  return fc
    .tuple(items, listGap, listGap, fc.array(fc.tuple(listGap, listGap), { minLength: 16, maxLength: 16 }))
    .map(
      ([xs, open, close, gaps]) =>
        `[${open}${xs.map((x, i) => (i === 0 ? x : `${gaps[i]?.[0] ?? ''},${gaps[i]?.[1] ?? ''}${x}`)).join('')}${close}]`,
    );
}

const setting = fc.oneof(
  fc.tuple(fc.constantFrom(...STR_KEYS), quoted),
  fc.tuple(fc.constantFrom(...BOOL_KEYS), fc.constantFrom('0', '1')),
  fc.tuple(fc.constantFrom(...INT_KEYS), fc.nat(65535).map(String)),
  fc.tuple(fc.constantFrom(...ARRAY_KEYS), listOf(fc.array(quoted, { maxLength: 3 }))),
);

const line = fc.oneof(
  fc
    .tuple(blanks, setting, blanks, blanks, blanks)
    .map(([i, [k, v], a, b, t]) => `${i}${k}${a}=${b}${v}${t}\n`),
  text.map((s) => `#${s}\n`),
  fc.constantFrom('\n', '#\n', '# a comment\n', '  \n'),
);

const aclItems = fc.shuffledSubarray(DEVICES).map((xs) => xs.map((x) => `"${x}"`));

const confFile = fc
  .record({
    lines: fc.array(line, { maxLength: 12 }),
    acl: fc.option(fc.tuple(blanks, listOf(aclItems)), { nil: undefined }),
    aclAt: fc.nat(),
    commented: fc.constantFrom(undefined, COMMENTED_9, COMMENTED_10),
    commentedAt: fc.nat(),
  })
  .map(({ lines, acl, aclAt, commented, commentedAt }) => {
    const out = [...lines];
    if (commented) out.splice(commentedAt % (out.length + 1), 0, commented);
    if (acl) out.splice(aclAt % (out.length + 1), 0, `cgroup_device_acl${acl[0]}= ${acl[1]}\n`);
    return out.join('');
  })
  // libvirt refuses a file of only blank lines ("expecting a name"), while an empty file is fine: such
  // a qemu.conf is not one libvirt runs with, so it is not a case to generate.
  .filter((file) => file === '' || /\S/.test(file));

/** The augtool tree without comments, blank lines and the ACL: the settings that must not change. */
const otherSettings = (tree: string): string[] =>
  tree.split('\n').filter((l) => !/#comment|#empty|cgroup_device_acl/.test(l));

function expectedAcl(before: string, wanted: string[]): string[] {
  const entry = getEntry(parseLibvirtConf(before), 'cgroup_device_acl');
  if (entry) {
    const acl = stringList(entry.value) as string[];
    return [...acl, ...wanted.filter((w) => !acl.includes(w))];
  }
  if (wanted.length === 0) return [];
  const defaults = before.includes('#    "/dev/userfaultfd"')
    ? [...LIBVIRT9_DEFAULT_ACL, '/dev/userfaultfd']
    : LIBVIRT9_DEFAULT_ACL;
  return [...defaults, ...wanted.filter((w) => !defaults.includes(w))];
}

async function augtoolOn(content: string) {
  const root = await tempRoot();
  await putFile(root, '/etc/libvirt/qemu.conf', content);
  return augtool(root);
}

describe('what the generator leaves out', () => {
  it('libvirt refuses a qemu.conf of only blank lines and accepts an empty one', async () => {
    expect((await libvirtAccepts('\n  \n')).ok).toBe(false);
    expect((await libvirtAccepts('')).ok).toBe(true);
    expect((await libvirtAccepts('# a comment\n\n')).ok).toBe(true);
  });
});

describe('property: patching generated qemu.conf files', () => {
  it('libvirt reads the expected ACL, the rest is unchanged, and a second patch is a no-op', async () => {
    await fc.assert(
      fc.asyncProperty(confFile, fc.shuffledSubarray(WANTED), async (before, wanted) => {
        const original = await augtoolOn(before);
        expect(original.errors).toBe(''); // the generator stays within the lens
        const plan = planQemuConf(before, wanted);
        const patched = await augtoolOn(plan.after);
        expect(patched.errors).toBe('');
        expect(patched.acl).toEqual(expectedAcl(before, wanted));
        expect(otherSettings(patched.tree)).toEqual(otherSettings(original.tree));
        expect(diffChars(before, plan.after).filter((p) => p.removed)).toEqual([]);
        const own = getEntry(parseLibvirtConf(plan.after), 'cgroup_device_acl');
        expect(own ? stringList(own.value) : []).toEqual(patched.acl);
        expect((await libvirtAccepts(plan.after)).ok).toBe(true);
        const again = planQemuConf(plan.after, wanted);
        expect(again.changed).toBe(false);
      }),
      { numRuns: Number(process.env.VIRT_GEN_FC_RUNS ?? 60) },
    );
  }, 300_000);
});
