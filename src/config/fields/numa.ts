/**
 * Validation of guest NUMA cells written by hand (`cpu.numa` as a list). libvirt does not refuse
 * cells that leave vCPUs out or whose memory differs from `<memory>`: it silently puts the missing
 * vCPUs in cell 0 and replaces `<memory>` by the cells' sum (libvirt 9.0, checked with define).
 * The config refuses both instead, so the domain is the one the user wrote.
 */
import type { ResolvedCpu } from '../resolved.js';
import { Issues, describe, isRecord } from '../issues.js';
import { parseSizeMiB } from '../size.js';
import { parseCpuList } from '../../host/cpulist.js';
import { cpusetProblem } from './cpuset.js';

type Cells = NonNullable<ResolvedCpu['cells']>;

/** Each cell's vCPUs and memory; every vCPU in exactly one cell. */
export function resolveNumaCells(issues: Issues, value: unknown[], vcpus: number): Cells {
  if (value.length === 0) issues.add('cpu.numa', 'is an empty list: give at least one cell, or leave it out');
  const owner = new Map<number, number>();
  const cells: Cells = [];
  value.forEach((cell, i) => {
    const at = `cpu.numa[${i}]`;
    if (!isRecord(cell)) {
      issues.add(at, `${describe(cell)} is not a cell ({ cpus: '0-3', memory: '8 GiB' })`);
      return;
    }
    issues.unknownKeys(at, cell, ['cpus', 'memory']);
    const list = cellCpus(issues, `${at}.cpus`, cell.cpus, vcpus);
    for (const v of list) {
      const other = owner.get(v);
      if (other !== undefined) issues.add(`${at}.cpus`, `vCPU ${v} is also in cpu.numa[${other}].cpus`);
      else owner.set(v, i);
    }
    const memoryMiB = parseSizeMiB(cell.memory);
    if (memoryMiB === undefined)
      issues.add(
        `${at}.memory`,
        `${describe(cell.memory)} is not a memory size (a number of MiB, or "8 GiB")`,
      );
    cells.push({ vcpus: list, memoryMiB: memoryMiB ?? 0 });
  });
  const missing = Array.from({ length: vcpus }, (_, v) => v).filter((v) => !owner.has(v));
  if (value.length > 0 && missing.length) {
    issues.add(
      'cpu.numa',
      `vCPU ${missing.join(', ')} is in no cell: every one of the ${vcpus} vCPUs belongs to exactly one cell`,
    );
  }
  return cells;
}

function cellCpus(issues: Issues, at: string, value: unknown, vcpus: number): number[] {
  const text = issues.string(at, value, { required: true })?.replace(/\s+/g, '');
  if (text === undefined) return [];
  const why = cpusetProblem(text);
  if (why) {
    issues.add(at, `${JSON.stringify(value)} is not a set of vCPUs: ${why} (expected e.g. "0-3")`);
    return [];
  }
  const list = parseCpuList(text);
  const beyond = list.filter((v) => v >= vcpus);
  if (beyond.length) {
    issues.add(at, `vCPU ${beyond.join(', ')} does not exist: the guest has vCPUs 0 to ${vcpus - 1}`);
  }
  return list.filter((v) => v < vcpus);
}

/** The cells' memory must be the guest's: libvirt would silently make `<memory>` their sum. */
export function checkNumaMemory(issues: Issues, cells: Cells | undefined, memoryMiB: number): void {
  if (!cells?.length || memoryMiB === 0 || cells.some((c) => c.memoryMiB === 0)) return;
  const sum = cells.reduce((n, c) => n + c.memoryMiB, 0);
  if (sum !== memoryMiB) {
    issues.add(
      'cpu.numa',
      `the cells' memory adds up to ${sum} MiB, but memory is ${memoryMiB} MiB (they must be equal)`,
    );
  }
}
