/**
 * Guest NUMA: `-numa node,nodeid=N,cpus=A-B,memdev=m|mem=SIZE` -> `<cpu><numa><cell>`. QEMU makes one
 * node itself when memory hotplug is on (`-m …,maxmem=`) and no node is given; libvirt wants that
 * node written, so the import writes it.
 */
import type { ImportContext } from '../context.js';
import { ImportError } from '../errors.js';

type Cell = NonNullable<NonNullable<NonNullable<ImportContext['domain']['cpu']>['numa']>['cell']>[number];

export function mapNuma(ctx: ImportContext): void {
  const cells: Cell[] = [];
  for (const opt of ctx.find('-numa')) {
    const p = ctx.props(opt);
    if ((p.str('type') ?? 'node') !== 'node') continue;
    opt.consumed = true;
    const id = p.int('nodeid') ?? cells.length;
    const cpus = p.matching('cpus', /^\d+(-\d+)?$/, 'a CPU range such as 0-3');
    const bytes = cellBytes(ctx, p.str('memdev'), p.size('mem', 'M'));
    if (bytes === undefined) throw ctx.error(opt, 'a NUMA node needs memdev= or mem=');
    cells.push({ id, ...(cpus !== undefined ? { cpus } : {}), memory: Math.ceil(bytes / 1024), unit: 'KiB' });
    p.ignore('type');
    ctx.reportUnused(opt, p);
  }
  if (!cells.length && hotplug(ctx)) cells.push(implicitCell(ctx));
  if (cells.length) (ctx.domain.cpu ??= {}).numa = { cell: cells };
}

/** The size of the node's RAM backend, which the node takes (`-object memory-backend-ram,id=m0,size=4G`). */
function cellBytes(
  ctx: ImportContext,
  memdev: string | undefined,
  mem: number | undefined,
): number | undefined {
  if (memdev === undefined) return mem;
  const backend = ctx.lookup(['-object'], 'id', memdev);
  if (!backend) throw new ImportError(`-numa memdev=${memdev}: no -object with that id`);
  backend.consumed = true;
  return ctx.props(backend).size('size');
}

function hotplug(ctx: ImportContext): boolean {
  return !!ctx.domain.$extra?.children?.some((c) => c.name === 'maxMemory');
}

/** The node QEMU creates: every vCPU and all of the memory. */
function implicitCell(ctx: ImportContext): Cell {
  const vcpus = ctx.domain.vcpu?.value ?? 1;
  const memory = ctx.domain.memory;
  const kib = (memory?.value ?? 0) * (memory?.unit === 'MiB' ? 1024 : 1);
  ctx.warn(
    'memory hotplug (maxmem=) without -numa: the one NUMA node QEMU makes is written, as libvirt needs it',
  );
  return { id: 0, cpus: vcpus > 1 ? `0-${vcpus - 1}` : '0', memory: kib, unit: 'KiB' };
}
