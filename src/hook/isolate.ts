/**
 * Keeping the host's own work off the vCPUs while the VM runs: `user.slice`, `system.slice` and
 * `init.scope` get `AllowedCPUs=` the host's cores (`started begin`) and lose the restriction again
 * (`release end`). `systemctl set-property --runtime` needs systemd ≥ 244 and the unified cgroup
 * hierarchy (cgroup v2); elsewhere the hook warns and the VM runs unisolated. systemctl is found on
 * PATH (libvirt runs hooks with a fixed PATH); every call has a time limit.
 */
import { execFile } from 'node:child_process';
import { pathExists } from '../host/read.js';
import type { HookLog } from './util.js';

export const SLICES = ['user.slice', 'system.slice', 'init.scope'] as const;
const CALL_LIMIT_MS = 10_000;

interface Run {
  ok: boolean;
  stdout: string;
  error?: string;
}

function systemctl(args: string[]): Promise<Run> {
  return new Promise((resolve) => {
    execFile('systemctl', args, { timeout: CALL_LIMIT_MS, encoding: 'utf8' }, (err, stdout, stderr) => {
      if (err) resolve({ ok: false, stdout, error: (stderr || err.message).trim() });
      else resolve({ ok: true, stdout });
    });
  });
}

/** Why isolation cannot work here, or undefined when it can. */
async function unsupported(root: string): Promise<string | undefined> {
  if (!(await pathExists(root, '/sys/fs/cgroup/cgroup.controllers')))
    return 'the host does not use the unified cgroup hierarchy (cgroup v2)';
  const version = await systemctl(['--version']);
  const n = Number(/systemd (\d+)/.exec(version.stdout)?.[1]);
  if (!version.ok || !Number.isFinite(n))
    return `systemctl --version failed (${version.error ?? 'no version'})`;
  if (n < 244) return `systemd ${n} is older than 244 (AllowedCPUs=)`;
  return undefined;
}

async function setAllowed(cpus: string, log: HookLog): Promise<boolean> {
  let all = true;
  for (const unit of SLICES) {
    const run = await systemctl(['set-property', '--runtime', '--', unit, `AllowedCPUs=${cpus}`]);
    if (!run.ok) {
      all = false;
      log(`systemctl set-property ${unit} AllowedCPUs=${cpus} failed: ${run.error ?? ''}`);
    }
  }
  return all;
}

/** Restricts the host's slices to `hostCpus`; false (with a warning logged) when it could not. */
export async function isolate(root: string, hostCpus: string, log: HookLog): Promise<boolean> {
  const why = await unsupported(root);
  if (why) {
    log(`warning: the host's work is not kept off the vCPUs: ${why}`);
    return false;
  }
  const ok = await setAllowed(hostCpus, log);
  if (ok) log(`${SLICES.join(', ')} now run on CPUs ${hostCpus}`);
  return true;
}

/** Lifts the restriction: an empty `AllowedCPUs=` means every CPU again. */
export async function release(log: HookLog): Promise<void> {
  if (await setAllowed('', log)) log(`${SLICES.join(', ')} run on every CPU again`);
}
