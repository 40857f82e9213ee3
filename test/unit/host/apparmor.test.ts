/**
 * AppArmor: where the rules go, what they are, and whether AppArmor accepts the result. The oracle is
 * apparmor_parser on a copy of this machine's /etc/apparmor.d (libvirt's real profiles) in a temp root.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { cp, readdir } from 'node:fs/promises';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { parsePciAddress, type PciAddress } from '../../../src/domain/address.js';
import {
  aaPath,
  ABSTRACTION,
  chooseTarget,
  DROPIN_FILE,
  LOCAL_FILE,
  planAppArmor,
  replaceBlock,
  rulesFor,
} from '../../../src/host/apparmor.js';
import { readHostFacts, type HostFacts } from '../../../src/host/facts.js';
import { applyHostPlan, planHost } from '../../../src/host/plan.js';
import { apparmorExpand, apparmorParse } from './helpers/oracles.js';
import {
  cleanRoots,
  hostFixture,
  hostRoot,
  putFile,
  qemuConfFixture,
  readRootFile,
} from './helpers/roots.js';

afterAll(cleanRoots);

const DEBIAN_ABSTRACTION = readFileSync(path.join(hostFixture('debian12-apparmor'), ABSTRACTION), 'utf8');
const pci = (s: string): PciAddress => parsePciAddress(s) as PciAddress;

describe('chooseTarget', () => {
  it('Debian 12 (libvirt 9.0): the site-local include', () => {
    expect(chooseTarget(DEBIAN_ABSTRACTION)).toEqual({ kind: 'local', path: LOCAL_FILE });
  });

  it('libvirt ≥ 9.6: the libvirt-qemu.d directory, even when the local include is there too', () => {
    const newer = DEBIAN_ABSTRACTION.replace(
      '#include <local/abstractions/libvirt-qemu>',
      'include if exists <abstractions/libvirt-qemu.d>',
    );
    expect(chooseTarget(newer)).toEqual({ kind: 'dropin', path: DROPIN_FILE });
    expect(chooseTarget(newer + '\n#include <local/abstractions/libvirt-qemu>\n').kind).toBe('dropin');
  });

  it('no include (or a commented one): the abstraction itself', () => {
    const none = DEBIAN_ABSTRACTION.replace(
      '#include <local/abstractions/libvirt-qemu>',
      '# include <local/abstractions/libvirt-qemu>',
    );
    expect(chooseTarget(none)).toEqual({ kind: 'abstraction', path: ABSTRACTION });
  });
});

describe('rulesFor', () => {
  it('one rule per group in use; /dev/vfio/vfio is already in the abstraction', () => {
    expect(rulesFor({ groups: [13, 1, 1], deviceNodes: [], readFiles: [] }, DEBIAN_ABSTRACTION)).toEqual([
      '/dev/vfio/1 rw,',
      '/dev/vfio/13 rw,',
    ]);
  });

  it("the guide's wildcard only when asked; /dev/vfio/vfio when the abstraction lacks it", () => {
    expect(rulesFor({ groups: [1], deviceNodes: [], readFiles: [], vfioWildcard: true }, '')).toEqual([
      '/dev/vfio/vfio rw,',
      '/dev/vfio/* rw,',
    ]);
  });

  it('device nodes rw, files r, with globs escaped and blanks quoted', () => {
    expect(
      rulesFor(
        { groups: [], deviceNodes: ['/dev/kvmfr0'], readFiles: ['/var/lib/vbios/gtx 970[1].rom'] },
        DEBIAN_ABSTRACTION,
      ),
    ).toEqual(['/dev/kvmfr0 rw,', '"/var/lib/vbios/gtx 970\\[1\\].rom" r,']);
    expect(() => aaPath('relative/x')).toThrow('is not an absolute path');
  });
});

describe('replaceBlock', () => {
  it('appends a marked block, replaces it on re-apply, removes it when empty', () => {
    const once = replaceBlock('# local\n', ['/dev/vfio/1 rw,']);
    expect(once).toBe(
      '# local\n# BEGIN virt-gen\n# Managed by `virt-gen host apply`: this block is replaced on every apply.\n/dev/vfio/1 rw,\n# END virt-gen\n',
    );
    expect(replaceBlock(once, ['/dev/vfio/1 rw,'])).toBe(once);
    expect(replaceBlock(once, ['/dev/vfio/2 rw,'])).toContain('/dev/vfio/2 rw,\n# END virt-gen\n');
    expect(replaceBlock(once, ['/dev/vfio/2 rw,'])).not.toContain('/dev/vfio/1');
    expect(replaceBlock(once, [])).toBe('# local\n');
  });

  it('keeps one block per VM', () => {
    const a = replaceBlock('', ['/dev/vfio/1 rw,'], 'gaming');
    const ab = replaceBlock(a, ['/dev/vfio/13 rw,'], 'work');
    expect(ab).toContain('# BEGIN virt-gen gaming\n');
    expect(ab).toContain('# BEGIN virt-gen work\n');
    expect(replaceBlock(ab, ['/dev/vfio/2 rw,'], 'gaming')).toContain('/dev/vfio/13 rw,');
  });

  it('refuses a block without its END line', () => {
    expect(() => replaceBlock('# BEGIN virt-gen\n/dev/x rw,\n', [])).toThrow('has no "# END virt-gen" line');
  });
});

describe('planAppArmor: when there is nothing to do', () => {
  const req = { groups: [1], deviceNodes: [], readFiles: [] };
  const state = { enabled: true, abstraction: DEBIAN_ABSTRACTION, local: '' };

  it('AppArmor off', () => {
    expect(planAppArmor({ ...state, enabled: false }, req)).toMatchObject({
      action: 'none',
      reason: expect.stringContaining('AppArmor is not enabled'),
    });
  });

  it("libvirt's security driver is not apparmor", () => {
    expect(planAppArmor(state, { ...req, securityDrivers: ['selinux'] })).toMatchObject({
      action: 'none',
      reason: 'libvirt\'s security_driver is "selinux", not apparmor: no AppArmor rules apply to QEMU',
    });
  });

  it('libvirt AppArmor files not installed; --apparmor never', () => {
    expect(planAppArmor({ enabled: true }, req).action).toBe('none');
    expect(planAppArmor(state, { ...req, mode: 'never' }).action).toBe('none');
  });

  it('--apparmor always plans even when AppArmor looks off (image builds)', () => {
    expect(planAppArmor({ ...state, enabled: false }, { ...req, mode: 'always' })).toMatchObject({
      action: 'write',
      target: 'local',
    });
  });
});

// The real profiles of this machine: libvirt's TEMPLATE.qemu includes abstractions/libvirt-qemu.
const HAVE_PROFILES =
  existsSync('/etc/apparmor.d/libvirt/TEMPLATE.qemu') &&
  existsSync('/etc/apparmor.d/abstractions/libvirt-qemu');

describe('apparmor_parser accepts what virt-gen writes (copy of /etc/apparmor.d)', () => {
  let facts: HostFacts;
  beforeAll(async () => {
    if (!HAVE_PROFILES)
      throw new Error('libvirt AppArmor profiles are not installed: run scripts/install-deps.sh');
    facts = await readHostFacts(hostFixture('guide'));
  });

  const needs = {
    pciDevices: [pci('02:00.0'), pci('02:00.1')],
    deviceNodes: ['/dev/kvmfr0'],
    readFiles: ['/var/lib/libvirt/vbios/gtx 970[1].rom'],
  };
  const expectedRules = [
    '/dev/vfio/1 rw,',
    '/dev/kvmfr0 rw,',
    '"/var/lib/libvirt/vbios/gtx 970\\[1\\].rom" r,',
  ];

  /** The guide host (AppArmor enabled) with the stock qemu.conf and a copy of the real profiles. */
  async function root(edit?: (abstraction: string) => string): Promise<string> {
    const r = await hostRoot('guide', await qemuConfFixture('debian12-stock.conf'));
    await cp('/etc/apparmor.d', path.join(r, 'etc/apparmor.d'), { recursive: true, verbatimSymlinks: true });
    if (edit) await putFile(r, ABSTRACTION, edit(await readRootFile(r, ABSTRACTION)));
    return r;
  }

  async function applyAndCheck(r: string, expectedPath: string): Promise<string> {
    const plan = await planHost(facts, needs, r, { owner: 'gaming' });
    expect(plan.apparmor).toMatchObject({ action: 'write', path: expectedPath, rules: expectedRules });
    await applyHostPlan(plan, r);
    const parsed = await apparmorParse(r);
    expect(parsed.message).not.toContain('error');
    expect(parsed.ok).toBe(true);
    const expanded = await apparmorExpand(r);
    for (const rule of expectedRules) expect(expanded).toContain(rule);
    const again = await planHost(facts, needs, r, { owner: 'gaming' });
    expect(again.changes).toEqual([]);
    return readRootFile(r, expectedPath);
  }

  it('the oracle bites: a rule without its comma is refused', async () => {
    const r = await root();
    await putFile(r, LOCAL_FILE, '/dev/vfio/1 rw\n');
    expect((await apparmorParse(r)).ok).toBe(false);
  });

  it('Debian 12: rules in local/abstractions/libvirt-qemu, backed up once', async () => {
    const r = await root();
    const text = await applyAndCheck(r, LOCAL_FILE);
    expect(text).toContain('# BEGIN virt-gen gaming\n');
    expect(existsSync(path.join(r, LOCAL_FILE + '.virt-gen.bak'))).toBe(true);
  });

  it('libvirt ≥ 9.6 layout: rules in abstractions/libvirt-qemu.d/virt-gen, and no backup inside that directory', async () => {
    const r = await root((a) =>
      a.replace(
        '#include <local/abstractions/libvirt-qemu>',
        'include if exists <abstractions/libvirt-qemu.d>',
      ),
    );
    await applyAndCheck(r, DROPIN_FILE);
    expect(await readdir(path.join(r, path.dirname(DROPIN_FILE)))).toEqual(['virt-gen']);
  });

  it('no include: a marked block in the abstraction itself', async () => {
    const r = await root((a) => a.replace('#include <local/abstractions/libvirt-qemu>', ''));
    const text = await applyAndCheck(r, ABSTRACTION);
    expect(text.startsWith(DEBIAN_ABSTRACTION.slice(0, 200))).toBe(true);
    expect(text).toContain('# END virt-gen gaming\n');
  });

  it("the guide's wildcard, when asked", async () => {
    const r = await root();
    const plan = await planHost(facts, { ...needs, deviceNodes: [], readFiles: [], vfioWildcard: true }, r);
    expect(plan.apparmor).toMatchObject({ rules: ['/dev/vfio/* rw,'] });
    await applyHostPlan(plan, r);
    expect((await apparmorParse(r)).ok).toBe(true);
    expect(await apparmorExpand(r)).toContain('/dev/vfio/* rw,');
  });
});

describe('the example in apparmor/', () => {
  it('is what virt-gen writes', () => {
    const rules = rulesFor(
      { groups: [1], deviceNodes: ['/dev/kvmfr0'], readFiles: ['/var/lib/libvirt/vbios/gtx970.rom'] },
      DEBIAN_ABSTRACTION,
    );
    expect(replaceBlock('', rules, 'gaming')).toBe(
      readFileSync(path.resolve('apparmor/libvirt-qemu.example'), 'utf8'),
    );
  });
});

describe('reloadQemuProfiles', () => {
  it('runs nothing outside the live host or with AppArmor off', async () => {
    const { reloadQemuProfiles } = await import('../../../src/host/apparmor-reload.js');
    expect(await reloadQemuProfiles('/tmp/some-image', true)).toEqual({
      runs: [],
      skipped: 'root is /tmp/some-image, not the running host',
    });
    expect(await reloadQemuProfiles('/', false)).toEqual({ runs: [], skipped: 'AppArmor is not enabled' });
  });
});
