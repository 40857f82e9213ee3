/**
 * Host CPU sets as libvirt parses them (`0-3,8-11,^2`), for every config field that names host CPUs
 * (`cpu.pin`, `cpu.cpuset`, `cpu.emulatorPin`) or guest vCPUs (`cpu.numa[].cpus`).
 */
import { Issues } from '../issues.js';

/** libvirt keeps cpusets in a bitmap of 16384 CPUs (VIR_DOMAIN_CPUMASK_LEN): higher numbers fail to parse. */
export const MAX_HOST_CPU = 16383;

/** A cpuset field, whitespace removed, or undefined (refused or absent). */
export function cpuset(issues: Issues, at: string, value: unknown): string | undefined {
  if (typeof value === 'number') {
    if (Number.isInteger(value) && value >= 0 && value <= MAX_HOST_CPU) return String(value);
    issues.add(at, `${value} is not a host CPU number (0 to ${MAX_HOST_CPU})`);
    return undefined;
  }
  const s = issues.string(at, value)?.replace(/\s+/g, '');
  if (s === undefined) return undefined;
  const why = cpusetProblem(s);
  if (why)
    issues.add(at, `${JSON.stringify(value)} is not a host CPU set: ${why} (expected e.g. "0-3,8-11")`);
  return why ? undefined : s;
}

/** What libvirt would refuse in a cpuset (virBitmapParse, then an empty result), or undefined. */
export function cpusetProblem(s: string): string | undefined {
  const included = new Set<number>();
  const excluded = new Set<number>();
  for (const item of s.split(',')) {
    const m = /^(\^)?(\d+)(?:-(\d+))?$/.exec(item);
    if (!m || (m[1] && m[3] !== undefined))
      return item === '' ? 'an empty item' : `"${item}" is not N, N-M or ^N`;
    const from = Number(m[2]);
    const to = m[3] === undefined ? from : Number(m[3]);
    if (to < from) return `the range ${item} runs backwards`;
    if (to > MAX_HOST_CPU) return `CPU ${to} is beyond libvirt's highest, ${MAX_HOST_CPU}`;
    for (let cpu = from; cpu <= to; cpu++) (m[1] ? excluded : included).add(cpu);
  }
  return [...included].some((cpu) => !excluded.has(cpu)) ? undefined : 'it leaves no CPU';
}
