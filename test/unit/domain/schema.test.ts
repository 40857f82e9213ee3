import { describe, expect, it } from '@jest/globals';
import { attr, child, decode, encode, int, list, onOff, shape, text } from '../../../src/domain/schema.js';
import { parseXml } from '../../../src/domain/xml-read.js';
import { writeXml } from '../../../src/domain/xml-write.js';

const Leaf = shape({ state: attr(onOff) });
const Node = shape({
  kind: attr(),
  count: attr(int),
  first: child(Leaf),
  item: list(shape({ v: text(int) })),
});

describe('schema decode/encode', () => {
  it('reads typed values and writes them back in shape order', () => {
    const el = parseXml('<n count="0x10" kind="k"><item>2</item><first state="on"/><item>3</item></n>');
    const v = decode(Node, el);
    expect(v).toEqual({ kind: 'k', count: 16, first: { state: true }, item: [{ v: 2 }, { v: 3 }] });
    expect(writeXml(encode(Node, 'n', v))).toBe(
      '<n kind="k" count="16">\n  <first state="on"/>\n  <item>2</item>\n  <item>3</item>\n</n>\n',
    );
  });

  it('keeps unknown attributes, unknown children and unrecognised values', () => {
    const el = parseXml('<n kind="k" extra="x"><first state="maybe"/><other a="1"><deep/></other></n>');
    const v = decode(Node, el);
    expect(v.first).toEqual({ $extra: { attrs: { state: 'maybe' } } });
    const out = writeXml(encode(Node, 'n', v));
    expect(out).toContain('extra="x"');
    expect(out).toContain('<first state="maybe"/>');
    expect(out).toContain('<other a="1">');
    expect(out).toContain('<deep/>');
  });

  it('keeps a second copy of a single child instead of dropping it', () => {
    const v = decode(Node, parseXml('<n><first state="on"/><first state="off"/></n>'));
    expect(v.first).toEqual({ state: true });
    expect(writeXml(encode(Node, 'n', v))).toContain('<first state="off"/>');
  });
});

describe('unknown children keep their place', () => {
  const Doc = shape({ a: child(Leaf), b: list(Leaf), c: child(Leaf) });
  const names = (xml: string): string[] => {
    const out = encode(Doc, 'n', decode(Doc, parseXml(xml)));
    return out.children.flatMap((c) => (typeof c === 'string' ? [] : [c.name]));
  };

  it('are written after the known child they followed, or first', () => {
    expect(names('<n><x/><a/><y/><b/><b/><z/><c/><w/></n>')).toEqual([
      'x',
      'a',
      'y',
      'b',
      'b',
      'z',
      'c',
      'w',
    ]);
  });

  it('follow the nearest earlier known child when the one they followed is gone', () => {
    const v = decode(Doc, parseXml('<n><a/><b/><x/><c/></n>'));
    delete v.b;
    const out = encode(Doc, 'n', v);
    expect(out.children.map((c) => (typeof c === 'string' ? c : c.name))).toEqual(['a', 'x', 'c']);
  });

  it('added by code without a place are written after every known child', () => {
    const v = decode(Doc, parseXml('<n><a/><c/></n>'));
    v.$extra = { children: [{ name: 'x', attrs: {}, children: [] }] };
    const out = encode(Doc, 'n', v);
    expect(out.children.map((c) => (typeof c === 'string' ? c : c.name))).toEqual(['a', 'c', 'x']);
  });
});

describe('unknown attributes', () => {
  it('are written back in the order read, among the known ones', () => {
    const out = encode(Node, 'n', decode(Node, parseXml('<n x="1" count="2" y="3" kind="k"/>')));
    expect(Object.keys(out.attrs)).toEqual(['x', 'count', 'y', 'kind']);
  });
});
