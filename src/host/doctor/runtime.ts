/** The runtime hook: installed and executable when the VM's config asks for runtime work. */
import type { HostNeeds } from '../needs.js';
import { HOOK_PATH } from '../runtime-hook.js';
import type { DoctorEnv } from './env.js';
import { fail, ok, type Finding } from './finding.js';

export function checkRuntimeHook(env: DoctorEnv, needs: HostNeeds | undefined): Finding[] {
  const hook = env.runtimeHook;
  if (!needs?.runtimeHook || !hook) return [];
  const why =
    "the config's runtime (hugepages at start, CPU isolation, governor) is done by this hook; without it the VM starts without them";
  if (!hook.installed)
    return [
      fail(
        'runtime-hook',
        `${HOOK_PATH} is not installed`,
        why,
        'sudo virt-gen host apply CONFIG, then systemctl reload libvirtd',
      ),
    ];
  if (!hook.executable)
    return [
      fail(
        'runtime-hook',
        `${HOOK_PATH} is not executable`,
        `libvirt skips hooks it cannot execute: ${why}`,
        `chmod 755 ${HOOK_PATH}`,
      ),
    ];
  return [ok('runtime-hook', `${HOOK_PATH} is installed and executable`)];
}
