import { describe, expect, it } from '@jest/globals';
import { splitOptions } from '../../../src/import/argv.js';
import { ImportError } from '../../../src/import/errors.js';
import { parseKeyValue, parseOptionValue, parseSize, splitCommas } from '../../../src/import/options.js';
import { tokenize } from '../../../src/import/tokenize.js';

describe('classic key=value', () => {
  it('reads an implied first key, values and bare flags', () => {
    expect(parseKeyValue('host,kvm=off,hv_relaxed,hv_spinlocks=0x1fff', { implied: 'model' })).toEqual([
      { key: 'model', value: 'host' },
      { key: 'kvm', value: 'off' },
      { key: 'hv_relaxed', value: undefined },
      { key: 'hv_spinlocks', value: '0x1fff' },
    ]);
    expect(parseKeyValue('8,sockets=1', { implied: 'cpus' })[0]).toEqual({ key: 'cpus', value: '8' });
  });

  it('reads a doubled comma as a literal comma', () => {
    expect(splitCommas('file=/dev/HostVG/QEMU,,Guest,,,,1,format=raw')).toEqual([
      'file=/dev/HostVG/QEMU,Guest,,1',
      'format=raw',
    ]);
    const p = parseOptionValue('file=sheepdog:example.org:6000:image,,with,,commas,if=virtio');
    expect(p.str('file')).toBe('sheepdog:example.org:6000:image,with,commas');
  });

  it('keeps a value with = in it whole', () => {
    expect(parseOptionValue('url=http://h/a?b=c').str('url')).toBe('http://h/a?b=c');
  });

  it('without an implied key, a leading bare word is a flag', () => {
    expect(parseKeyValue('readonly,file=x')).toEqual([
      { key: 'readonly', value: undefined },
      { key: 'file', value: 'x' },
    ]);
  });

  it('refuses a value without a key', () => {
    expect(() => parseKeyValue('a=1,=2')).toThrow("'=2' has a value but no key");
  });
});

describe('JSON values', () => {
  it('flattens nested objects and arrays into dotted keys', () => {
    const p = parseOptionValue(
      '{"driver":"file","cache":{"direct":true,"no-flush":false},"host-nodes":[0,3],"backing":null}',
    );
    expect(p.json).toBe(true);
    expect(p.entries).toEqual([
      { key: 'driver', value: 'file' },
      { key: 'cache.direct', value: true },
      { key: 'cache.no-flush', value: false },
      { key: 'host-nodes.0', value: 0 },
      { key: 'host-nodes.1', value: 3 },
      { key: 'backing', value: null },
    ]);
  });

  it('names the option on a JSON syntax error', () => {
    const where = { argument: `-device '{"driver":}'`, index: 7, position: { line: 2, column: 1 } };
    expect(() => parseOptionValue('{"driver":}', { where })).toThrow(ImportError);
    expect(() => parseOptionValue('{"driver":}', { where })).toThrow(
      /^-device '\{"driver":\}' \(argument 7, line 2, column 1\): invalid JSON: /,
    );
    expect(() => parseOptionValue('{"a":1', { where })).toThrow(/invalid JSON/);
  });
});

describe('Props accessors', () => {
  it('reads booleans in every QEMU spelling and a bare flag as true', () => {
    const p = parseOptionValue('a=on,b=off,c=yes,d=no,e=true,f=false,g');
    expect(['a', 'b', 'c', 'd', 'e', 'f', 'g', 'h'].map((k) => p.bool(k))).toEqual([
      true,
      false,
      true,
      false,
      true,
      false,
      true,
      undefined,
    ]);
    expect(() => parseOptionValue('x=maybe').bool('x')).toThrow("x: expected on or off, found 'maybe'");
  });

  it('reads decimal and hex integers, and refuses words', () => {
    const p = parseOptionValue('a=12,b=0x1fff,c=-1,d=twelve');
    expect([p.int('a'), p.int('b'), p.int('c')]).toEqual([12, 8191, -1]);
    expect(() => p.int('d')).toThrow("d: expected an integer, found 'twelve'");
  });

  it('reads sizes with suffixes, a bare number in the default unit', () => {
    expect(parseSize('4000', 'M')).toBe(4000 * 2 ** 20);
    expect(parseSize('4G')).toBe(4 * 2 ** 30);
    expect(parseSize('219136k')).toBe(219136 * 1024);
    expect(parseSize('1.5G')).toBe(1.5 * 2 ** 30);
    expect(parseSize('lots')).toBeUndefined();
    expect(() => parseOptionValue('lots', { implied: 'size' }).size('size', 'M')).toThrow(
      "size: expected a size such as 4096, 4G or 512M, found 'lots'",
    );
  });

  it('lets a later key win and tracks what was read', () => {
    const p = parseOptionValue('a=1,b=2,a=3,c');
    expect(p.str('a')).toBe('3');
    p.ignore('c');
    expect(p.unused()).toEqual([{ key: 'b', value: '2' }]);
  });

  it('lists keys under a prefix', () => {
    expect(parseOptionValue('{"in":{"voices":1,"name":"x"},"out":{}}').keysUnder('in')).toEqual([
      'voices',
      'name',
    ]);
  });
});

describe('splitOptions', () => {
  const split = (text: string): [string, string | undefined][] =>
    splitOptions(tokenize(text)).map((o) => [o.name, o.value]);

  it('gives values to options that take one and none to flags', () => {
    expect(split('-enable-kvm -m 4000 -mem-prealloc -mem-path /dev/hugepages -usb -vga none')).toEqual([
      ['-enable-kvm', undefined],
      ['-m', '4000'],
      ['-mem-prealloc', undefined],
      ['-mem-path', '/dev/hugepages'],
      ['-usb', undefined],
      ['-vga', 'none'],
    ]);
  });

  it('resolves -M and --long spellings, and reads a bare path as -hda', () => {
    expect(split('-M q35 --machine pc /vm/disk.img')).toEqual([
      ['-machine', 'q35'],
      ['-machine', 'pc'],
      ['-hda', '/vm/disk.img'],
    ]);
  });

  it('refuses a bare word that is no path, naming it', () => {
    expect(() => split('-m 4G touch')).toThrow(/^touch \(argument 3, line 1, column \d+\): not an option/);
  });

  it('gives an unknown option the next word unless it looks like an option', () => {
    expect(split('-unknown parameter -frob -m 1')).toEqual([
      ['-unknown', 'parameter'],
      ['-frob', undefined],
      ['-m', '1'],
    ]);
  });

  it('numbers arguments from 1 after the binary', () => {
    expect(splitOptions(tokenize('-m 1 -S -smp 2')).map((o) => o.index)).toEqual([1, 3, 4]);
  });
});
