/**
 * `virt-gen doctor [CONFIG]`: is this host ready to run the VM? Each finding says what was found, why it
 * matters and the fix. Ready (exit 0) when nothing fails; warnings do not block.
 */
import { checkBootTime } from './doctor/boot.js';
import { checkAppArmor, checkHostPlan, checkQemuConf } from './doctor/conf.js';
import { checkPassthrough } from './doctor/devices.js';
import { readDoctorEnv, type DoctorEnv, type DoctorReadOptions } from './doctor/env.js';
import type { Finding } from './doctor/finding.js';
import { checkFirmware, checkLibvirt, checkNeededFiles, checkTuning } from './doctor/host.js';
import { checkIommu } from './doctor/iommu.js';
import { checkVmPaths } from './doctor/paths.js';
import { checkKvm } from './doctor/kvm.js';
import { checkHugepages } from './doctor/memory.js';
import { checkRuntimeHook } from './doctor/runtime.js';
import type { HostFacts } from './facts.js';
import type { HostNeeds } from './needs.js';

export type { Finding, FindingStatus } from './doctor/finding.js';
export type { DoctorEnv, LibvirtStatus } from './doctor/env.js';

export interface DoctorReport {
  ready: boolean;
  findings: Finding[];
}

/** All checks, pure: the order is the order a user fixes things in. */
export function diagnose(facts: HostFacts, env: DoctorEnv, needs?: HostNeeds): DoctorReport {
  const findings = [
    ...checkIommu(facts),
    ...checkBootTime(facts, env),
    ...checkKvm(facts, env),
    ...checkPassthrough(facts, needs),
    ...checkHugepages(facts, needs),
    ...checkNeededFiles(env, needs),
    ...checkVmPaths(env),
    ...checkQemuConf(env),
    ...checkHostPlan(env, needs),
    ...checkRuntimeHook(env, needs),
    ...checkAppArmor(env),
    ...checkFirmware(env),
    ...checkLibvirt(env),
    ...checkTuning(env),
  ];
  return { ready: !findings.some((f) => f.status === 'fail'), findings };
}

export async function runDoctor(
  facts: HostFacts,
  root: string,
  opts: DoctorReadOptions = {},
): Promise<DoctorReport> {
  const env = await readDoctorEnv(facts, root, opts);
  return diagnose(facts, env, opts.needs);
}

export const doctorExitCode = (report: DoctorReport): number => (report.ready ? 0 : 1);

const MARK = { ok: 'ok  ', warn: 'WARN', fail: 'FAIL' } as const;

export function formatDoctorText(report: DoctorReport): string {
  const lines: string[] = [];
  for (const f of report.findings) {
    lines.push(`${MARK[f.status]}  ${f.what}`);
    if (f.status !== 'ok') {
      lines.push(`      why: ${f.why}`);
      lines.push(`      fix: ${f.fix}`);
    }
  }
  const fails = report.findings.filter((f) => f.status === 'fail').length;
  const warns = report.findings.filter((f) => f.status === 'warn').length;
  lines.push('');
  lines.push(
    report.ready
      ? `ready (${warns} warning${warns === 1 ? '' : 's'})`
      : `not ready: ${fails} problem${fails === 1 ? '' : 's'} to fix, ${warns} warning${warns === 1 ? '' : 's'}`,
  );
  return lines.join('\n') + '\n';
}
