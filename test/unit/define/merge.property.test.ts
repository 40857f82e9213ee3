/**
 * Property: for a random base domain and random edits on both sides (the config's and a user's in
 * libvirt), the three-way merge gives, field by field, what a three-way merge must: a side that did
 * not touch a field takes the other's value, both sides agreeing is no conflict, and every field
 * changed differently on both sides is reported, and only those. Fields: memory (a quantity that
 * libvirt's side writes in KiB and the config's in MiB), vCPUs, title, CPU cores, and disks matched
 * by target (added, removed or with a changed cache mode), in shuffled device order.
 */
import { describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import { parseXml, writeXml, type XmlElement } from '../../../src/domain/index.js';
import { mergeDomains } from '../../../src/define/merge.js';

const DEVS = ['vda', 'vdb', 'vdc'] as const;
type Dev = (typeof DEVS)[number];

interface Model {
  memoryMiB: number;
  vcpu: number;
  title: string | undefined;
  cores: number;
  /** cache mode per disk target; absent: no such disk */
  disks: Partial<Record<Dev, string>>;
}

/** As libvirt writes it (KiB) or as virt-gen does (MiB); disks in the given order. */
function toXml(m: Model, side: 'libvirt' | 'generated', order: readonly Dev[] = DEVS): XmlElement {
  const memory =
    side === 'libvirt'
      ? `<memory unit="KiB">${m.memoryMiB * 1024}</memory>`
      : `<memory unit="MiB">${m.memoryMiB}</memory>`;
  const disks = order
    .filter((d) => m.disks[d] !== undefined)
    .map(
      (d) =>
        `<disk type="file" device="disk"><driver name="qemu" cache="${m.disks[d]}"/><source file="/x/${d}"/><target dev="${d}" bus="virtio"/></disk>`,
    )
    .join('');
  const extra = side === 'libvirt' ? '<controller type="usb" index="0" model="qemu-xhci"/>' : '';
  return parseXml(
    `<domain type="kvm"><name>vg</name>${m.title === undefined ? '' : `<title>${m.title}</title>`}${memory}<vcpu>${m.vcpu}</vcpu><cpu mode="host-passthrough"><topology sockets="1" cores="${m.cores}" threads="1"/></cpu><devices>${extra}${disks}</devices></domain>`,
  );
}

function child(el: XmlElement | undefined, name: string): XmlElement | undefined {
  return el?.children.find((c): c is XmlElement => typeof c !== 'string' && c.name === name);
}
const text = (el: XmlElement | undefined) =>
  (el?.children.find((c) => typeof c === 'string') as string) ?? '';

/** Reads a merged domain back into the model. */
function fromXml(el: XmlElement): Model {
  const mem = child(el, 'memory');
  const kib = mem?.attrs.unit === 'MiB' ? Number(text(mem)) * 1024 : Number(text(mem));
  const disks: Model['disks'] = {};
  for (const d of child(el, 'devices')?.children ?? []) {
    if (typeof d === 'string' || d.name !== 'disk') continue;
    disks[child(d, 'target')?.attrs.dev as Dev] = child(d, 'driver')?.attrs.cache as string;
  }
  const title = child(el, 'title');
  return {
    memoryMiB: kib / 1024,
    vcpu: Number(text(child(el, 'vcpu'))),
    title: title ? text(title) : undefined,
    cores: Number(child(child(el, 'cpu'), 'topology')?.attrs.cores),
    disks,
  };
}

const CACHES = ['none', 'writeback', 'unsafe'];
const model = fc.record({
  memoryMiB: fc.integer({ min: 1, max: 8 }).map((n) => n * 512),
  vcpu: fc.integer({ min: 1, max: 4 }),
  title: fc.option(fc.constantFrom('a', 'b', 'c'), { nil: undefined }),
  cores: fc.integer({ min: 1, max: 4 }),
  disks: fc.record(
    { vda: fc.constantFrom(...CACHES), vdb: fc.constantFrom(...CACHES), vdc: fc.constantFrom(...CACHES) },
    { requiredKeys: [] },
  ),
});
/** An edit: for each field, keep the base's value (false) or take the candidate's. */
const edit = fc.record({
  memoryMiB: fc.boolean(),
  vcpu: fc.boolean(),
  title: fc.boolean(),
  cores: fc.boolean(),
  vda: fc.boolean(),
  vdb: fc.boolean(),
  vdc: fc.boolean(),
});
type Edit = Record<keyof Omit<Model, 'disks'> | Dev, boolean>;

function edited(base: Model, cand: Model, e: Edit): Model {
  const disks: Model['disks'] = {};
  for (const d of DEVS) {
    const v = e[d] ? cand.disks[d] : base.disks[d];
    if (v !== undefined) disks[d] = v;
  }
  return {
    memoryMiB: e.memoryMiB ? cand.memoryMiB : base.memoryMiB,
    vcpu: e.vcpu ? cand.vcpu : base.vcpu,
    title: e.title ? cand.title : base.title,
    cores: e.cores ? cand.cores : base.cores,
    disks,
  };
}

type Field = keyof Omit<Model, 'disks'> | Dev;
const FIELDS: Field[] = ['memoryMiB', 'vcpu', 'title', 'cores', ...DEVS];
const get = (m: Model, f: Field) => (DEVS.includes(f as Dev) ? m.disks[f as Dev] : m[f as keyof Model]);

/** Which model field a conflict is about, from its XPath. */
function fieldOfPath(p: string): Field {
  const disk = /disk\[target=(vd.)\]/.exec(p);
  if (disk) return disk[1] as Dev;
  if (p.startsWith('/domain/memory')) return 'memoryMiB';
  if (p.startsWith('/domain/vcpu')) return 'vcpu';
  if (p.startsWith('/domain/title')) return 'title';
  if (p.includes('topology')) return 'cores';
  throw new Error(`unexpected conflict at ${p}`);
}

describe('three-way merge (property)', () => {
  it('keeps every one-sided change, agrees where both agree, reports exactly the real conflicts', () => {
    fc.assert(
      fc.property(
        model,
        model,
        model,
        edit,
        edit,
        fc.shuffledSubarray([...DEVS], { minLength: 3, maxLength: 3 }),
        (base, a, b, ea, eb, order) => {
          const ours = edited(base, a, ea);
          const theirs = edited(base, b, eb);
          const result = mergeDomains({
            baseLibvirt: toXml(base, 'libvirt'),
            libvirt: toXml(theirs, 'libvirt', order),
            baseGenerated: toXml(base, 'generated'),
            generated: toXml(ours, 'generated'),
          });
          const merged = fromXml(parseXml(writeXml(result.merged)));
          const expectedConflicts = new Set<Field>();
          for (const f of FIELDS) {
            const [bv, ov, tv] = [get(base, f), get(ours, f), get(theirs, f)];
            if (ov !== bv && tv !== bv && ov !== tv) expectedConflicts.add(f);
            const want = ov === bv ? tv : tv === bv ? ov : ov === tv ? ov : tv; // unsettled: the edit stays
            expect([f, get(merged, f)]).toEqual([f, want]);
          }
          expect(new Set(result.conflicts.map((c) => fieldOfPath(c.path)))).toEqual(expectedConflicts);
        },
      ),
      { numRuns: 400 },
    );
  });

  it("keeps what libvirt added (a default controller) and what the user added, under the config's change", () => {
    const base: Model = { memoryMiB: 1024, vcpu: 2, title: undefined, cores: 2, disks: { vda: 'none' } };
    const result = mergeDomains({
      baseLibvirt: toXml(base, 'libvirt'),
      libvirt: toXml({ ...base, title: 'mine', disks: { vda: 'none', vdb: 'unsafe' } }, 'libvirt'),
      baseGenerated: toXml(base, 'generated'),
      generated: toXml({ ...base, memoryMiB: 2048 }, 'generated'),
    });
    const xml = writeXml(result.merged);
    expect(xml).toContain('<controller type="usb" index="0" model="qemu-xhci"/>');
    expect(fromXml(result.merged)).toEqual({
      ...base,
      memoryMiB: 2048,
      title: 'mine',
      disks: { vda: 'none', vdb: 'unsafe' },
    });
    expect(result.conflicts).toEqual([]);
  });

  it('names a conflict in the config terms, with both values', () => {
    const base: Model = { memoryMiB: 1024, vcpu: 2, title: undefined, cores: 2, disks: {} };
    const r = mergeDomains({
      baseLibvirt: toXml(base, 'libvirt'),
      libvirt: toXml({ ...base, memoryMiB: 2048 }, 'libvirt'),
      baseGenerated: toXml(base, 'generated'),
      generated: toXml({ ...base, memoryMiB: 1536 }, 'generated'),
    });
    expect(r.conflicts).toEqual([
      { field: 'memory', path: '/domain/memory', config: '1536 MiB', edited: '2048 MiB' },
    ]);
    const input = {
      baseLibvirt: toXml(base, 'libvirt'),
      libvirt: toXml({ ...base, memoryMiB: 2048, vcpu: 4 }, 'libvirt'),
      baseGenerated: toXml(base, 'generated'),
      generated: toXml({ ...base, memoryMiB: 1536, cores: 1 }, 'generated'),
    };
    // --ours: the config wins the conflict; --theirs: the edit stays. Either way the rest merges.
    expect(fromXml(mergeDomains(input, 'ours').merged)).toMatchObject({ memoryMiB: 1536, vcpu: 4, cores: 1 });
    expect(fromXml(mergeDomains(input, 'theirs').merged)).toMatchObject({
      memoryMiB: 2048,
      vcpu: 4,
      cores: 1,
    });
  });
});
