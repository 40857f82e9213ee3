/**
 * The passed-through devices: present, bound to vfio-pci, all functions of the card, IOMMU group
 * viability, boot GPU and reset (research/passthrough.md §4 items 2, 6, 9, 10).
 */
import { formatPciAddress, type PciAddress } from '../../domain/address.js';
import type { HostFacts } from '../facts.js';
import { checkGroups, describeDevice, viabilityFix, viabilityProblem } from '../iommu.js';
import type { HostNeeds } from '../needs.js';
import { isDisplay, pciIds, sameAddress, sameSlot, type PciDevice } from '../pci.js';
import { cmdlineValue } from '../procfs.js';
import { fail, ok, warn, type Finding } from './finding.js';

function driverFinding(dev: PciDevice, all: PciDevice[]): Finding {
  const id = `driver:${dev.name}`;
  if (dev.driver === 'vfio-pci') return ok(id, `${describeDevice(dev)} is bound to vfio-pci`);
  if (dev.driver === undefined)
    return ok(id, `${describeDevice(dev)} has no driver: libvirt binds it to vfio-pci at VM start`);
  const ids = [...new Set(all.map(pciIds))].join(',');
  return warn(
    id,
    `${describeDevice(dev)} is bound to ${dev.driver}`,
    "libvirt (managed='yes') detaches it at every VM start; that fails or hangs while the host uses the card (a display server, a running driver)",
    'bind it to vfio-pci at boot with `sudo virt-gen host apply CONFIG` (it writes ' +
      `"options vfio-pci ids=${ids}" and "softdep ${dev.driver} pre: vfio-pci" to modprobe.d and ` +
      'adds vfio-pci to the initramfs), then reboot',
  );
}

function missingFunctions(facts: HostFacts, wanted: readonly PciAddress[]): Finding[] {
  const findings: Finding[] = [];
  const cards = wanted.filter((a) => facts.pci.some((d) => sameAddress(d.address, a) && isDisplay(d)));
  for (const card of cards) {
    const left = facts.pci.filter(
      (d) => sameSlot(d.address, card) && !wanted.some((a) => sameAddress(a, d.address)),
    );
    for (const dev of left) {
      findings.push(
        warn(
          `function:${dev.name}`,
          `${describeDevice(dev)} belongs to the GPU ${formatPciAddress(card)} but is not passed through`,
          'the functions of a card share its IOMMU group; one left on a host driver makes the group unusable',
          `pass it through with the GPU (gpu.functions, or leave functions unset to take all of them)`,
        ),
      );
    }
  }
  return findings;
}

function bootVgaFinding(dev: PciDevice, facts: HostFacts): Finding | undefined {
  if (!dev.bootVga) return undefined;
  const args = facts.cmdline ?? [];
  const sysfbOff =
    cmdlineValue(args, 'initcall_blacklist')?.split(',').includes('sysfb_init') === true ||
    (facts.cmdline ?? []).some((a) => a.key === 'video' && a.value === 'efifb:off');
  const fb = sysfbOff
    ? ''
    : 'boot with initcall_blacklist=sysfb_init (or the older video=efifb:off) so no framebuffer holds it; ';
  return warn(
    `boot-vga:${dev.name}`,
    `${describeDevice(dev)} is the boot GPU (boot_vga = 1)`,
    'the firmware framebuffer (efifb/simpledrm) holds its memory (vfio-pci: "BAR can\'t reserve"), and its ROM is a modified shadow copy (black screen in the guest)',
    `${fb}give the guest a clean ROM dump (gpu.rom), or make another GPU the primary one in the firmware setup`,
  );
}

function resetFinding(dev: PciDevice): Finding | undefined {
  const id = `reset:${dev.name}`;
  if (isDisplay(dev) && dev.vendor === 0x1002) {
    const methods = dev.resetMethods ?? [];
    if (methods.length === 0 || methods.every((m) => m === 'bus')) {
      return warn(
        id,
        `${describeDevice(dev)} is an AMD GPU with reset_method "${methods.join(' ') || 'none'}"`,
        'many AMD GPUs do not reset between guest boots ("AMD reset bug"): the second boot hangs or shows code 43',
        'install the vendor-reset module (gnif/vendor-reset) and set reset_method to device_specific with its udev rule',
      );
    }
  }
  if (!dev.canReset) {
    return warn(
      id,
      `${describeDevice(dev)} cannot be reset by the kernel (no reset file)`,
      'a guest reboot may leave it in a bad state',
      'shut the guest down fully between uses, or pass through a device that supports reset',
    );
  }
  return undefined;
}

export function checkPassthrough(facts: HostFacts, needs: HostNeeds | undefined): Finding[] {
  if (!needs || needs.pciDevices.length === 0) return [];
  const findings: Finding[] = [];
  const present: PciDevice[] = [];
  for (const a of needs.pciDevices) {
    const dev = facts.pci.find((d) => sameAddress(d.address, a));
    if (dev) present.push(dev);
    else
      findings.push(
        fail(
          `device:${formatPciAddress(a)}`,
          `PCI device ${formatPciAddress(a)} is not on this host`,
          'the VM cannot start without it',
          'check the address with lspci -nn (or virt-gen discover) and fix the config',
        ),
      );
  }
  findings.push(
    ...present.map((d) => driverFinding(d, present)),
    ...missingFunctions(facts, needs.pciDevices),
  );
  if (present.every((d) => d.iommuGroup !== undefined)) {
    for (const v of checkGroups(
      facts,
      present.map((d) => d.address),
    )) {
      findings.push(
        v.viable
          ? ok(
              `group:${v.group}`,
              `IOMMU group ${v.group} is viable (${v.members.map((m) => m.device.name).join(', ')})`,
            )
          : fail(
              `group:${v.group}`,
              viabilityProblem(v),
              'QEMU refuses a group whose devices are not all owned by VFIO ("group N is not viable"); bridges may stay on pcieport',
              viabilityFix(v),
            ),
      );
    }
  }
  for (const dev of present) {
    // A source that cannot see reset support (libvirt) leaves that check to doctor on the host itself.
    const reset = facts.origin?.unknown.includes('pci-reset') ? undefined : resetFinding(dev);
    for (const f of [bootVgaFinding(dev, facts), reset]) if (f) findings.push(f);
  }
  return findings;
}
