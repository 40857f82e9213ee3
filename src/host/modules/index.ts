/**
 * The vfio-pci-at-boot layer of `virt-gen host plan|apply`: the modprobe.d file (ids and softdeps),
 * driverctl overrides for identical cards, and the initramfs, only when a host driver holds the card.
 */
import type { HostFacts } from '../facts.js';
import { emptyLayer, realChanges, type LayerPlan } from '../layer.js';
import type { HostNeeds } from '../needs.js';
import { planInitramfs, type InitramfsTool } from './initramfs.js';
import {
  driverctlChanges,
  driverctlInstalled,
  modprobeChange,
  readVfioBinding,
  type VfioBinding,
} from './vfio.js';

export interface ModulesPlan extends LayerPlan {
  binding: VfioBinding;
  /** Whether vfio-pci must claim the card at boot. */
  needed: boolean;
  initramfs?: InitramfsTool;
}

function bootGpuWarning(b: VfioBinding): string[] {
  return b.functions
    .filter((f) => f.bootVga === true)
    .map(
      (f) =>
        `${f.name} is the boot GPU: the firmware draws the boot screen and the host console on it. Once vfio-pci ` +
        'claims it at boot the host shows nothing on it (no boot messages, no text console, no desktop there), ' +
        'and vfio-pci may fail with "BAR 0: can\'t reserve" while the firmware framebuffer holds it: add ' +
        'video=efifb:off (or initcall_blacklist=sysfb_init) to the kernel command line, or move the host to another GPU.',
    );
}

export async function planModules(facts: HostFacts, needs: HostNeeds, root: string): Promise<ModulesPlan> {
  const binding = await readVfioBinding(facts, needs, root);
  const needed = binding.held.length > 0 || binding.ours !== undefined;
  const plan: ModulesPlan = { ...emptyLayer(), binding, needed };
  if (binding.functions.length === 0) return plan;
  if (!needed) {
    plan.notes.push(
      'vfio-pci at boot: not needed, no host driver holds the card; libvirt detaches it at VM start (managed=yes)',
    );
    return plan;
  }
  plan.warnings.push(...bootGpuWarning(binding));
  if (binding.byAddress.length > 0 && !(await driverctlInstalled(root))) {
    plan.warnings.push(
      `${binding.byAddress.map((f) => f.name).join(', ')}: another device has the same id, so vfio-pci is bound ` +
        'by address with driverctl, which is not installed: install the driverctl package',
    );
  }
  const initramfs = await planInitramfs(root);
  plan.initramfs = initramfs.tool;
  plan.warnings.push(...initramfs.warnings);
  plan.changes = realChanges([
    await modprobeChange(binding, root),
    ...(await driverctlChanges(binding, root)),
    ...initramfs.changes,
  ]);
  if (plan.changes.length > 0) {
    plan.regenerate = initramfs.regenerate;
    plan.notes.push('vfio-pci at boot: takes effect at the next boot, after the initramfs is rebuilt');
  } else {
    plan.notes.push('vfio-pci at boot: already configured');
  }
  return plan;
}
