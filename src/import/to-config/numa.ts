/**
 * domain -> config for guest NUMA cells (`<cpu><numa>` -> `cpu.numa` as a list): the reverse of the
 * hand-written cells of src/generate/placement.ts and cpu.ts. The config takes cells that give every
 * vCPU exactly one node and whole MiB of memory; others are named in the config's notes.
 */
import { parseCpuList } from '../../host/cpulist.js';
import type { Domain } from '../../domain/model.js';
import type { NumaCellConfig } from '../../config/types.js';

const KIB_PER: Record<string, number> = {
  KiB: 1,
  k: 1,
  MiB: 1024,
  M: 1024,
  GiB: 1024 * 1024,
  G: 1024 * 1024,
};

export function numaCells(domain: Domain, notes: string[]): NumaCellConfig[] | undefined {
  const cells = domain.cpu?.numa?.cell ?? [];
  if (cells.length === 0) return undefined;
  const vcpus = domain.vcpu?.value ?? 1;
  const seen = new Set<number>();
  const out: NumaCellConfig[] = [];
  for (const cell of cells) {
    const kib = (cell.memory ?? 0) * (KIB_PER[cell.unit ?? 'KiB'] ?? Number.NaN);
    const list = cell.cpus === undefined ? [] : safeList(cell.cpus);
    if (
      !list.length ||
      !Number.isInteger(kib / 1024) ||
      kib <= 0 ||
      list.some((v) => seen.has(v) || v >= vcpus)
    ) {
      notes.push(
        `<cpu><numa> cell ${cell.id ?? out.length}: no vCPUs, a vCPU twice, or memory not in whole MiB`,
      );
      return undefined;
    }
    list.forEach((v) => seen.add(v));
    out.push({ cpus: cell.cpus as string, memory: kib / 1024 });
  }
  if (seen.size !== vcpus) {
    notes.push(
      `<cpu><numa>: the cells hold ${seen.size} of the ${vcpus} vCPUs (libvirt adds the rest to cell 0)`,
    );
    return undefined;
  }
  return out;
}

function safeList(text: string): number[] {
  try {
    return parseCpuList(text);
  } catch {
    return [];
  }
}
