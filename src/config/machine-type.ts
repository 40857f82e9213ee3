/**
 * The machine types a config can ask for, by chipset: q35 (PCIe, the default: each GPU behind its
 * own root port) and i440fx (`pc`: conventional PCI, every device on the root bus, IDE). The one
 * place that tells a machine type's family, and what the family allows, for the validator, the
 * generator and the reverse mapping alike.
 */
import type { UsbController } from './vocabulary.js';

export const MACHINE_FAMILIES = ['q35', 'i440fx'] as const;
export type MachineFamily = (typeof MACHINE_FAMILIES)[number];

/**
 * QEMU's names, current or versioned: `q35`, `pc-q35-7.2`, RHEL's `pc-q35-rhel9.2.0`; `pc`,
 * `pc-i440fx-7.2`, and the old `pc-1.0`.
 */
const MACHINE_RES: Readonly<Record<MachineFamily, RegExp>> = {
  q35: /^(q35|pc-q35-[A-Za-z0-9][A-Za-z0-9.]*)$/,
  i440fx: /^(pc|pc-i440fx-[A-Za-z0-9][A-Za-z0-9.]*|pc-\d+\.\d+)$/,
};

/**
 * What libvirt 9.0 with QEMU 7.2 does per family:
 * - `maxVcpus`: the vCPU limit it asks QEMU for ("Maximum CPUs greater than specified machine type
 *   limit");
 * - `rootBusSlots`: the root bus slots a device may be given. On q35, 0 is the host bridge and 0x1f
 *   the LPC, SATA and SMBus functions; on i440fx, 0 is the host bridge, 1 the PIIX3 (ISA, IDE, USB,
 *   ACPI) and 2 the primary video, which libvirt keeps there;
 * - `usbController`: the USB controller libvirt adds to a domain that names none.
 */
export const MACHINE_FACTS: Readonly<
  Record<
    MachineFamily,
    { maxVcpus: number; rootBusSlots: { min: number; max: number }; usbController: UsbController }
  >
> = {
  q35: { maxVcpus: 288, rootBusSlots: { min: 1, max: 0x1e }, usbController: 'qemu-xhci' },
  i440fx: { maxVcpus: 255, rootBusSlots: { min: 3, max: 0x1f }, usbController: 'piix3-uhci' },
};

/** The family of a machine type the config takes, or undefined for one it does not (`virt`, `isapc`). */
export function machineFamily(machine: string): MachineFamily | undefined {
  return MACHINE_FAMILIES.find((f) => MACHINE_RES[f].test(machine));
}

export const isQ35Machine = (machine: string): boolean => machineFamily(machine) === 'q35';
export const isI440fxMachine = (machine: string): boolean => machineFamily(machine) === 'i440fx';
