import { describe, expect, it } from '@jest/globals';
import { ImportError } from '../../../src/import/errors.js';
import { compressList, isQemuBinary, parseCommandLine, tokenize } from '../../../src/import/tokenize.js';

const words = (text: string): string[] => tokenize(text).map((t) => t.value);

describe('tokenize', () => {
  it('splits on blanks and keeps positions (1-based line and column)', () => {
    const t = tokenize('  -m 4000\n\t-smp 8');
    expect(t.map((x) => [x.value, x.line, x.column])).toEqual([
      ['-m', 1, 3],
      ['4000', 1, 6],
      ['-smp', 2, 2],
      ['8', 2, 7],
    ]);
  });

  it('removes single and double quotes, joining adjacent parts', () => {
    expect(words(`-cpu 'qemu64,hv-vendor-id=KVM Hv' a"b c"'d'`)).toEqual([
      '-cpu',
      'qemu64,hv-vendor-id=KVM Hv',
      'ab cd',
    ]);
  });

  it('keeps backslashes literal in single quotes and applies POSIX escapes in double quotes', () => {
    expect(words(String.raw`'a\:b' "x\"y\\z\q"`)).toEqual([String.raw`a\:b`, String.raw`x"y\z\q`]);
  });

  it('reads a backslash outside quotes as an escape of the next character', () => {
    expect(words(String.raw`a\ b c\"d`)).toEqual(['a b', 'c"d']);
  });

  it('treats backslash-newline as a continuation, also inside single quotes (libvirt .args files)', () => {
    expect(words("-drive 'file=rbd:pool/image:\\\nkey=abc' \\\n-m 1")).toEqual([
      '-drive',
      'file=rbd:pool/image:key=abc',
      '-m',
      '1',
    ]);
    expect(words('-m\\\r\n 1')).toEqual(['-m', '1']);
  });

  it('skips comments that start a word, not a # inside one', () => {
    expect(words('-m 1 # memory\n-name a#b # end')).toEqual(['-m', '1', '-name', 'a#b']);
  });

  it('leaves $(…), ${…}, $VAR and backticks as written and reports them', () => {
    const t = tokenize('file=$(pwd)/v.fd "$HOME/x" ${A:-b} `date` cost$');
    expect(t.map((x) => x.value)).toEqual(['file=$(pwd)/v.fd', '$HOME/x', '${A:-b}', '`date`', 'cost$']);
    expect(t.map((x) => x.expansions)).toEqual([['$(pwd)'], ['$HOME'], ['${A:-b}'], ['`date`'], []]);
  });

  it('keeps nested parentheses of a command substitution in one word', () => {
    expect(words('a=$(echo $(x) y) b')).toEqual(['a=$(echo $(x) y)', 'b']);
  });

  it('names the position of an unterminated quote', () => {
    expect(() => tokenize("-m 1\n-drive   'file=x")).toThrow(
      new ImportError('unterminated quote starting at line 2, column 10'),
    );
    expect(() => tokenize('"abc')).toThrow('unterminated quote starting at line 1, column 1');
    expect(() => tokenize('x=$(pwd')).toThrow(
      'unterminated command substitution $( starting at line 1, column 3',
    );
  });

  it('refuses shell operators: an args file is one command line', () => {
    expect(() => tokenize('qemu-system-x86_64 -m 1 | tee log')).toThrow(
      /shell operator '\|' at line 1, column 25/,
    );
    expect(() => tokenize('a; b')).toThrow(ImportError);
  });
});

describe('parseCommandLine', () => {
  it('reads the environment prefix, the binary and the arguments', () => {
    const c = parseCommandLine(
      'QEMU_AUDIO_DRV=pa \\\nQEMU_PA_SAMPLES=128 \\\n/usr/bin/qemu-system-x86_64 \\\n-m 4000',
    );
    expect(c.env.map((e) => [e.name, e.value])).toEqual([
      ['QEMU_AUDIO_DRV', 'pa'],
      ['QEMU_PA_SAMPLES', '128'],
    ]);
    expect(c.binary?.value).toBe('/usr/bin/qemu-system-x86_64');
    expect(c.binary?.line).toBe(3);
    expect(c.args.map((t) => t.value)).toEqual(['-m', '4000']);
  });

  it('accepts an empty value and quoted values in the prefix', () => {
    const c = parseCommandLine("BAR='' NS='a b' qemu-kvm -S");
    expect(c.env.map((e) => [e.name, e.value])).toEqual([
      ['BAR', ''],
      ['NS', 'a b'],
    ]);
    expect(c.binary?.value).toBe('qemu-kvm');
  });

  it('knows the binary names', () => {
    for (const b of [
      'qemu-system-x86_64',
      '/usr/bin/kvm',
      'qemu-kvm',
      '/opt/q/bin/qemu-system-aarch64',
      'qemu-system-i386',
    ]) {
      expect(isQemuBinary(b)).toBe(true);
    }
    for (const b of ['bash', 'qemu-img', '/usr/bin/sudo', 'kvmtool']) expect(isQemuBinary(b)).toBe(false);
  });

  it('reads a file of options only', () => {
    const c = parseCommandLine('-m 4000 -enable-kvm');
    expect(c.binary).toBeUndefined();
    expect(c.args.map((t) => t.value)).toEqual(['-m', '4000', '-enable-kvm']);
  });

  it('names what stands where the binary should', () => {
    expect(() => parseCommandLine('A=1 strace qemu-system-x86_64')).toThrow(
      "expected the QEMU binary (qemu-system-*, qemu-kvm, kvm) at line 1, column 5, found 'strace'",
    );
  });

  it('reads taskset -c LIST and a taskset mask, and drops exec/env', () => {
    expect(parseCommandLine('QEMU_AUDIO_DRV=pa taskset -c 0-7 qemu-system-x86_64').taskset?.cpus).toBe('0-7');
    expect(parseCommandLine('exec taskset 0xf5 kvm -m 1').taskset?.cpus).toBe('0,2,4-7');
    expect(parseCommandLine('env A=1 qemu-kvm').env[0]?.name).toBe('A');
    expect(() => parseCommandLine('taskset -p 1 kvm')).toThrow(
      "unsupported taskset option '-p' at line 1, column 9",
    );
  });

  it('joins the unquoted words of libvirt test files to the assignment they continue', () => {
    const c = parseCommandLine('CEPH_ARGS=-m \\\nmon1:6321,mon2:6322 \\\n/usr/bin/qemu-system-i686 -m 1');
    expect(c.env).toHaveLength(1);
    expect(c.env[0]?.value).toBe('-m mon1:6321,mon2:6322');
    expect(c.notes[0]).toMatch(/read as part of CEPH_ARGS/);
  });
});

describe('compressList', () => {
  it('writes CPU lists with ranges', () => {
    expect(compressList([0, 1, 2, 3, 8, 10, 11])).toBe('0-3,8,10-11');
    expect(compressList([])).toBe('');
  });
});
