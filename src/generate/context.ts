/**
 * What the generator may learn from the host. The generator itself does no I/O: the CLI fills
 * this in from HostFacts (sysfs under --root) only when the config asks for a derived value.
 */
import { VirtGenError } from '../util/errors.js';
import type { PciAddress } from '../domain/address.js';
import type { ResolvedCpu } from '../config/resolved.js';

export interface PinPlan {
  /** Host cpuset per vCPU, in vCPU order. */
  vcpus: string[];
  emulator?: string;
  iothread?: string;
}

export interface GenerateContext {
  /** Every function the host has for the device at `address` (same bus and slot), if known. */
  gpuFunctions?(address: PciAddress): number[] | undefined;
  /** Pins for `cpu.pin: 'auto'`, from the host's topology. */
  autoPin?(cpu: ResolvedCpu): PinPlan;
  /** The host CPU's vendor (`AuthenticAMD`, `GenuineIntel`), for vendor-specific CPU features. */
  cpuVendor?: string;
}

export class GenerateError extends VirtGenError {
  constructor(message: string) {
    super(message);
    this.name = 'GenerateError';
  }
}
