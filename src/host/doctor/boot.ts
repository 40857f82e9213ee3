/**
 * Doctor's boot-time checks: has what `virt-gen host apply` configured for the next boot taken
 * effect? The configured side is the boot-time plan (nothing left to change means configured); the
 * running side is /proc/cmdline and the driver bound in sysfs. Configured but not running is
 * "reboot pending"; both is confirmed; neither points to `host apply`.
 */
import { argText } from '../boot/args.js';
import { missingArgs } from '../boot/cmdline.js';
import { stackName } from '../boot/detect.js';
import type { HostFacts } from '../facts.js';
import type { DoctorEnv } from './env.js';
import { ok, warn, type Finding } from './finding.js';

const APPLY = 'run `sudo virt-gen host apply CONFIG`, then reboot';

function cmdlineFinding(facts: HostFacts, boot: NonNullable<DoctorEnv['bootTime']>['boot']): Finding[] {
  if (boot.args.length === 0) return [];
  const configured = boot.changes.length === 0 && boot.stack.kind !== 'unknown';
  // An optional argument (iommu=pt) is only asked for once virt-gen configured it.
  const notRunning = missingArgs(facts.cmdline ?? [], boot.args).filter((a) => configured || !a.optional);
  const running = boot.args.filter((a) => !missingArgs(facts.cmdline ?? [], [a]).length).map(argText);
  if (notRunning.length === 0) {
    if (running.length === 0) return [];
    return [ok('boot-cmdline', `kernel command line has ${running.join(' ')} (took effect)`)];
  }
  const words = notRunning.map(argText).join(' ');
  if (configured)
    return [
      warn(
        'boot-cmdline',
        `reboot pending: ${words} is configured (${stackName(boot.stack)}) but not on the running kernel's command line`,
        'kernel arguments take effect at boot',
        'reboot (after the regeneration commands `virt-gen host apply` ran or printed)',
      ),
    ];
  const why = notRunning.map((a) => `${argText(a)}: ${a.why}`).join('; ');
  if (boot.stack.kind === 'unknown')
    return [
      warn(
        'boot-cmdline',
        `the running kernel lacks ${words} and the boot loader is not one virt-gen knows`,
        why,
        `add ${words} to the kernel command line by hand, then reboot`,
      ),
    ];
  return [warn('boot-cmdline', `kernel command line lacks ${words} (${stackName(boot.stack)})`, why, APPLY)];
}

function bindingFindings(modules: NonNullable<DoctorEnv['bootTime']>['modules']): Finding[] {
  if (!modules.needed) return [];
  const configured = modules.changes.length === 0;
  return modules.binding.functions.map((f) => {
    const id = `boot-vfio:${f.name}`;
    if (f.driver === 'vfio-pci') return ok(id, `${f.name} is bound to vfio-pci at boot (took effect)`);
    const now = f.driver ? `bound to ${f.driver}` : 'bound to no driver';
    if (configured)
      return warn(
        id,
        `reboot pending: ${f.name} is configured for vfio-pci at boot but is ${now}`,
        'vfio-pci claims the card when the initramfs loads it, at the next boot',
        'reboot (after the initramfs was rebuilt)',
      );
    return warn(
      id,
      `${f.name} is ${now}, and vfio-pci is not configured to claim it at boot`,
      'a host driver holding the card can hang libvirt when it detaches the card at VM start',
      APPLY,
    );
  });
}

export function checkBootTime(facts: HostFacts, env: Pick<DoctorEnv, 'bootTime'>): Finding[] {
  if (!env.bootTime) return [];
  return [...cmdlineFinding(facts, env.bootTime.boot), ...bindingFindings(env.bootTime.modules)];
}
