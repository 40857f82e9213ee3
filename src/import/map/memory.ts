/**
 * Guest RAM: `-m`, `-mem-path`/`-mem-prealloc`, the main RAM backend object libvirt writes
 * (`memory-backend-*` named by `-machine memory-backend=`), `-overcommit mem-lock`, `-realtime mlock`.
 */
import type { DomainMemoryBacking } from '../../domain/model.js';
import type { Opt } from '../argv.js';
import type { ImportContext } from '../context.js';
import { MAX_MEMORY_BYTES } from '../limits.js';
import type { Props } from '../options.js';
import { compressList } from '../tokenize.js';

const KIB = 1024;
const MIB = 1024 * 1024;
/** QEMU's default RAM when `-m` is absent. */
const DEFAULT_RAM = 128 * MIB;

/** A hugetlbfs mount, by the name every distribution gives it (`/dev/hugepages`, `/dev/hugepages1G`…). */
export function isHugetlbfsPath(path: string): boolean {
  return /huge(page|tlb)/i.test(path);
}

export function mapMemory(ctx: ImportContext): void {
  const bytes = mapSize(ctx);
  setMemory(ctx, bytes);
  const backing: DomainMemoryBacking = (ctx.domain.memoryBacking ??= {});
  mainBackend(ctx, backing);
  legacyMemPath(ctx, backing);
  memLock(ctx, backing);
  if (!Object.keys(backing).length) delete ctx.domain.memoryBacking;
}

/** `-m 4000`, `-m 4G`, `-m size=219136k,slots=16,maxmem=16G`. */
function mapSize(ctx: ImportContext): number {
  const opts = ctx.take('-m');
  const opt = opts[opts.length - 1];
  if (!opt) return DEFAULT_RAM;
  const p = ctx.props(opt);
  const bytes = p.size('size', 'M');
  if (bytes === undefined || bytes < MIB)
    throw ctx.error(opt, 'expected a memory size such as 4096, 4G or 512M');
  const maxmem = p.size('maxmem', 'M');
  if (Math.max(bytes, maxmem ?? 0) > MAX_MEMORY_BYTES)
    throw ctx.error(opt, 'more memory than an x86-64 guest can address (4 PiB, 52 bits)');
  const slots = p.int('slots');
  if (maxmem !== undefined) maxMemory(ctx, maxmem, slots);
  ctx.reportUnused(opt, p);
  return bytes;
}

function setMemory(ctx: ImportContext, bytes: number): void {
  const kib = Math.ceil(bytes / KIB);
  // `dumpCore` comes from -machine, which may be read first: kept.
  ctx.domain.memory = {
    ...ctx.domain.memory,
    ...(kib % 1024 === 0 ? { unit: 'MiB', value: kib / 1024 } : { unit: 'KiB', value: kib }),
  };
}

/** `<maxMemory slots='16' unit='KiB'>…</maxMemory>`. */
function maxMemory(ctx: ImportContext, bytes: number, slots: number | undefined): void {
  ctx.domain.maxMemory = {
    ...(slots !== undefined ? { slots } : {}),
    unit: 'KiB',
    value: Math.ceil(bytes / KIB),
  };
}

/** The RAM backend libvirt names in `-machine memory-backend=pc.ram`. */
function mainBackend(ctx: ImportContext, backing: DomainMemoryBacking): void {
  const machines = ctx.opts.filter((o) => o.name === '-machine' && o.value !== undefined);
  const id = machines
    .map((m) => ctx.props(m).str('memory-backend'))
    .filter((v) => v !== undefined)
    .pop();
  if (!id) return;
  const opt = ctx.lookup(['-object'], 'id', id);
  if (!opt || opt.consumed) return;
  opt.consumed = true;
  backendProps(ctx, opt, ctx.props(opt), backing);
}

function backendProps(ctx: ImportContext, opt: Opt, p: Props, backing: DomainMemoryBacking): void {
  const type = p.str('qom-type');
  p.ignore('id', 'size', 'x-use-canonical-path-for-ramblock-id');
  const path = p.str('mem-path');
  const huge = (path !== undefined && isHugetlbfsPath(path)) || p.bool('hugetlb') === true;
  if (huge) hugepages(backing, path);
  else if (type === 'memory-backend-file') backing.source = { type: 'file' };
  else if (type === 'memory-backend-memfd') backing.source = { type: 'memfd' };
  if (p.bool('share')) backing.access = { mode: 'shared' };
  // libvirt preallocates hugepage-backed memory always: <allocation> says it only for other backends.
  if (p.bool('prealloc') && !huge) backing.allocation = { mode: 'immediate' };
  const threads = p.int('prealloc-threads');
  if (threads !== undefined) backing.allocation = { mode: 'immediate', threads };
  if (p.bool('discard-data')) backing.discard = {};
  numaPolicy(ctx, p);
  p.ignore('hugetlbsize', 'dump');
  ctx.reportUnused(opt, p);
}

/** QEMU's memory policy -> libvirt's `<numatune><memory mode>`. */
const NUMA_MODES: Record<string, 'strict' | 'preferred' | 'interleave'> = {
  bind: 'strict',
  preferred: 'preferred',
  interleave: 'interleave',
};

/** `"host-nodes":[0,1],"policy":"bind"` on the RAM backend -> `<numatune><memory mode='strict' nodeset='0-1'/>`. */
function numaPolicy(ctx: ImportContext, p: Props): void {
  const nodes = p.keysUnder('host-nodes').map((k) => p.int(`host-nodes.${k}`) as number);
  const policy = p.str('policy');
  const mode = policy === undefined ? undefined : NUMA_MODES[policy];
  if (!nodes.length || (policy !== undefined && !mode) || policy === 'default') return;
  p.ignore('policy');
  const attrs = {
    ...(mode ? { mode } : {}),
    nodeset: compressList([...new Set(nodes)].sort((a, b) => a - b)),
  };
  ctx.domain.numatune = { memory: attrs };
}

/** `<hugepages/>`, with the page size when the mount names it (`/dev/hugepages1G`). */
function hugepages(backing: DomainMemoryBacking, path: string | undefined): void {
  const m = path ? /hugepages-?(\d+)([MG])/i.exec(path) : null;
  if (!m) {
    backing.hugepages = {};
    return;
  }
  const size = Number(m[1]) * ((m[2] as string).toUpperCase() === 'G' ? 1024 * 1024 : 1024);
  backing.hugepages = { page: [{ size, unit: 'KiB' }] };
}

/** `-mem-path /dev/hugepages -mem-prealloc` (the guide's, and libvirt's before memory backends). */
function legacyMemPath(ctx: ImportContext, backing: DomainMemoryBacking): void {
  const paths = ctx.take('-mem-path');
  const prealloc = ctx.take('-mem-prealloc').length > 0;
  const path = paths[paths.length - 1]?.value;
  if (path !== undefined && isHugetlbfsPath(path)) hugepages(backing, path);
  else if (path !== undefined) backing.source = { type: 'file' };
  if (prealloc && !backing.hugepages) backing.allocation = { mode: 'immediate' };
}

/** `-overcommit mem-lock=on`, `-realtime mlock=on` -> `<locked/>`; `off` is libvirt's default. */
function memLock(ctx: ImportContext, backing: DomainMemoryBacking): void {
  for (const opt of ctx.take('-overcommit', '-realtime')) {
    const p = ctx.props(opt);
    const key = opt.name === '-realtime' ? 'mlock' : 'mem-lock';
    if (p.bool(key)) backing.locked = {};
    ctx.reportUnused(opt, p);
  }
}
