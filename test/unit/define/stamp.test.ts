import { describe, expect, it } from '@jest/globals';
import { parseXml, writeXml } from '../../../src/domain/index.js';
import { domainHash, readStamp, STAMP_NS, withoutStamp, withStamp } from '../../../src/define/stamp.js';

const DOMAIN = `<domain type="kvm"><name>vg</name><uuid>1f5efa5c-8c4f-47dd-9446-7c126da1e488</uuid><memory>1</memory></domain>`;
const stamp = { config: '/etc/virt-gen/gaming.ts', version: '0.1.0', generated: 'a'.repeat(64) };

describe('the stamp', () => {
  it('goes into <metadata> after name and uuid, and reads back', () => {
    const stamped = withStamp(parseXml(DOMAIN), { ...stamp, libvirt: 'b'.repeat(64) });
    const text = writeXml(stamped);
    expect(text).toMatch(
      /<uuid>[^<]+<\/uuid>\s*<metadata>\s*<vg:virt-gen xmlns:vg="https:\/\/virt-gen.dev\/xmlns\/1">/,
    );
    expect(readStamp(parseXml(text))).toEqual({ ...stamp, libvirt: 'b'.repeat(64) });
  });

  it('replaces an earlier stamp and keeps other metadata', () => {
    const withOther = DOMAIN.replace('<memory>', '<metadata><x:y xmlns:x="urn:x"/></metadata><memory>');
    const once = withStamp(parseXml(withOther), stamp);
    const twice = withStamp(once, { ...stamp, config: '/other.ts' });
    const metadata = twice.children.find((c) => typeof c !== 'string' && c.name === 'metadata');
    expect(writeXml(twice).match(/virt-gen xmlns/g)).toHaveLength(1);
    expect(JSON.stringify(metadata)).toContain('x:y');
    expect(readStamp(twice)?.config).toBe('/other.ts');
  });

  it('is recognised by its namespace, whatever the prefix', () => {
    const other = DOMAIN.replace(
      '<memory>',
      `<metadata><gen:virt-gen xmlns:gen="${STAMP_NS}"><gen:config>/c.ts</gen:config><gen:generated sha256="abc"/></gen:virt-gen></metadata><memory>`,
    );
    expect(readStamp(parseXml(other))).toEqual({ config: '/c.ts', version: '', generated: 'abc' });
    expect(
      readStamp(
        parseXml(
          DOMAIN.replace('<memory>', '<metadata><vg:virt-gen xmlns:vg="urn:not-ours"/></metadata><memory>'),
        ),
      ),
    ).toBeUndefined();
  });

  it('is left out of the hash, and so is an emptied <metadata>', () => {
    const plain = parseXml(DOMAIN);
    expect(domainHash(withStamp(plain, stamp))).toBe(domainHash(plain));
    expect(writeXml(withoutStamp(withStamp(plain, stamp)))).toBe(writeXml(plain));
  });

  it('hashes meaning: attribute order and formatting do not count, values do', () => {
    const a = parseXml('<domain a="1" b="2"><name>x</name></domain>');
    const b = parseXml("<domain b='2' a='1'>\n  <name>x</name>\n</domain>");
    expect(domainHash(a)).toBe(domainHash(b));
    expect(domainHash(parseXml('<domain a="1" b="3"><name>x</name></domain>'))).not.toBe(domainHash(a));
  });

  it('device order does not count (libvirt reorders on re-define), device content and other order do', () => {
    const doc = (devices: string, os = '<boot dev="hd"/><boot dev="cdrom"/>') =>
      parseXml(`<domain><os>${os}</os><devices>${devices}</devices></domain>`);
    const usb = '<controller type="usb" index="0"/>';
    const pci = '<controller type="pci" index="1"/>';
    expect(domainHash(doc(usb + pci))).toBe(domainHash(doc(pci + usb)));
    expect(domainHash(doc(usb + pci))).not.toBe(domainHash(doc('<controller type="usb" index="1"/>' + pci)));
    expect(domainHash(doc(usb, '<boot dev="cdrom"/><boot dev="hd"/>'))).not.toBe(domainHash(doc(usb)));
  });
});
