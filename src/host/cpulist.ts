/**
 * The kernel's cpulist format (`0-3,8-11`), used by sysfs topology files and by libvirt's cpusets.
 */
import { HostError } from './errors.js';

const ITEM_RE = /^(\d+)(?:-(\d+))?$/;

/**
 * Parses `0-3,8,10-11` into sorted, unique CPU numbers. An empty string (sysfs writes an empty line
 * for an empty set, e.g. `isolated`) is the empty list. Libvirt's `^N` exclusions are accepted too.
 */
export function parseCpuList(text: string): number[] {
  const included = new Set<number>();
  const excluded = new Set<number>();
  const trimmed = text.trim();
  if (trimmed === '') return [];
  for (const raw of trimmed.split(',')) {
    const item = raw.trim();
    const exclude = item.startsWith('^');
    const m = ITEM_RE.exec(exclude ? item.slice(1) : item);
    if (!m) throw new HostError(`"${text}" is not a CPU list (expected e.g. "0-3,8")`, 'cpulist-syntax');
    const from = Number(m[1]);
    const to = m[2] === undefined ? from : Number(m[2]);
    if (to < from) throw new HostError(`"${text}": range ${item} runs backwards`, 'cpulist-syntax');
    for (let cpu = from; cpu <= to; cpu++) (exclude ? excluded : included).add(cpu);
  }
  return [...included].filter((cpu) => !excluded.has(cpu)).sort((a, b) => a - b);
}

/** Writes CPU numbers in the shortest cpulist form: `[0,1,2,3,8]` → `0-3,8`. */
export function formatCpuList(cpus: readonly number[]): string {
  const sorted = [...new Set(cpus)].sort((a, b) => a - b);
  const parts: string[] = [];
  let i = 0;
  while (i < sorted.length) {
    let j = i;
    while (j + 1 < sorted.length && (sorted[j + 1] as number) === (sorted[j] as number) + 1) j++;
    parts.push(j === i ? `${sorted[i]}` : `${sorted[i]}-${sorted[j]}`);
    i = j + 1;
  }
  return parts.join(',');
}
