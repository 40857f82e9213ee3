/**
 * Mutated QEMU command lines, for the property that every input `import` accepts gives XML libvirt's
 * schema accepts (issue 8). Seeds are libvirt's own command lines (the GPL corpus in ../shared, read
 * where it is) and the guide's vm.args; a mutation deletes, repeats or swaps words, bends a value of
 * a `key=value` list towards the edges (empty, huge, negative, control characters, markup), starts a
 * new line, or adds an option from a list of hostile ones. Shared by the bounded, seeded unit test
 * and the bigger run in scripts/fuzz-import.mjs, so both measure the same thing.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { splitOptions } from '../../src/import/argv.js';
import { parseCommandLine } from '../../src/import/tokenize.js';

/** Values at the edges of what options take. */
const EDGE_VALUES = [
  '',
  '0',
  '-1',
  '1',
  '65536',
  '100000',
  '4294967297',
  '99999999999999999999',
  '0x',
  '1.5',
  'on',
  'off',
  'none',
  'x'.repeat(300),
  'a<b>&"\'',
  'tab\there',
  'nul\u0000x',
  'bell\u0007',
  '/dev/../etc/shadow',
  'é\u{1F600}',
  '{"a":',
  '[[[[[[[[]]]]]]]]',
];

/** Options a hostile or careless input adds. */
const HOSTILE_OPTIONS: string[][] = [
  ['-smp', '100000'],
  ['-smp', '0'],
  ['-smp', '4,sockets=3,cores=5,threads=7'],
  ['-vnc', ':70000'],
  ['-vnc', '0.0.0.0:-6000'],
  ['-machine', 'weird<type>'],
  ['-M', 'pc-q35-99.9'],
  ['-machine', 'q35,accel=tcg:kvm'],
  ['-m', '0'],
  ['-m', '99999999G'],
  ['-name', 'a\u0001b'],
  ['-uuid', 'not-a-uuid'],
  ['-cpu', 'host,+,-,=on'],
  ['-cpu', 'Skylake<x>'],
  ['-device', `{"driver":"virtio-net-pci","a":${'['.repeat(5000)}${']'.repeat(5000)}}`],
  ['-device', 'vfio-pci,host=zz:00.0'],
  ['-device', 'usb-host,vendorid=0x1ffff,productid=-1'],
  ['-netdev', 'tap,id=n0,ifname=aaaaaaaaaaaaaaaaaaaaaa'],
  ['-device', 'virtio-net-pci,netdev=n0,mac=01:00:5e:00:00:01'],
  ['-spice', 'port=99999,addr=x'],
  ['-rtc', 'base=garbage'],
  ['-boot', 'order=zzz'],
  ['-drive', 'file=,if=virtio'],
  ['-object', 'memory-backend-file,id=m,size=1x,mem-path=/dev/hugepages'],
  ['-smbios', 'type=2'],
  ['-global', 'ICH9-LPC.disable_s3=2'],
];

export interface Seed {
  file: string;
  /** Environment, wrappers and binary. */
  head: string[];
  /** The options, each with its value: the units most mutations work on. */
  groups: string[][];
}

/** A seed file as the importer reads it: the command's head and its options with their values. */
export function seedOf(file: string, text: string): Seed {
  const cmd = parseCommandLine(text);
  const head = [...cmd.env.map((e) => e.token), ...cmd.wrappers, ...(cmd.binary ? [cmd.binary] : [])];
  return {
    file,
    head: head.map((t) => t.value),
    groups: splitOptions(cmd.args).map((o) => [
      ...(o.written !== undefined ? [o.written] : []),
      ...(o.value !== undefined ? [o.value] : []),
    ]),
  };
}

/** The corpus's .args files and the guide's vm.args, as seeds. */
export function loadSeeds(shared: string): Seed[] {
  const corpus = join(shared, 'corpus/libvirt-tests');
  const dirs = ['argv2xml', 'xml2argv/v10.7.0-json', 'xml2argv/v7.9.0-classic'];
  const files = dirs.flatMap((d) =>
    readdirSync(join(corpus, d))
      .filter((f) => f.endsWith('.args'))
      .map((f) => join(corpus, d, f)),
  );
  files.push(join(shared, 'guide/vm.args'));
  return files.map((file) => seedOf(file, readFileSync(file, 'utf8')));
}

const quote = (word: string): string =>
  /^[A-Za-z0-9_./:=,+@%-]+$/.test(word) ? word : `'${word.replace(/'/g, `'\\''`)}'`;

type Groups = string[][];
type Mutation = (groups: Groups) => Groups;

/** One key=value (or the whole value) of an option bent to an edge value. */
function bendValue(at: number, edge: string): Mutation {
  return (groups) => {
    const i = at % groups.length;
    const group = groups[i] as string[];
    if (group.length < 2) return groups;
    const parts = (group[1] as string).split(',');
    const k = at % parts.length;
    const part = parts[k] as string;
    const eq = part.indexOf('=');
    parts[k] = eq >= 0 ? `${part.slice(0, eq + 1)}${edge}` : edge;
    return [...groups.slice(0, i), [group[0] as string, parts.join(',')], ...groups.slice(i + 1)];
  };
}

const mutation: fc.Arbitrary<Mutation> = fc.oneof(
  { weight: 2, arbitrary: fc.nat().map((at) => (g: Groups) => g.filter((_, i) => i !== at % g.length)) },
  fc.nat().map((at) => (g: Groups) => {
    const i = at % g.length;
    return [...g.slice(0, i + 1), ...g.slice(i)];
  }),
  fc.tuple(fc.nat(), fc.nat()).map(([a, b]) => (g: Groups) => {
    const out = [...g];
    const i = a % g.length;
    const j = b % g.length;
    [out[i], out[j]] = [out[j] as string[], out[i] as string[]];
    return out;
  }),
  {
    weight: 4,
    arbitrary: fc.tuple(fc.nat(), fc.constantFrom(...EDGE_VALUES)).map(([at, edge]) => bendValue(at, edge)),
  },
  {
    weight: 2,
    arbitrary: fc.tuple(fc.nat(), fc.constantFrom(...HOSTILE_OPTIONS)).map(([at, opt]) => (g: Groups) => {
      const i = at % (g.length + 1);
      return [...g.slice(0, i), opt, ...g.slice(i)];
    }),
  },
  // Word level, now and then: an option loses its value, or a value its option.
  fc.nat().map((at) => (g: Groups) => g.map((group, i) => (i === at % g.length ? group.slice(0, 1) : group))),
);

/** A mutated command line: a seed and 1-4 mutations, with now and then a second line. */
export function mutatedCommandLine(seeds: Seed[]): fc.Arbitrary<string> {
  return fc
    .tuple(
      fc.nat({ max: seeds.length - 1 }),
      fc.array(mutation, { minLength: 1, maxLength: 4 }),
      fc.oneof(
        { weight: 9, arbitrary: fc.constant(null) },
        fc.constantFrom('touch /tmp/x', '-m 1G', 'rm -rf /', '# a comment'),
      ),
    )
    .map(([n, ms, line]) => {
      const seed = seeds[n] as Seed;
      const groups = ms.reduce((g, m) => (g.length ? m(g) : g), seed.groups);
      const text = [...seed.head, ...groups.flat()].map(quote).join(' ');
      return line === null ? text : `${text}\n${line}\n`;
    });
}

/**
 * libvirt's schema check of many documents in one xmllint run (virt-xml-validate is a wrapper of
 * `xmllint --relaxng domain.rng` that takes one file): the indexes of those that do not validate,
 * with xmllint's messages.
 */
export function invalidDocuments(
  xmls: string[],
  schema = '/usr/share/libvirt/schemas/domain.rng',
): Array<{ index: number; messages: string }> {
  if (!xmls.length) return [];
  const dir = mkdtempSync(join(tmpdir(), 'vg-import-fuzz-'));
  try {
    const files = xmls.map((xml, i) => {
      const file = join(dir, `${i}.xml`);
      writeFileSync(file, xml);
      return file;
    });
    const r = spawnSync('xmllint', ['--noout', '--relaxng', schema, ...files], {
      encoding: 'utf8',
      maxBuffer: 64 * 1024 * 1024,
    });
    if (r.error) throw r.error;
    const out = r.stderr ?? '';
    return files.flatMap((file, index) =>
      out.includes(`${file} validates`)
        ? []
        : [
            {
              index,
              messages: out
                .split('\n')
                .filter((l) => l.startsWith(file))
                .join('\n'),
            },
          ],
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
