/**
 * vCPUs, CPU model and topology, and pinning (`<vcpu>`, `<cpu>`, `<cputune>`, `<iothreads>`).
 */
import type { Domain, DomainCPU, DomainCPUTune } from '../domain/model.js';
import type { ResolvedVm } from '../config/resolved.js';
import type { GenerateContext, PinPlan } from './context.js';

export function cpuElements(vm: ResolvedVm, ctx: GenerateContext): Partial<Domain> {
  const pins = pinPlan(vm, ctx);
  return {
    vcpu: { placement: 'static', value: vm.cpu.vcpus },
    ...(vm.iothreads > 0 ? { iothreads: { value: vm.iothreads } } : {}),
    ...(pins ? { cputune: cputune(vm, pins) } : {}),
    cpu: cpuModel(vm, ctx),
  };
}

function pinPlan(vm: ResolvedVm, ctx: GenerateContext): PinPlan | undefined {
  const { pin } = vm.cpu;
  let plan: PinPlan | undefined;
  if (pin === 'auto') {
    // Offline (`virt-gen xml` without --root) there is no host to pin to: the pins are chosen when
    // the VM is defined on its host, so the offline XML is the same on every machine.
    plan = ctx.autoPin?.(vm.cpu);
  } else if (pin) {
    plan = { vcpus: pin };
  }
  if (!plan && !vm.cpu.emulatorPin) return undefined;
  // Explicit emulator/iothread pins in the config win over derived ones.
  return {
    vcpus: plan?.vcpus ?? [],
    ...((vm.cpu.emulatorPin ?? plan?.emulator) ? { emulator: vm.cpu.emulatorPin ?? plan?.emulator } : {}),
    ...((vm.cpu.iothreadPin ?? plan?.iothread) ? { iothread: vm.cpu.iothreadPin ?? plan?.iothread } : {}),
  };
}

function cputune(vm: ResolvedVm, pins: PinPlan): DomainCPUTune {
  const iothreadpin =
    pins.iothread && vm.iothreads > 0
      ? Array.from({ length: vm.iothreads }, (_, i) => ({ iothread: i + 1, cpuset: pins.iothread }))
      : undefined;
  return {
    ...(pins.vcpus.length ? { vcpupin: pins.vcpus.map((cpuset, vcpu) => ({ vcpu, cpuset })) } : {}),
    ...(pins.emulator ? { emulatorpin: { cpuset: pins.emulator } } : {}),
    ...(iothreadpin ? { iothreadpin } : {}),
  };
}

/**
 * QEMU hides AMD's topoext from the guest unless asked, and without it Windows sees no SMT
 * siblings on AMD. `require` fails on Intel, which lacks the flag: only on an AMD host.
 */
function vendorFeatures(vm: ResolvedVm, ctx: GenerateContext): ResolvedVm['cpu']['features'] {
  const amdSmt = ctx.cpuVendor === 'AuthenticAMD' && vm.cpu.threads > 1;
  const named = vm.cpu.features.some((f) => f.name === 'topoext');
  return amdSmt && !named ? [{ name: 'topoext', policy: 'require' }] : [];
}

function cpuModel(vm: ResolvedVm, ctx: GenerateContext): DomainCPU {
  const { cpu } = vm;
  const passthrough = cpu.mode === 'host-passthrough';
  const features = [...cpu.features, ...vendorFeatures(vm, ctx)];
  return {
    mode: cpu.mode,
    check: 'none',
    // migratable='off' keeps non-migratable host features (invtsc): a passthrough VM never migrates.
    ...(passthrough ? { migratable: false } : {}),
    topology: { sockets: cpu.sockets, dies: 1, cores: cpu.cores, threads: cpu.threads },
    ...(cpu.cachePassthrough && passthrough ? { cache: { mode: 'passthrough' } } : {}),
    ...(features.length ? { feature: features.map((f) => ({ policy: f.policy, name: f.name })) } : {}),
  };
}
