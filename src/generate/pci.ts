/**
 * PCI passthrough layout: each GPU gets its own PCIe root port (q35), or its own slot on the root
 * bus (i440fx, which has no PCIe), with all its functions on one multifunction guest slot, as on the
 * real card. Other PCI devices get libvirt's placement.
 */
import { pciAddressAttrs } from '../domain/address.js';
import { vfioHostdev } from '../domain/hostdev.js';
import type { DomainController, DomainHostdev } from '../domain/model.js';
import type { ResolvedGpu, ResolvedVm } from '../config/resolved.js';
import type { GenerateContext } from './context.js';

/** Video + HDMI/DP audio: what nearly every card has, used when the host is not read. */
const DEFAULT_GPU_FUNCTIONS = [0, 1];

export interface PciLayout {
  controllers: DomainController[];
  hostdevs: DomainHostdev[];
}

/** `firstIndex` is the first free PCI controller index (0 is the root bus). */
export function pciLayout(vm: ResolvedVm, ctx: GenerateContext, firstIndex = 1): PciLayout {
  const controllers: DomainController[] = [];
  const hostdevs: DomainHostdev[] = [];
  let index = firstIndex;
  for (const gpu of vm.gpus) {
    // i440fx: the card's slot is on the root bus (bus 0); q35: slot 0 of the root port's own bus.
    const at = gpu.slot !== undefined ? { bus: 0, slot: gpu.slot } : { bus: index, slot: 0 };
    if (gpu.slot === undefined) controllers.push(rootPort(gpu, index++));
    const functions = gpu.functions ?? ctx.gpuFunctions?.(gpu.address) ?? DEFAULT_GPU_FUNCTIONS;
    functions.forEach((fn) => hostdevs.push(gpuFunction(gpu, fn, at, functions.length > 1)));
  }
  for (const dev of vm.pci) {
    const boot = dev.boot !== undefined ? { boot: { order: dev.boot } } : {};
    hostdevs.push({ ...vfioHostdev(dev.address, dev.rom), ...boot });
  }
  return { controllers, hostdevs };
}

function rootPort(gpu: ResolvedGpu, index: number): DomainController {
  const rp = gpu.rootPort;
  const target =
    rp.chassis !== undefined || rp.port !== undefined
      ? {
          ...(rp.chassis !== undefined ? { chassis: rp.chassis } : {}),
          ...(rp.port !== undefined ? { port: '0x' + rp.port.toString(16) } : {}),
        }
      : undefined;
  return {
    type: 'pci',
    index,
    model: 'pcie-root-port',
    // libvirt uses the generic pcie-root-port device unless a model name asks for Intel's ioh3420.
    ...(rp.model === 'ioh3420' ? { model_: { name: 'ioh3420' } } : {}),
    ...(target ? { target } : {}),
    ...(rp.slot !== undefined
      ? {
          address: {
            type: 'pci',
            ...pciAddressAttrs({ domain: 0, bus: 0, slot: rp.slot, function: 0 }),
            ...(rp.multifunction ? { multifunction: true } : {}),
          },
        }
      : {}),
  };
}

function gpuFunction(
  gpu: ResolvedGpu,
  fn: number,
  at: { bus: number; slot: number },
  multi: boolean,
): DomainHostdev {
  const host = { ...gpu.address, function: fn };
  // The ROM belongs to the function the config names (the video function).
  return {
    ...vfioHostdev(host, fn === gpu.address.function ? gpu.rom : undefined),
    address: {
      type: 'pci',
      ...pciAddressAttrs({ domain: 0, ...at, function: fn }),
      // "multifunction should be on for function 0 of a slot that has several functions" (libvirt docs).
      ...(multi && fn === 0 ? { multifunction: true } : {}),
    },
  };
}
