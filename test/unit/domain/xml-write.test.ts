/**
 * The XML writer is the last line of defence for every producer (config, import, templates): it never
 * writes a document that is not XML, and what it writes reads back as the same characters (xmllint).
 */
import { describe, expect, it } from '@jest/globals';
import { writeXml, XmlTextError } from '../../../src/domain/xml-write.js';
import type { XmlElement } from '../../../src/domain/xml-node.js';
import { run } from '../../support/run.js';

const domain = (...children: XmlElement[]): XmlElement => ({ name: 'domain', attrs: {}, children });
const el = (
  name: string,
  attrs: Record<string, string>,
  ...children: XmlElement['children']
): XmlElement => ({
  name,
  attrs,
  children,
});

describe('writeXml and characters', () => {
  it.each([
    [
      'NUL in text',
      el('title', {}, 'a\u0000b'),
      'U+0000 (NUL) at character 2 of the text of <title> (domain/title)',
    ],
    [
      'a C0 control in text',
      el('description', {}, 'bell\u0007'),
      'U+0007 (a control character) at character 5',
    ],
    [
      'a control in an attribute',
      el('devices', {}, el('disk', {}, el('source', { file: '/x\u001b.img' }))),
      'U+001B (a control character) at character 3 of attribute file of <source> (domain/devices/disk/source)',
    ],
    ['a lone surrogate', el('title', {}, 'x\uD800'), 'U+D800 (half of a UTF-16 surrogate pair)'],
    ['U+FFFF', el('title', {}, '\uFFFF'), 'U+FFFF (not a character XML can carry)'],
  ])('refuses %s, naming where it is', (_what, child, message) => {
    expect(() => writeXml(domain(child))).toThrow(XmlTextError);
    expect(() => writeXml(domain(child))).toThrow(message);
  });

  it('keeps tabs and line breaks in attributes, and carriage returns in text, as character references', () => {
    const text = writeXml(
      domain(el('description', {}, 'one\r\ntwo\tthree'), el('qemu:arg', { value: 'a\tb\nc\rd' })),
    );
    expect(text).toContain('<qemu:arg value="a&#9;b&#10;c&#13;d"/>');
    // A real XML parser reads the very characters back (xmllint re-serialises them as its own references).
    const r = run('xmllint', ['--xpath', 'string(/domain/*[2]/@value)', '-'], { input: text });
    expect(r.status).toBe(0);
    expect(r.stdout).toBe('a\tb\nc\rd\n'); // xmllint ends its output with a line feed
    const t = run('xmllint', ['--xpath', 'string(/domain/description)', '-'], { input: text });
    expect(t.stdout).toBe('one\r\ntwo\tthree\n');
  });

  it('writes characters beyond the BMP and ordinary escapes unchanged', () => {
    const text = writeXml(domain(el('title', {}, 'GPU 🎮 & <co>')));
    expect(text).toContain('<title>GPU 🎮 &amp; &lt;co&gt;</title>');
  });
});
