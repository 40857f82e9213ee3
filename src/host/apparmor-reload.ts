/**
 * Reloading the AppArmor profiles that include libvirt's QEMU abstraction, after it changed. Only on
 * the live host (root '/') with AppArmor enabled: in a chroot or an image the kernel's profiles are
 * not the ones on disk. Kept apart from planning so that planning never runs a process.
 */
import { execa } from 'execa';
import path from 'node:path';
import { listDir } from './read.js';

export interface ReloadResult {
  /** Each apparmor_parser argument list that ran, and how it ended. */
  runs: Array<{ args: string[]; ok: boolean; message?: string }>;
  skipped?: string;
}

/** Per-VM profiles libvirt's virt-aa-helper wrote: `/etc/apparmor.d/libvirt/libvirt-<uuid>`. */
async function perVmProfiles(root: string): Promise<string[]> {
  const dir = '/etc/apparmor.d/libvirt';
  return (await listDir(root, dir))
    .filter((n) => /^libvirt-[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/.test(n))
    .map((n) => path.join(dir, n));
}

/**
 * `apparmor_parser -r` for each loaded libvirt VM profile. A running VM opened its devices at start:
 * it needs a restart to use a new rule; the reload makes the profile match the files again.
 */
export async function reloadQemuProfiles(root: string, apparmorEnabled: boolean): Promise<ReloadResult> {
  if (path.resolve(root) !== '/') return { runs: [], skipped: `root is ${root}, not the running host` };
  if (!apparmorEnabled) return { runs: [], skipped: 'AppArmor is not enabled' };
  const runs: ReloadResult['runs'] = [];
  for (const profile of await perVmProfiles(root)) {
    const args = ['-r', profile];
    const result = await execa('apparmor_parser', args, { reject: false, timeout: 30_000 });
    runs.push(
      result.exitCode === 0
        ? { args, ok: true }
        : { args, ok: false, message: String(result.stderr || result.message) },
    );
  }
  return runs.length > 0
    ? { runs }
    : { runs, skipped: 'no libvirt VM profile is loaded: new VMs get the rules at start' };
}
