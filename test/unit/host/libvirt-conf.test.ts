/**
 * The libvirt config parser against libvirt's own (virconf.c, through virsh's client config): same
 * verdict, same reason, same line, on hand-picked edge cases and on generated files.
 */
import { describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import { ConfSyntaxError, getEntry, parseLibvirtConf, stringList } from '../../../src/host/libvirt-conf.js';
import { libvirtAccepts } from './helpers/oracles.js';
import { qemuConfFixture } from './helpers/roots.js';

/** Our verdict in libvirt's words: `ok`, or `LINE: reason`. */
function ours(text: string): string {
  try {
    parseLibvirtConf(text, 'libvirt.conf');
    return 'ok';
  } catch (err) {
    if (!(err instanceof ConfSyntaxError)) throw err;
    return `${err.line}: ${err.reason}`;
  }
}

/** libvirt's verdict: `ok`, or `LINE: reason` from "configuration file syntax error: FILE:LINE: reason". */
async function theirs(text: string): Promise<string> {
  const r = await libvirtAccepts(text);
  if (r.ok) return 'ok';
  const m = /libvirt\.conf:(\d+): (.*)$/m.exec(r.message);
  return m ? `${m[1]}: ${m[2]}` : `unexpected: ${r.message}`;
}

describe('parseLibvirtConf', () => {
  it('reads entries with their offsets', () => {
    const text = 'a = "x" # note\nlist = [ "p", \'q\',\n  3 ]\nn = -4; m = """two\nlines"""\n';
    const file = parseLibvirtConf(text);
    expect(file.entries.map((e) => [e.name, e.line, text.slice(e.start, e.end)])).toEqual([
      ['a', 1, 'a = "x"'],
      ['list', 2, 'list = [ "p", \'q\',\n  3 ]'],
      ['n', 4, 'n = -4'],
      ['m', 4, 'm = """two\nlines"""'],
    ]);
    const list = getEntry(file, 'list')?.value;
    expect(list?.kind === 'list' && list.items.map((i) => text.slice(i.start, i.end))).toEqual([
      '"p"',
      "'q'",
      '3',
    ]);
    expect(stringList(list!)).toBeUndefined();
    expect(getEntry(file, 'm')?.value).toMatchObject({ kind: 'string', value: 'two\nlines' });
  });

  it("reads Debian 12's stock qemu.conf: every setting is commented out", async () => {
    expect(parseLibvirtConf(await qemuConfFixture('debian12-stock.conf')).entries).toEqual([]);
  });

  it('names the line and the reason of an error', () => {
    expect(() => parseLibvirtConf('a = 1\nb = [ "x"\n  "y" ]\n', '/etc/libvirt/qemu.conf')).toThrow(
      '/etc/libvirt/qemu.conf: line 3, column 3: expecting a separator in list. libvirt cannot read this file either',
    );
  });
});

const EDGE_CASES = [
  '',
  '\n',
  '#c',
  'a = 1;b = 2',
  'a = 1 ; b = 2\n',
  ';',
  'a = 1 # c ; b',
  'a = 1;\n',
  ' a = 1\n',
  'a = "x" "y"\n',
  'a = [ [1, 2], "x" ]\n',
  'a=1\r\nb=2\r\n',
  'a = """x\ny"""\n',
  'a = """"""',
  'a = """"""\n',
  'a = 1\n  \n',
  'a = 1\n  ',
  'a = 1 b = 2\n',
  'a = -\n',
  "a = 'x'\n",
  'a = 1\n#',
  'a = [\n"x"\n,\n"y"\n]\n',
  'a = [ "x", ]\n',
  'a = [ , ]\n',
  'a = [ "x",\n # c\n "y" ]\n',
  'a = [ "x" # c\n ]\n',
  'a = [ "x"',
  'a = "x\n"\n',
  'a = \n1\n',
  '1a = 1\n',
  '_a = 1\n',
  'a b = 1\n',
  'a = +7\n',
  'a = 12abc\n',
  'a = "x";;\n',
  'a = [\n]\n',
];

describe('parseLibvirtConf agrees with libvirt 9.0 (virconf.c via virsh)', () => {
  it.each(EDGE_CASES.map((t) => [JSON.stringify(t), t]))('%s', async (_label, text) => {
    expect(ours(text)).toBe(await theirs(text));
  });

  it('on the qemu.conf fixtures', async () => {
    for (const name of [
      'debian12-stock.conf',
      'one-line-acl.conf',
      'comments-around-list.conf',
      'guide-vfio.conf',
      'comments-in-list.conf',
      'broken.conf',
    ]) {
      const text = await qemuConfFixture(name);
      expect([name, ours(text)]).toEqual([name, await theirs(text)]);
    }
  });
});

// Files in libvirt's grammar, valid or nearly so: a random character is sometimes inserted.
const ws = fc.constantFrom('', ' ', '\t', '  ');
const nl = fc.constantFrom('\n', '\n\n', '\r\n', ' \n', '\n  ');
const strChar = fc.constantFrom('a', '/', 'v', ' ', '#', ';', '[', ']', ',', '=', "'", '"', '\\');
const dq = fc
  .array(
    strChar.filter((c) => c !== '"'),
    { maxLength: 5 },
  )
  .map((cs) => `"${cs.join('')}"`);
const sq = fc
  .array(
    strChar.filter((c) => c !== "'"),
    { maxLength: 5 },
  )
  .map((cs) => `'${cs.join('')}'`);
const num = fc.tuple(fc.constantFrom('', '+', '-'), fc.nat(999)).map(([s, n]) => `${s}${n}`);
const triple = fc
  .array(fc.constantFrom('a', '\n', '"', ' '), { maxLength: 5 })
  .map((cs) => `"""${cs.join('')}"""`);
const gap = fc.oneof(ws, nl);
const { value } = fc.letrec<{ value: string; list: string }>((tie) => ({
  value: fc.oneof({ depthSize: 'small', withCrossShrink: true }, dq, sq, num, triple, tie('list')),
  list: fc
    .tuple(fc.array(fc.tuple(gap, tie('value'), gap), { maxLength: 3 }), fc.boolean(), gap)
    .map(
      ([items, trailing, end]) =>
        `[${items.map(([a, v, b]) => a + v + b).join(',')}${trailing && items.length > 0 ? ',' : ''}${end}]`,
    ),
}));
const statement = fc.oneof(
  fc
    .tuple(ws, fc.constantFrom('a', 'k_1', 'Key2', 'x9'), ws, ws, value, ws, fc.constantFrom('', '# c', ' #'))
    .map(([a, n, b, c, v, d, cm]) => `${a}${n}${b}=${c}${v}${d}${cm}`),
  fc.constantFrom('# comment', '#', '   # indented'),
);
const confFile = fc
  .tuple(
    fc.array(fc.tuple(statement, fc.constantFrom('\n', ';', ' ;\n', '\r\n', '\n\n')), {
      minLength: 1,
      maxLength: 4,
    }),
    fc.option(
      fc.tuple(fc.nat(), fc.constantFrom('#', ',', '"', "'", '[', ']', '=', '\n', ' ', 'x', '-', ';')),
    ),
  )
  .map(([stmts, mutation]) => {
    const text = stmts.map(([s, sep]) => s + sep).join('');
    if (!mutation) return text;
    const at = mutation[0] % (text.length + 1);
    return text.slice(0, at) + mutation[1] + text.slice(at);
  });

describe('property: libvirt and virt-gen accept and refuse the same files', () => {
  it('for generated files (verdict, reason and line)', async () => {
    await fc.assert(
      fc.asyncProperty(confFile, async (text) => {
        expect(ours(text)).toBe(await theirs(text));
      }),
      { numRuns: Number(process.env.VIRT_GEN_FC_RUNS ?? 150) },
    );
  }, 120_000);
});
