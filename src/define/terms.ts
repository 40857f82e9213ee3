/**
 * Changes and conflicts in the config's words where there are any: `memory: config 1536 MiB,
 * edited in libvirt to 2048 MiB` says more to a user than an XPath. The table maps the elements
 * virt-gen generates from a config field back to that field; anything else keeps its XPath.
 */
import { pathOf, valueOf, VALUE, type Change } from './changes.js';
import { toBytes } from './survival.js';

// "element path/field" -> config field. Element paths are key steps without predicates.
const TERMS: Record<string, string> = {
  'memory#value': 'memory',
  'currentMemory#value': 'memory (current allocation)',
  'vcpu#value': 'cpu (vCPUs)',
  'title#value': 'title',
  'description#value': 'description',
  'cpu@mode': 'cpu.mode',
  'cpu/topology@sockets': 'cpu.sockets',
  'cpu/topology@cores': 'cpu.cores',
  'cpu/topology@threads': 'cpu.threads',
  'os/type@machine': 'machine',
  'devices/emulator#value': 'emulator',
  'memoryBacking/hugepages': 'hugepages',
  'iothreads#value': 'iothreads',
};

function plainSteps(steps: string[]): string {
  return steps.map((s) => s.replace(/\[.*$|#\d+$/, '')).join('/');
}

/** The config field for a change, or its XPath. */
export function termOf(c: Pick<Change, 'steps' | 'field'>): string {
  const plain = plainSteps(c.steps);
  const term = TERMS[`${plain}${c.field ?? VALUE}`] ?? TERMS[plain];
  return term ?? pathOf(c);
}

/** A value for people: quantities in MiB when they divide evenly, absent as "(none)". */
export function shown(value: string | undefined, field?: string): string {
  if (value === undefined) return '(none)';
  const m = field === VALUE ? /^(\d+) (\S+)$/.exec(value) : null;
  const bytes = m ? toBytes(m[1] as string, m[2]) : undefined;
  if (bytes !== undefined && bytes % (1024n * 1024n) === 0n) return `${bytes / (1024n * 1024n)} MiB`;
  return value;
}

/** One line per change: `memory: 4000 MiB -> 8000 MiB`, `added /domain/devices/hostdev[…]`. */
export function describe(c: Change): string {
  const leaf = c.el && c.el.children.every((x) => typeof x === 'string') ? valueOf(c.el) : undefined;
  if (c.kind !== 'set' && leaf === undefined) return `${c.kind === 'add' ? 'added' : 'removed'} ${pathOf(c)}`;
  const [before, after] =
    c.kind === 'add' ? [undefined, leaf] : c.kind === 'remove' ? [leaf, undefined] : [c.before, c.after];
  const field = c.kind === 'set' ? c.field : VALUE;
  return `${termOf(c)}: ${shown(before, field)} -> ${shown(after, field)}`;
}
