/**
 * Reading XML as libvirt does: character references decoded in attributes and text (a tab in a
 * `<qemu:arg>` written as `&#9;` reads back as a tab), XML's five entities, and no other named one.
 */
import { describe, expect, it } from '@jest/globals';
import { parseXml, XmlSyntaxError } from '../../../src/domain/xml-read.js';
import { parseDomainXml, writeDomainXml } from '../../../src/domain/document.js';

describe('reading XML', () => {
  it('decodes character references in attributes and text', () => {
    const el = parseXml('<a v="x&#9;y&#x41;&amp;&lt;&#38;lt;">t&#10;u&#x1F600;</a>');
    expect(el.attrs.v).toBe('x\tyA&<&lt;');
    expect(el.children).toEqual(['t\nu\u{1F600}']);
  });

  it('reads back what it writes: a tab and a newline in a QEMU argument', () => {
    const ns = 'http://libvirt.org/schemas/domain/qemu/1.0';
    const text = `<domain type="kvm" xmlns:qemu="${ns}"><name>x</name><qemu:commandline><qemu:arg value="a&#9;b&#10;c &amp; &#x41;"/></qemu:commandline></domain>`;
    const domain = parseDomainXml(text);
    expect(domain.qemuCommandline?.arg?.[0]?.value).toBe('a\tb\nc & A');
    expect(parseDomainXml(writeDomainXml(domain))).toEqual(domain);
  });

  it("refuses a named entity XML does not define, as libvirt's parser does, naming it and its line", () => {
    expect(() => parseXml('<a>\n<b v="&nbsp;"/></a>')).toThrow(
      new XmlSyntaxError("entity 'nbsp' is not defined (line 2)"),
    );
    expect(() => parseXml('<a>&copy;</a>')).toThrow(XmlSyntaxError);
  });

  it('leaves comments and CDATA alone: they hold text, not references', () => {
    expect(parseXml('<a><!-- &nbsp; --><![CDATA[&copy;]]>x</a>').name).toBe('a');
  });
});
