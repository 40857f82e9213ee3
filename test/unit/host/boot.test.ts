/**
 * The boot-time planners on their own: which kernel arguments a host needs, token-level edits of the
 * places they live, boot stack detection, vfio-pci at boot only when a host driver holds the card,
 * identical cards bound by address, and what doctor says before and after the reboot.
 */
import { afterAll, describe, expect, it, jest } from '@jest/globals';
import { mkdir, rm, symlink, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { parsePciAddress, type PciAddress } from '../../../src/domain/address.js';
import { wantedArgs, cmdlineWarnings, argText } from '../../../src/host/boot/args.js';
import { setArgs } from '../../../src/host/boot/cmdline.js';
import { detectBootStack } from '../../../src/host/boot/detect.js';
import { editRefind } from '../../../src/host/boot/entries.js';
import { editGrubVariable } from '../../../src/host/boot/grub.js';
import { planBoot } from '../../../src/host/boot/index.js';
import { runDoctor } from '../../../src/host/doctor.js';
import { readHostFacts, type HostFacts } from '../../../src/host/facts.js';
import { planModules } from '../../../src/host/modules/index.js';
import type { HostNeeds } from '../../../src/host/needs.js';
import { planHostWithBoot } from '../../../src/host/plan.js';
import { applyHost } from '../../../src/host/revert.js';
import { distroRoot } from './helpers/distros.js';
import { cleanRoots, putFile, readRootFile } from './helpers/roots.js';

afterAll(cleanRoots);
// Each test runs the built CLI or writes a whole host root: seconds on a loaded machine.
jest.setTimeout(60_000);

const pci = (s: string): PciAddress => parsePciAddress(s) as PciAddress;
const NEEDS: HostNeeds = { pciDevices: [pci('01:00.0'), pci('01:00.1')], deviceNodes: [], readFiles: [] };
const words = (facts: HostFacts, needs = NEEDS): string => wantedArgs(facts, needs).map(argText).join(' ');

describe('kernel arguments this host needs', () => {
  it('intel_iommu=on only where the IOMMU is off; never amd_iommu=on; iommu=pt for passthrough', async () => {
    expect(words(await readHostFacts(await distroRoot('popos')))).toBe('intel_iommu=on iommu=pt');
    expect(words(await readHostFacts(await distroRoot('debian12')))).toBe('iommu=pt');
    const amdOff = await readHostFacts(await distroRoot('ubuntu2404'));
    amdOff.iommuGroups = [];
    expect(words(amdOff)).toBe('iommu=pt');
    expect(cmdlineWarnings(amdOff, NEEDS)[0]).toContain('enable IOMMU/AMD-Vi (SVM) in the firmware setup');
    expect(words(amdOff, { ...NEEDS, pciDevices: [] })).toBe('');
  });

  it('a 1 GiB pool at boot only for 1 GiB pages', async () => {
    const facts = await readHostFacts(await distroRoot('debian12'));
    expect(words(facts, { ...NEEDS, hugepages: { sizeKiB: 1048576, count: 16 } })).toBe(
      'iommu=pt default_hugepagesz=1G hugepagesz=1G hugepages=16',
    );
    expect(words(facts, { ...NEEDS, hugepages: { sizeKiB: 2048, count: 4096 } })).toBe('iommu=pt');
  });
});

describe('token-level edits', () => {
  const want = (key: string, value: string, keepUserValue = false) => ({
    key,
    value,
    keepUserValue,
    why: '',
  });

  it('appends what is missing, replaces a contrary value, keeps a user choice and every other byte', () => {
    expect(setArgs('quiet  splash', [want('intel_iommu', 'on'), want('iommu', 'pt', true)])).toBe(
      'quiet  splash intel_iommu=on iommu=pt',
    );
    expect(
      setArgs('a intel_iommu=off  b iommu=nopt', [want('intel_iommu', 'on'), want('iommu', 'pt', true)]),
    ).toBe('a intel_iommu=on  b iommu=nopt');
    expect(setArgs('', [want('iommu', 'pt')])).toBe('iommu=pt');
    expect(setArgs('x iommu=pt', [want('iommu', 'pt')])).toBe('x iommu=pt');
  });

  it('GRUB: the last assignment is edited, quotes kept; a missing variable is added', () => {
    const text =
      "A=1\nGRUB_CMDLINE_LINUX_DEFAULT='quiet'\n# c\nGRUB_CMDLINE_LINUX_DEFAULT='quiet splash'\nB=2\n";
    expect(editGrubVariable(text, 'GRUB_CMDLINE_LINUX_DEFAULT', [want('iommu', 'pt')])).toBe(
      "A=1\nGRUB_CMDLINE_LINUX_DEFAULT='quiet'\n# c\nGRUB_CMDLINE_LINUX_DEFAULT='quiet splash iommu=pt'\nB=2\n",
    );
    expect(editGrubVariable('A=1', 'GRUB_CMDLINE_LINUX', [want('iommu', 'pt')])).toBe(
      'A=1\nGRUB_CMDLINE_LINUX="iommu=pt"\n',
    );
  });

  it('rEFInd: the first line gets the arguments', () => {
    const text =
      '"Boot with standard options"  "ro root=UUID=1 quiet"\n"Boot to single-user mode"  "ro single"\n';
    expect(editRefind(text, [want('iommu', 'pt')], '/boot/refind_linux.conf')).toBe(
      '"Boot with standard options"  "ro root=UUID=1 quiet iommu=pt"\n"Boot to single-user mode"  "ro single"\n',
    );
  });
});

describe('boot stack detection', () => {
  it.each([
    ['debian12', 'grub-dropin'],
    ['ubuntu2404', 'grub-dropin'],
    ['fedora40', 'grub-bls'],
    ['arch', 'systemd-boot'],
    ['popos', 'kernelstub'],
  ] as const)('%s: %s', async (distro, kind) => {
    expect((await detectBootStack(await distroRoot(distro))).kind).toBe(kind);
  });

  it('an unknown boot stack is named, with the exact arguments to add by hand, and nothing written', async () => {
    const root = await distroRoot('popos');
    await rm(path.join(root, 'etc/kernelstub'), { recursive: true });
    await rm(path.join(root, 'boot'), { recursive: true });
    const plan = await planBoot(await readHostFacts(root), NEEDS, root);
    expect(plan.stack.kind).toBe('unknown');
    expect(plan.changes).toEqual([]);
    expect(plan.warnings).toContain(
      'no known boot loader configuration was found (GRUB, BootLoaderSpec entries, systemd-boot, kernelstub, ' +
        'rEFInd): add these arguments to the kernel command line by hand: intel_iommu=on iommu=pt',
    );
  });

  it('Arch GRUB (no drop-ins): /etc/default/grub is edited, grub-mkconfig regenerates', async () => {
    const root = await distroRoot('arch');
    await rm(path.join(root, 'boot/loader'), { recursive: true });
    await putFile(
      root,
      '/etc/default/grub',
      'GRUB_CMDLINE_LINUX_DEFAULT="loglevel=3 quiet"\nGRUB_CMDLINE_LINUX=""\n',
    );
    const plan = await planBoot(await readHostFacts(root), NEEDS, root);
    expect(plan.changes.map((c) => c.path)).toEqual(['/etc/default/grub']);
    expect(plan.changes[0]?.after).toContain('GRUB_CMDLINE_LINUX_DEFAULT="loglevel=3 quiet iommu=pt"\n');
    expect(plan.regenerate.map((r) => r.argv.join(' '))).toEqual(['grub-mkconfig -o /boot/grub/grub.cfg']);
  });
});

describe('vfio-pci at boot', () => {
  it('a card no host driver holds needs nothing at boot', async () => {
    const root = await distroRoot('debian12');
    for (const f of ['0000:01:00.0', '0000:01:00.1'])
      await rm(path.join(root, `sys/bus/pci/devices/${f}/driver`));
    const plan = await planModules(await readHostFacts(root), NEEDS, root);
    expect(plan.needed).toBe(false);
    expect(plan.changes).toEqual([]);
    expect(plan.notes[0]).toContain('not needed, no host driver holds the card');
  });

  it('two identical cards: the passed one is bound by address (driverctl), not by id', async () => {
    const root = await distroRoot('debian12');
    for (const [f, id] of [
      ['0000:02:00.0', '0x2684'],
      ['0000:02:00.1', '0x22ba'],
    ] as const) {
      await putFile(root, `/sys/bus/pci/devices/${f}/vendor`, '0x10de\n');
      await putFile(root, `/sys/bus/pci/devices/${f}/device`, `${id}\n`);
      await putFile(root, `/sys/bus/pci/devices/${f}/class`, '0x030000\n');
    }
    const plan = await planModules(await readHostFacts(root), NEEDS, root);
    expect(plan.changes.map((c) => [c.path, c.after])).toEqual([
      ['/etc/modprobe.d/virt-gen-vfio.conf', expect.not.stringContaining('ids=')],
      ['/etc/driverctl.d/pci-0000:01:00.0', 'vfio-pci\n'],
      ['/etc/driverctl.d/pci-0000:01:00.1', 'vfio-pci\n'],
      ['/etc/initramfs-tools/modules', expect.stringContaining('\nvfio_pci\n')],
    ]);
    expect(plan.warnings.join('\n')).toContain('driverctl, which is not installed');
  });

  it('the boot GPU gets a warning that says what it costs', async () => {
    const root = await distroRoot('debian12');
    await putFile(root, '/sys/bus/pci/devices/0000:01:00.0/boot_vga', '1\n');
    const plan = await planModules(await readHostFacts(root), NEEDS, root);
    expect(plan.warnings[0]).toMatch(/^0000:01:00\.0 is the boot GPU: .*no text console.*video=efifb:off/);
  });

  it('mkinitcpio with a preset naming the config: MODULES of the main file gets vfio first', async () => {
    const root = await distroRoot('arch');
    await putFile(root, '/etc/mkinitcpio.d/linux.preset', 'ALL_config="/etc/mkinitcpio.conf"\n');
    const plan = await planModules(await readHostFacts(root), NEEDS, root);
    const conf = plan.changes.find((c) => c.path === '/etc/mkinitcpio.conf');
    expect(conf?.after).toContain('\nMODULES=(vfio_pci vfio vfio_iommu_type1)\n');
    expect(plan.warnings.join('\n')).toContain('mkinitcpio skips drop-ins');
  });
});

describe('after the reboot', () => {
  /** What the next boot makes of the root: the arguments on /proc/cmdline, vfio-pci bound, groups. */
  async function reboot(root: string, args: string): Promise<void> {
    const cmdline = (await readRootFile(root, '/proc/cmdline')).trim();
    await writeFile(path.join(root, 'proc/cmdline'), `${cmdline} ${args}\n`);
    for (const f of ['0000:00:02.0', '0000:01:00.0', '0000:01:00.1']) {
      const dev = `sys/bus/pci/devices/${f}`;
      if (f !== '0000:00:02.0') {
        await rm(path.join(root, dev, 'driver'));
        await symlink('../../../bus/pci/drivers/vfio-pci', path.join(root, dev, 'driver'));
      }
      const group = f === '0000:00:02.0' ? 1 : 2;
      await symlink(`../../../kernel/iommu_groups/${group}`, path.join(root, dev, 'iommu_group'));
      await putFile(root, `/sys/kernel/iommu_groups/${group}/type`, 'DMA\n');
      const member = path.join(root, `sys/kernel/iommu_groups/${group}/devices/${f}`);
      await mkdir(path.dirname(member), { recursive: true });
      await symlink(`../../../../devices/pci0000:00/${f}`, member);
    }
  }

  it('Pop!_OS: doctor confirms each step, and apply keeps the boot layers as they are', async () => {
    const root = await distroRoot('popos');
    const facts = await readHostFacts(root);
    await applyHost(await planHostWithBoot(facts, NEEDS, root), root, () => undefined);
    await reboot(root, 'intel_iommu=on iommu=pt');
    const after = await readHostFacts(root);
    const report = await runDoctor(after, root, { needs: NEEDS });
    const boot = report.findings.filter((f) => f.id.startsWith('boot-')).map((f) => [f.status, f.what]);
    expect(boot).toEqual([
      ['ok', 'kernel command line has intel_iommu=on iommu=pt (took effect)'],
      ['ok', '0000:01:00.0 is bound to vfio-pci at boot (took effect)'],
      ['ok', '0000:01:00.1 is bound to vfio-pci at boot (took effect)'],
    ]);
    const again = await planHostWithBoot(after, NEEDS, root);
    expect(again.boot?.changes).toEqual([]);
    expect(again.modules?.changes).toEqual([]);
  });

  it('doctor names the steps still to apply on a host never prepared', async () => {
    const root = await distroRoot('popos');
    const report = await runDoctor(await readHostFacts(root), root, { needs: NEEDS });
    expect(report.findings.find((f) => f.id === 'boot-cmdline')?.what).toBe(
      'kernel command line lacks intel_iommu=on (kernelstub (Pop!_OS))',
    );
  });
});
