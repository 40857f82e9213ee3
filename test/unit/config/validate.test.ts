import { describe, expect, it } from '@jest/globals';
import { resolveConfig } from '../../../src/config/validate.js';
import { base, problems as listProblems } from './helpers/problems.js';

/** The validator's problems; a config it accepts fails the test (every case here is a refusal). */
function problems(config: unknown): string[] {
  const found = listProblems(config);
  if (found.length === 0) throw new Error('expected a ConfigError');
  return found;
}

describe('config validation', () => {
  it('refuses a vendor id longer than 12 characters, naming the field', () => {
    expect(problems({ ...base, hyperv: { vendorId: 'ThirteenChars' } })).toEqual([
      'hyperv.vendorId: "ThirteenChars" is 13 characters; the Hyper-V vendor id is 1 to 12 characters',
    ]);
  });

  it('refuses a malformed PCI address and quotes it', () => {
    expect(problems({ ...base, gpu: { host: '02:00.9x' } })).toEqual([
      'gpu.host: "02:00.9x" is not a PCI address (expected [DDDD:]BB:SS.F, as lspci shows it)',
    ]);
  });

  it('reports every problem at once, with list indexes in the path', () => {
    const found = problems({
      name: 'bad name',
      memory: 'lots',
      cpu: { cores: 0 },
      disks: [{ path: 'relative.img' }, { path: '/dev/sda', cache: 'writeback', io: 'native' }],
      usb: ['046d-c051'],
    });
    expect(found).toEqual([
      'name: "bad name" is not a usable domain name (letters, digits, ".", "-", "_")',
      'cpu.cores: 0 is not a whole number from 1 to 512',
      'disks[0].path: "relative.img" is not an absolute path (libvirt resolves paths on the host, not next to the config)',
      'disks[1].io: "native" needs cache "none" or "directsync" (QEMU refuses it with "writeback")',
      'memory: "lots" is not a memory size (a number of MiB, or "16 GiB", "4000M")',
      'usb[0]: "046d-c051" is not vendor:product (e.g. "046d:c051", as lsusb shows it)',
    ]);
  });

  it('names unknown fields and suggests the closest known one', () => {
    expect(problems({ ...base, hugepage: true, cpu: { cores: 2, thread: 2 } })).toEqual([
      'hugepage: is not a known field (did you mean "hugepages"?)',
      'cpu.thread: is not a known field (did you mean "threads"?)',
    ]);
  });

  it('requires a vCPU pin per vCPU', () => {
    expect(problems({ ...base, cpu: { cores: 2, threads: 2, pin: [0, 1] } })).toEqual([
      'cpu.pin: lists 2 host CPUs, but the guest has 4 vCPUs (one entry per vCPU)',
    ]);
  });

  it('refuses the same host function passed through twice', () => {
    expect(problems({ ...base, gpu: { host: '02:00.0' }, pci: ['02:00.0'] })).toEqual([
      'pci[0]: passes through the same host device as gpu[0]',
    ]);
  });

  it('fills in the modern defaults where the config is silent', () => {
    const vm = resolveConfig(
      { ...base, gpu: { host: '0000:0a:00.0' }, disks: [{ path: '/dev/nvme0n1' }] },
      '/c',
    );
    expect(vm.machine).toBe('q35');
    expect(vm.firmware).toEqual({ kind: 'efi' });
    expect(vm.kvmHidden).toBe(true);
    expect(vm.display).toEqual({ type: 'none', video: 'none' });
    expect(vm.gpus[0]?.address).toEqual({ domain: 0, bus: 0x0a, slot: 0, function: 0 });
    expect(vm.disks[0]).toMatchObject({
      type: 'block',
      bus: 'scsi',
      cache: 'none',
      io: 'native',
      discard: 'unmap',
    });
    expect(vm.scsi).toEqual({ queues: 2, iothread: 1 });
    expect(vm.iothreads).toBe(1);
    expect(vm.networks).toEqual([{ source: { network: 'default' }, model: 'virtio' }]);
    expect(vm.hyperv && vm.hyperv.mode === 'custom' && [...vm.hyperv.features]).toContain('stimer');
  });

  it('refuses Secure Boot on BIOS; takes it on a loader named by hand (the imported case)', () => {
    expect(problems({ ...base, firmware: 'bios', secureBoot: true })).toEqual([
      "secureBoot: needs firmware: 'efi' (libvirt then picks a Secure Boot OVMF build with Microsoft's keys), " +
        'or firmware: { loader } naming a Secure Boot build',
    ]);
    const loader = '/usr/share/OVMF/OVMF_CODE_4M.secboot.fd';
    expect(resolveConfig({ ...base, firmware: { loader }, secureBoot: true }, '/c', 'vm.ts').secureBoot).toBe(
      true,
    );
  });

  it('resolves a template path against the config folder', () => {
    expect(resolveConfig({ ...base, template: 'base.xml' }, '/configs').template).toBe('/configs/base.xml');
  });
});

describe('runtime and cpu.numa', () => {
  it('names each field the hook would need and does not have', () => {
    expect(
      problems({ ...base, runtime: { isolateCpus: true, allocateHugepages: true, governor: 'fast' } }),
    ).toEqual([
      'runtime.governor: "fast" is not one of "performance"',
      'runtime.allocateHugepages: needs hugepages (true, "2M" or "1G"): there is nothing to allocate',
      "runtime.isolateCpus: needs cpu.pin ('auto' or a list) or cpu.cpuset: the host's cores are the ones the vCPUs are not pinned to",
    ]);
  });

  it('refuses unknown runtime keys and cpu.numa values', () => {
    expect(problems({ ...base, cpu: { cores: 2, numa: 'interleave' }, runtime: { isolate: true } })).toEqual([
      'cpu.numa: "interleave" is not one of "auto", "spread"',
      'runtime.isolate: is not a known field',
    ]);
  });

  it('an empty runtime asks for nothing', () => {
    expect(resolveConfig({ ...base, runtime: {} }, '/configs').runtime).toBe(false);
    expect(
      resolveConfig({ ...base, hugepages: true, runtime: { allocateHugepages: true } }, '/configs').runtime,
    ).toEqual({
      isolateCpus: false,
      allocateHugepages: true,
    });
  });
});
