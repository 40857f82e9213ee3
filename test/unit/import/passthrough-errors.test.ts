import { describe, expect, it } from '@jest/globals';
import { importArgs, ImportError } from '../../../src/import/index.js';
import { imp } from './helpers.js';

describe('what libvirt generates itself', () => {
  it('drops -S, the master key, the monitor, -sandbox, -msg, -nodefaults and friends without a word', () => {
    const r = imp(
      `-S -object '{"qom-type":"secret","id":"masterKey0","format":"raw","file":"/var/lib/libvirt/qemu/domain--1-x/master-key.aes"}' ` +
        '-no-user-config -nodefaults -chardev socket,id=charmonitor,fd=1729,server=on,wait=off -mon chardev=charmonitor,id=monitor,mode=control ' +
        '-no-shutdown -boot strict=on -sandbox on,obsolete=deny,elevateprivileges=deny,spawn=deny,resourcecontrol=deny -msg timestamp=on ' +
        '-overcommit mem-lock=off -global ICH9-LPC.noreboot=off -watchdog-action reset -serial none -parallel none -net none -pidfile /run/x.pid -daemonize',
    );
    expect(r.domain.qemuCommandline).toBeUndefined();
    expect(r.warnings).toEqual([]);
  });

  it("notes a user's -monitor (libvirt owns the monitor) without keeping it", () => {
    const r = imp('-monitor stdio -display none -net none');
    expect(r.domain.qemuCommandline).toBeUndefined();
    expect(r.warnings).toEqual([
      expect.stringContaining('-monitor stdio (argument 1): libvirt owns the monitor'),
    ]);
  });
});

describe('what has no mapping', () => {
  it('keeps it verbatim in <qemu:commandline> and lists it in a warning', () => {
    const r = imp(
      '-global isa-debugcon.iobase=0x402 -debugcon file:/tmp/qemu_vga.ovmf.log -unknown parameter -display none -net none',
    );
    expect(r.domain.qemuCommandline?.arg?.map((a) => a.value)).toEqual([
      '-global',
      'isa-debugcon.iobase=0x402',
      '-debugcon',
      'file:/tmp/qemu_vga.ovmf.log',
      '-unknown',
      'parameter',
    ]);
    expect(r.warnings).toEqual([
      '-global isa-debugcon.iobase=0x402 (argument 1, line 1, column 20): kept in <qemu:commandline>',
      '-debugcon file:/tmp/qemu_vga.ovmf.log (argument 3, line 1, column 54): kept in <qemu:commandline>',
      '-unknown parameter (argument 5, line 1, column 92): kept in <qemu:commandline>',
    ]);
  });

  it('keeps an unknown device, and a backend no device uses', () => {
    const r = imp('-device frob,id=f -netdev user,id=lonely -drive if=none,id=nobody,file=/x');
    expect(r.domain.qemuCommandline?.arg?.map((a) => a.value)).toEqual([
      '-device',
      'frob,id=f',
      '-netdev',
      'user,id=lonely',
      '-drive',
      'if=none,id=nobody,file=/x',
    ]);
  });

  it('reads $(pwd) in a path as --pwd, and refuses other expansions in paths', () => {
    const r = imp('-drive if=pflash,format=raw,file=$(pwd)/OVMF_VARS.fd', { pwd: '/vm' });
    expect(r.domain.os?.loader?.path).toBe('/vm/OVMF_VARS.fd');
    expect(r.warnings).toContainEqual(
      expect.stringContaining("'$(pwd)/OVMF_VARS.fd' read as /vm/OVMF_VARS.fd"),
    );
    expect(() => imp('-drive if=pflash,format=raw,file=$HOME/OVMF_VARS.fd')).toThrow(
      /holds a shell expansion/,
    );
  });
});

describe('bad input', () => {
  const error = (text: string): ImportError => {
    try {
      importArgs(text, { name: 'x' });
    } catch (err) {
      if (err instanceof ImportError) return err;
      throw err;
    }
    throw new Error('no error');
  };

  it('names -m lots with its argument index and position', () => {
    const e = error('qemu-system-x86_64 -enable-kvm \\\n  -m lots');
    expect(e.message).toBe(
      "-m lots (argument 2, line 2, column 3): size: expected a size such as 4096, 4G or 512M, found 'lots'",
    );
    expect(e.argument).toBe('-m lots');
    expect(e.index).toBe(2);
    expect(e.position).toEqual({ line: 2, column: 3 });
  });

  it('refuses a size under 1 MiB', () => {
    expect(error('qemu-kvm -m 0').message).toBe(
      '-m 0 (argument 1, line 1, column 10): expected a memory size such as 4096, 4G or 512M',
    );
  });

  it('names an unterminated quote by line and column', () => {
    expect(error("qemu-kvm \\\n -name 'win10\n -m 4000").message).toBe(
      'unterminated quote starting at line 2, column 8',
    );
  });

  it('names the argument of a JSON syntax error', () => {
    const e = error(`qemu-kvm -m 64 -device '{"driver":"vfio-pci","host":}'`);
    expect(e.message).toMatch(
      /^-device '\{"driver":"vfio-pci","host":\}' \(argument 3, line 1, column 16\): invalid JSON: /,
    );
  });

  it('names a bad boolean, integer or option value', () => {
    expect(error('qemu-kvm -machine q35,smm=maybe').message).toBe(
      "-machine q35,smm=maybe (argument 1, line 1, column 10): smm: expected on or off, found 'maybe'",
    );
    expect(error('qemu-kvm -smp many').message).toBe(
      "-smp many (argument 1, line 1, column 10): cpus: expected an integer, found 'many'",
    );
    expect(error('qemu-kvm -vga fancy').message).toBe(
      "-vga fancy (argument 1, line 1, column 10): unknown VGA type 'fancy'",
    );
    expect(error('qemu-kvm -m').message).toBe('-m (argument 1, line 1, column 10): expects a value');
  });
});
