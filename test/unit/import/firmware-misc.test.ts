import { describe, expect, it } from '@jest/globals';
import { importArgs } from '../../../src/import/index.js';
import { devices, imp } from './helpers.js';

describe('firmware', () => {
  it("reads the guide's two pflash drives as a read-only loader and an NVRAM template", () => {
    const r = imp(
      '-drive if=pflash,format=raw,readonly,file=/usr/share/edk2.git/ovmf-x64/OVMF_CODE-pure-efi.fd -drive if=pflash,format=raw,file=/home/user/vm/OVMF_VARS-pure-efi.fd',
    );
    expect(r.domain.os?.loader).toEqual({
      readonly: true,
      type: 'pflash',
      path: '/usr/share/edk2.git/ovmf-x64/OVMF_CODE-pure-efi.fd',
    });
    expect(r.domain.os?.nvram).toEqual({ template: '/home/user/vm/OVMF_VARS-pure-efi.fd' });
    expect(r.warnings).toContainEqual(expect.stringContaining('becomes the <nvram template>'));
  });

  it("keeps a VARS file in libvirt's nvram directory as the NVRAM itself, and orders by unit", () => {
    const { domain } = imp(
      '-drive file=/var/lib/libvirt/qemu/nvram/g_VARS.fd,if=pflash,format=raw,unit=1 -drive file=/usr/share/OVMF/OVMF_CODE.fd,if=pflash,format=raw,unit=0,readonly=on',
    );
    expect(domain.os?.loader?.path).toBe('/usr/share/OVMF/OVMF_CODE.fd');
    expect(domain.os?.nvram).toEqual({ path: '/var/lib/libvirt/qemu/nvram/g_VARS.fd' });
  });

  it('reads pflash blockdevs named by -machine and Secure Boot', () => {
    const { domain } = imp(
      `-blockdev '{"driver":"file","filename":"/usr/share/edk2/ovmf/OVMF_CODE.secboot.fd","node-name":"c","auto-read-only":true,"discard":"unmap"}' ` +
        `-blockdev '{"node-name":"cf","read-only":true,"driver":"raw","file":"c"}' ` +
        `-blockdev '{"driver":"file","filename":"/var/lib/libvirt/qemu/nvram/g_VARS.fd","node-name":"v","read-only":false}' ` +
        '-machine pc-q35-4.0,smm=on,pflash0=cf,pflash1=v -global driver=cfi.pflash01,property=secure,value=on',
    );
    expect(domain.os?.loader).toEqual({
      readonly: true,
      type: 'pflash',
      path: '/usr/share/edk2/ovmf/OVMF_CODE.secboot.fd',
      secure: true,
    });
    expect(domain.os?.nvram).toEqual({ path: '/var/lib/libvirt/qemu/nvram/g_VARS.fd' });
    expect(domain.qemuCommandline).toBeUndefined();
  });

  it('reads -bios and direct kernel boot', () => {
    const { domain } = imp(`-bios /b.bin -kernel /k -initrd /i -append 'console=ttyS0 quiet'`);
    expect(domain.os?.loader).toEqual({ type: 'rom', path: '/b.bin' });
    expect(domain.os).toMatchObject({
      kernel: { value: '/k' },
      initrd: { value: '/i' },
      cmdline: { value: 'console=ttyS0 quiet' },
    });
    expect(domain.os?.$extra).toBeUndefined();
  });
});

describe('clock, boot, identity', () => {
  it('reads -rtc, -localtime and the PIT tick policy', () => {
    expect(imp('-rtc base=localtime,driftfix=slew').domain.clock).toEqual({
      offset: 'localtime',
      timer: [{ name: 'rtc', tickpolicy: 'catchup' }],
    });
    expect(imp('-localtime').domain.clock?.offset).toBe('localtime');
    expect(imp('-global kvm-pit.lost_tick_policy=delay').domain.clock?.timer).toEqual([
      { name: 'pit', tickpolicy: 'delay' },
    ]);
    expect(imp('-m 64').domain.clock).toEqual({ offset: 'utc' });
  });

  it('reads -boot order, menu and reboot-timeout', () => {
    const { domain } = imp('-boot order=dc,menu=on,reboot-timeout=128');
    expect(domain.os?.boot).toEqual([{ dev: 'cdrom' }, { dev: 'hd' }]);
    expect(domain.os?.bootmenu).toEqual({ enable: true });
    expect(domain.os?.bios).toEqual({ rebootTimeout: 128 });
    expect(imp('-boot n').domain.os?.boot).toEqual([{ dev: 'network' }]);
    expect(() => imp('-boot order=x')).toThrow(/unknown boot device 'x'/);
  });

  it('prefers -boot order= over device boot indexes, with a warning', () => {
    const r = imp('-boot order=c -drive if=none,id=d,file=/x -device virtio-blk-pci,drive=d,bootindex=1');
    expect(devices(r.domain).disk?.[0]?.boot).toBeUndefined();
    expect(r.warnings).toContainEqual(expect.stringContaining('per-device boot order is dropped'));
  });

  it('reads -uuid, -no-reboot, power management and -smbios', () => {
    const { domain } = imp(
      '-uuid C7A5FDBD-EDAF-9455-926A-D65C16DB1809 -no-reboot -global ICH9-LPC.disable_s3=1 -global PIIX4_PM.disable_s4=0 -smbios type=1,manufacturer=ACME,product=Box',
    );
    expect(domain.uuid).toEqual({ value: 'c7a5fdbd-edaf-9455-926a-d65c16db1809' });
    expect(domain.on_reboot).toEqual({ value: 'destroy' });
    expect(domain.pm).toEqual({ 'suspend-to-mem': { enabled: false }, 'suspend-to-disk': { enabled: true } });
    expect(domain.sysinfo).toEqual([
      {
        type: 'smbios',
        system: {
          entry: [
            { name: 'manufacturer', value: 'ACME' },
            { name: 'product', value: 'Box' },
          ],
        },
      },
    ]);
    expect(domain.os?.smbios).toEqual({ mode: 'sysinfo' });
    expect(() => imp('-uuid nope')).toThrow(/-uuid nope \(argument 1, line 1, column 20\): expected a UUID/);
  });

  it('reads -fw_cfg blobs as <sysinfo type="fwcfg"> beside the SMBIOS one', () => {
    const { domain, warnings } = imp(
      '-smbios type=1,serial=S1 -fw_cfg name=opt/com.example/blob,string=hello -fw_cfg opt/org.x/f,file=/srv/blob.bin',
    );
    expect(domain.sysinfo?.map((s) => s.type)).toEqual(['smbios', 'fwcfg']);
    expect(domain.sysinfo?.[1]?.entry).toEqual([
      { name: 'opt/com.example/blob', value: 'hello' },
      { name: 'opt/org.x/f', file: '/srv/blob.bin' },
    ]);
    expect(domain.qemuCommandline).toBeUndefined();
    expect(warnings.join('\n')).not.toContain('fw_cfg');
    // QEMU refuses user blobs outside opt/, and needs exactly one source.
    expect(() => imp('-fw_cfg name=etc/x,string=y')).toThrow(/-fw_cfg .*expected name=opt\//);
    expect(() => imp('-fw_cfg name=opt/x,string=y,file=/z')).toThrow(/one of string= or file=/);
  });

  it('takes the name from --name, then -name (guest= form), then the file name', () => {
    expect(importArgs('qemu-kvm -name guest=win10,debug-threads=on', { name: 'over' }).domain.name).toEqual({
      value: 'over',
    });
    expect(importArgs('qemu-kvm -name guest=win10,debug-threads=on').domain.name).toEqual({ value: 'win10' });
    expect(importArgs('qemu-kvm -name gaming', { fileName: '/x/y.args' }).domain.name).toEqual({
      value: 'gaming',
    });
    expect(importArgs('qemu-kvm -m 64', { fileName: '/home/u/vm.args' }).domain.name).toEqual({
      value: 'vm',
    });
  });
});

describe('evdev, shared memory, iothreads, TPM, serial', () => {
  it('reads input-linux objects as evdev inputs', () => {
    const { domain } = imp(
      `-object '{"qom-type":"input-linux","id":"input0","evdev":"/dev/input/event1234","repeat":true,"grab_all":true,"grab-toggle":"alt-alt"}' ` +
        '-object input-linux,id=m,evdev=/dev/input/by-id/mouse-event-mouse',
    );
    expect(devices(domain).input).toEqual([
      {
        type: 'evdev',
        source: { dev: '/dev/input/event1234', grab: 'all', repeat: true, grabToggle: 'alt-alt' },
      },
      { type: 'evdev', source: { dev: '/dev/input/by-id/mouse-event-mouse' } },
    ]);
  });

  it('reads Looking Glass shared memory and doorbells', () => {
    const { domain } = imp(
      '-object memory-backend-file,id=ivshmem,share=on,mem-path=/dev/shm/looking-glass,size=32M -device ivshmem-plain,memdev=ivshmem,bus=pcie.0 ' +
        '-chardev socket,id=c3,path=/var/lib/libvirt/shmem-shmem3-sock -device ivshmem-doorbell,id=shmem3,chardev=c3,vectors=16,master=on',
    );
    expect(devices(domain).shmem).toEqual([
      { name: 'looking-glass', model: { type: 'ivshmem-plain' }, size: { unit: 'M', value: 32 } },
      {
        name: 'shmem3',
        model: { type: 'ivshmem-doorbell' },
        server: {},
        msi: { vectors: 16 },
        role: 'master',
      },
    ]);
  });

  it('keeps shared memory outside /dev/shm (kvmfr) as written', () => {
    const r = imp(
      '-object memory-backend-file,id=lg,share=on,mem-path=/dev/kvmfr0,size=128M -device ivshmem-plain,memdev=lg',
    );
    expect(devices(r.domain).shmem).toBeUndefined();
    expect(r.domain.qemuCommandline?.arg?.map((a) => a.value)).toEqual([
      '-object',
      'memory-backend-file,id=lg,share=on,mem-path=/dev/kvmfr0,size=128M',
      '-device',
      'ivshmem-plain,memdev=lg',
    ]);
  });

  it('numbers iothreads in order and refers to them from virtio-blk', () => {
    const { domain } = imp(
      '-object iothread,id=a -object iothread,id=b -drive if=none,id=d,file=/x -device virtio-blk-pci,drive=d,iothread=b',
    );
    expect(domain.iothreads).toEqual({ value: 2 });
    expect(devices(domain).disk?.[0]?.driver).toEqual({ name: 'qemu', iothread: 2 });
  });

  it('reads an emulated TPM 2.0', () => {
    const { domain } = imp(
      '-chardev socket,id=chrtpm,path=/run/libvirt/qemu/swtpm/1-x-swtpm.sock -tpmdev emulator,id=tpm0,chardev=chrtpm -device tpm-crb,tpmdev=tpm0',
    );
    expect(devices(domain).tpm).toEqual([
      { model: 'tpm-crb', backend: { type: 'emulator', version: '2.0' } },
    ]);
    expect(domain.qemuCommandline).toBeUndefined();
  });

  it('reads -serial specs and chardev-backed serials', () => {
    const { domain } = imp(
      '-serial pty -serial tcp:127.0.0.1:9999,server,nowait -chardev file,id=f,path=/tmp/s.log -device isa-serial,chardev=f',
    );
    expect(domain.devices?.serial).toEqual([
      { type: 'pty', target: { port: 0 } },
      {
        type: 'tcp',
        source: [{ mode: 'bind', host: '127.0.0.1', service: '9999' }],
        protocol: { type: 'raw' },
        target: { port: 1 },
      },
      {
        type: 'file',
        source: [{ path: '/tmp/s.log' }],
        target: { type: 'isa-serial', port: 2, model: { name: 'isa-serial' } },
      },
    ]);
    expect(domain.devices?.$extra).toBeUndefined();
  });
});
