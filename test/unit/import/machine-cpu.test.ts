import { describe, expect, it } from '@jest/globals';
import { importArgs } from '../../../src/import/index.js';
import { imp } from './helpers.js';

describe('machine and accelerator', () => {
  it('reads -machine type=q35,accel=kvm as a kvm domain on q35', () => {
    const { domain } = imp('-machine type=q35,accel=kvm');
    expect(domain.type).toBe('kvm');
    expect(domain.os?.type).toEqual({ arch: 'x86_64', machine: 'q35', value: 'hvm' });
  });

  it('reads -enable-kvm, -accel kvm and -M pc; tcg is type qemu', () => {
    expect(imp('-enable-kvm').domain.type).toBe('kvm');
    expect(imp('-accel kvm').domain.type).toBe('kvm');
    expect(imp('-accel tcg').domain.type).toBe('qemu');
    expect(imp('-M pc').domain.os?.type?.machine).toBe('pc');
  });

  it('takes the architecture from the binary, and leaves the emulator to libvirt', () => {
    const r = importArgs('/usr/bin/qemu-system-i686 -m 64', { name: 'x' });
    expect(r.domain.os?.type?.arch).toBe('i686');
    // That path is the one of the machine the command ran on; libvirt refuses one that is not here.
    expect(r.domain.devices?.emulator).toBeUndefined();
    expect(r.warnings.join('\n')).toContain(
      '/usr/bin/qemu-system-i686: libvirt starts its own QEMU for i686',
    );
    expect(importArgs('kvm -m 64', { name: 'x' }).domain.os?.type?.arch).toBe('x86_64');
    expect(importArgs('qemu-system-x86_64', { name: 'x' }).domain.devices?.emulator).toBeUndefined();
  });

  it('maps acpi, smm, vmport, mem-merge, hpet, dump-guest-core and kernel_irqchip', () => {
    const { domain } = imp(
      '-machine q35,acpi=on,smm=on,vmport=off,mem-merge=off,hpet=off,dump-guest-core=on,kernel_irqchip=split',
    );
    expect(domain.features?.acpi).toEqual({});
    expect(domain.features?.smm).toEqual({ state: true });
    expect(domain.features?.vmport).toEqual({ state: false });
    expect(domain.features?.ioapic).toEqual({ driver: 'qemu' });
    expect(domain.memoryBacking?.nosharepages).toEqual({});
    expect(domain.clock?.timer).toContainEqual({ name: 'hpet', present: false });
    expect(domain.memory?.dumpCore).toBe(true);
    expect(imp('-no-acpi').domain.features?.acpi).toBeUndefined();
  });

  it('keeps -accel kvm,dirty-ring-size as <kvm><dirty-ring>', () => {
    const { domain } = imp('-accel kvm,dirty-ring-size=4096');
    expect(domain.features?.kvm?.['dirty-ring']).toEqual({
      state: true,
      size: 4096,
    });
  });
});

describe('-cpu', () => {
  it('reads host as host-passthrough, kvm=off as kvm hidden', () => {
    const { domain } = imp('-cpu host,kvm=off,migratable=off');
    expect(domain.cpu?.mode).toBe('host-passthrough');
    expect(domain.cpu?.migratable).toBe(false);
    expect(domain.features?.kvm?.hidden).toEqual({ state: true });
  });

  it('reads a named model as custom with its feature flags', () => {
    const { domain } = imp('-cpu Skylake-Client,+abm,-invtsc,ds=on,vmx=off');
    expect(domain.cpu?.mode).toBe('custom');
    expect(domain.cpu?.model).toEqual({ fallback: 'forbid', value: 'Skylake-Client' });
    expect(domain.cpu?.feature).toEqual([
      { policy: 'require', name: 'abm' },
      { policy: 'disable', name: 'invtsc' },
      { policy: 'require', name: 'ds' },
      { policy: 'disable', name: 'vmx' },
    ]);
  });

  it("spells features as libvirt does (lahf_lm, avx512-bf16), whichever way QEMU's were written", () => {
    const { domain } = imp('-cpu Haswell-noTSX,+lahf-lm,+fxsr_opt,+avx512_bf16,-tsc-adjust,kvm_pv_ipi=off');
    expect(domain.cpu?.feature).toEqual([
      { policy: 'require', name: 'lahf_lm' },
      { policy: 'require', name: 'fxsr_opt' },
      { policy: 'require', name: 'avx512-bf16' },
      { policy: 'disable', name: 'tsc_adjust' },
    ]);
    expect(domain.features?.kvm).toEqual({ 'pv-ipi': { state: false } });
  });

  it('reads kvm_pv_eoi and kvm_pv_unhalt as the elements libvirt writes them from', () => {
    const { domain } = imp('-cpu host,+kvm_pv_eoi,kvm-pv-unhalt=on');
    expect(domain.features?.apic).toEqual({ eoi: true });
    expect(domain.features?.pvspinlock).toEqual({ state: true });
    expect(domain.cpu?.feature).toBeUndefined();
    expect(imp('-cpu host,-kvm_pv_eoi').domain.features?.apic).toEqual({ eoi: false });
  });

  it('reads vendor= on a named model as <model vendor_id>, and reports it on host', () => {
    const custom = imp('-cpu Haswell-noTSX,vendor=GenuineIntel');
    expect(custom.domain.cpu?.model).toEqual({
      fallback: 'forbid',
      vendor_id: 'GenuineIntel',
      value: 'Haswell-noTSX',
    });
    expect(custom.warnings.join('\n')).not.toContain('vendor');
    const host = imp('-cpu host,vendor=AuthenticAMD');
    expect(host.warnings.join('\n')).toContain('vendor=AuthenticAMD not carried over');
    expect(() => imp('-cpu Haswell,vendor=Intel')).toThrow(/12-character vendor id/);
  });

  it('reads -k as the keymap of the VNC and SPICE displays', () => {
    const vnc = imp('-vnc :1 -k de');
    expect(vnc.domain.devices?.graphics?.[0]?.keymap).toBe('de');
    expect(vnc.domain.qemuCommandline).toBeUndefined();
    const none = imp('-display none -k fr');
    expect(none.warnings.join('\n')).toMatch(/-k fr.*no(ne)?.*dropped|dropped/);
    expect(() => imp('-vnc :1 -k "de;x"')).toThrow(/keyboard layout/);
  });

  it('reads the kvm hints, kvmclock and pmu', () => {
    const { domain } = imp(
      '-cpu host,kvm-hint-dedicated=on,kvm-poll-control=on,kvm-pv-ipi=off,-kvmclock,pmu=off',
    );
    expect(domain.features?.kvm).toEqual({
      'hint-dedicated': { state: true },
      'poll-control': { state: true },
      'pv-ipi': { state: false },
    });
    expect(domain.clock?.timer).toContainEqual({ name: 'kvmclock', present: false });
    expect(domain.features?.pmu).toEqual({ state: false });
  });
});

describe('Hyper-V enlightenments', () => {
  it('reads the guide spelling (hv_x, hv_spinlocks=0x1fff, hv_vendor_id, hv_time)', () => {
    const { domain } = imp(
      '-cpu host,kvm=off,hv_spinlocks=0x1fff,hv_relaxed,hv_vapic,hv_time,hv_vendor_id=Nvidia43FIX',
    );
    expect(domain.features?.hyperv).toEqual({
      mode: 'custom',
      spinlocks: { state: true, retries: 8191 },
      relaxed: { state: true },
      vapic: { state: true },
      vendor_id: { state: true, value: 'Nvidia43FIX' },
    });
    expect(domain.clock?.timer).toEqual([{ name: 'hypervclock', present: true }]);
  });

  it('reads the modern spelling with values, including a vendor id with a space', () => {
    const { domain } = imp(
      `-cpu 'qemu64,hv-relaxed=on,hv-vpindex=on,hv-synic=on,hv-stimer=on,hv-stimer-direct=on,hv-vendor-id=KVM Hv,hv-tlbflush=off'`,
    );
    const hv = domain.features?.hyperv;
    expect(hv?.relaxed).toEqual({ state: true });
    expect(hv?.stimer).toEqual({ state: true, direct: { state: true } });
    expect(hv?.vendor_id?.value).toBe('KVM Hv');
    expect(hv?.tlbflush).toEqual({ state: false });
  });

  it('reads hv-passthrough as mode passthrough and hv_crash as a Hyper-V panic device', () => {
    expect(imp('-cpu host,hv-passthrough=on').domain.features?.hyperv).toEqual({ mode: 'passthrough' });
    expect(imp('-cpu qemu32,hv_crash').domain.devices?.panic).toEqual([{ model: 'hyperv' }]);
  });

  it('reports enlightenments newer than the reference libvirt instead of writing them', () => {
    const r = imp('-cpu host,hv-relaxed=on,hv-emsr-bitmap=on');
    expect(r.domain.features?.hyperv).toEqual({ mode: 'custom', relaxed: { state: true } });
    expect(r.warnings.some((w) => w.includes('hv-emsr-bitmap') && w.includes('<emsr_bitmap/>'))).toBe(true);
  });

  it('refuses a vendor id over 12 characters and spinlocks under 0xfff', () => {
    expect(() => imp('-cpu host,hv_vendor_id=ThirteenChars')).toThrow(
      /hv_vendor_id: expected a vendor id of 1 to 12 characters/,
    );
    expect(() => imp('-cpu host,hv_spinlocks=0x10')).toThrow(
      /hv_spinlocks: expected a retry count from 4095/,
    );
  });
});

describe('-smp', () => {
  it('reads vCPUs and a topology, filling dies', () => {
    const { domain } = imp('-smp 8,sockets=1,cores=4,threads=2');
    expect(domain.vcpu).toEqual({ placement: 'static', value: 8 });
    expect(domain.cpu?.topology).toEqual({ sockets: 1, dies: 1, cores: 4, threads: 2 });
  });

  it('reads maxcpus as the vCPU count with cpus as current', () => {
    const { domain } = imp('-smp 1,maxcpus=2,sockets=2,cores=1,threads=1');
    expect(domain.vcpu).toEqual({ placement: 'static', value: 2, current: 1 });
  });

  it('computes the count from the topology and the sockets from the count', () => {
    expect(imp('-smp sockets=2,cores=2,threads=2').domain.vcpu?.value).toBe(8);
    expect(imp('-smp 6,cores=3').domain.cpu?.topology).toEqual({ sockets: 2, dies: 1, cores: 3, threads: 1 });
  });

  it('writes clusters only when not 1', () => {
    expect(
      imp('-smp 6,sockets=1,dies=1,clusters=1,cores=2,threads=3').domain.cpu?.topology?.clusters,
    ).toBeUndefined();
    expect(imp('-smp 12,sockets=1,clusters=2,cores=2,threads=3').domain.cpu?.topology?.clusters).toBe(2);
  });

  it('defaults to one vCPU and pins the process CPU set from taskset', () => {
    expect(imp('-m 64').domain.vcpu).toEqual({ placement: 'static', value: 1 });
    const r = importArgs('taskset -c 0-7 qemu-system-x86_64 -smp 8', { name: 'x' });
    expect(r.domain.vcpu?.cpuset).toBe('0-7');
  });

  it('refuses a topology that does not add up, naming the argument', () => {
    expect(() => imp('-smp 6,sockets=1,cores=4,threads=2')).toThrow(
      /^-smp 6,sockets=1,cores=4,threads=2 \(argument 1, line 1, column 20\): the topology gives 8 vCPUs, not maxcpus 6/,
    );
    expect(() => imp('-smp 4,maxcpus=2')).toThrow(/expected 1 <= cpus <= maxcpus/);
  });
});
