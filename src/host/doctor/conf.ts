/**
 * qemu.conf and AppArmor: the file parses, QEMU is not root, libvirt labels devices, the host plan
 * (cgroup ACL, AppArmor rules) is applied (research §3, §4 item 3).
 */
import { parseLibvirtConf } from '../libvirt-conf.js';
import { QEMU_CONF, readSettings, settingIssues } from '../qemu-conf.js';
import type { HostNeeds } from '../needs.js';
import type { DoctorEnv } from './env.js';
import { fail, ok, warn, type Finding } from './finding.js';

export function checkQemuConf(env: Pick<DoctorEnv, 'qemuConf' | 'qemuConfUnreadable'>): Finding[] {
  if (env.qemuConfUnreadable !== undefined) {
    return [
      warn(
        'qemu-conf',
        `${QEMU_CONF}: cannot read (${env.qemuConfUnreadable}; run as root)`,
        'it is readable by root only, so whether QEMU runs as root and what it may open is unknown',
        'sudo virt-gen doctor',
      ),
    ];
  }
  if (env.qemuConf === undefined) {
    return [
      warn(
        'qemu-conf',
        `${QEMU_CONF} does not exist`,
        'libvirt is probably not installed',
        'apt-get install libvirt-daemon-system',
      ),
    ];
  }
  let file;
  try {
    file = parseLibvirtConf(env.qemuConf, QEMU_CONF);
  } catch (err) {
    return [
      fail(
        'qemu-conf',
        (err as Error).message,
        'libvirt refuses a qemu.conf it cannot parse: the QEMU driver does not start',
        'fix the line named above',
      ),
    ];
  }
  const settings = readSettings(file);
  const user = settings.user ?? 'the build default (Debian: libvirt-qemu)';
  const findings: Finding[] = [ok('qemu-conf', `${QEMU_CONF} parses; QEMU runs as ${user}`)];
  for (const issue of settingIssues(settings, file, QEMU_CONF)) {
    findings.push(warn(`qemu-conf:${issue.id}`, issue.what, issue.why, issue.fix));
  }
  return findings;
}

/** The host plan: nothing left to apply. Missing extra device nodes or read files are failures (QEMU is denied them). */
export function checkHostPlan(
  env: Pick<DoctorEnv, 'plan' | 'planError'>,
  needs: HostNeeds | undefined,
): Finding[] {
  if (!needs) return [];
  const error = env.planError;
  // A missing device or IOMMU has its own finding already.
  if (error && (error.code === 'pci-not-found' || error.code === 'iommu-off')) return [];
  if (error) {
    return [
      fail(
        'host-plan',
        error.message,
        'the host cannot be prepared for this VM',
        'fix the problem named above',
      ),
    ];
  }
  const plan = env.plan;
  if (!plan) return [];
  if (plan.changes.length === 0)
    return [ok('host-plan', 'qemu.conf and AppArmor already allow what the VM needs')];
  const files = plan.changes.map((c) => c.path).join(', ');
  const extra = needs.deviceNodes.length > 0 || needs.readFiles.length > 0;
  const make = extra ? fail : warn;
  return [
    make(
      'host-plan',
      `host changes are pending: ${files}`,
      extra
        ? 'QEMU is denied device nodes or files that libvirt does not grant by itself (cgroup ACL / AppArmor)'
        : 'libvirt grants VFIO group nodes itself, but virt-gen keeps the guide-equivalent ACL and rules in place',
      'review with `virt-gen host plan CONFIG`, then run `virt-gen host apply CONFIG` as root',
    ),
  ];
}

/**
 * The AppArmor verdict comes from the host alone, so it is the same with or without a config; what
 * a config's VM still needs from AppArmor is the host-plan finding's business.
 */
export function checkAppArmor(env: Pick<DoctorEnv, 'apparmor'>): Finding[] {
  if (!env.apparmor.enabled) return [ok('apparmor', 'AppArmor is not enabled: no profile confines QEMU')];
  if (env.apparmor.abstraction === undefined) {
    return [
      warn(
        'apparmor',
        "AppArmor is enabled but libvirt's abstraction /etc/apparmor.d/abstractions/libvirt-qemu is missing",
        "libvirt's QEMU profiles include it",
        'reinstall libvirt-daemon-system (apparmor profiles)',
      ),
    ];
  }
  return [ok('apparmor', "AppArmor is enabled and libvirt's QEMU abstraction is installed")];
}
