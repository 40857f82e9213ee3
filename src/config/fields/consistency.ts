/**
 * Checks across fields: what each field allows alone but libvirt refuses at define, or QEMU at start,
 * in combination (the same device twice, one boot order for two disks, two root ports on one slot).
 *
 * They run once every field is valid on its own, so that list indexes in the messages are the
 * config's own (a field that failed is dropped from the resolved lists). Each message names the
 * later field and the earlier one it clashes with: `usb[2]: duplicate of usb[0] (046d:c051)`.
 */
import { formatPciAddress } from '../../domain/address.js';
import type { ResolvedVm } from '../resolved.js';
import type { Issues } from '../issues.js';
import { isQ35Machine } from '../machine-type.js';

/** Reports every value met a second time: `firstOf` remembers where each key was first seen. */
function duplicates<T>(
  issues: Issues,
  items: readonly T[],
  where: (item: T, i: number) => string,
  key: (item: T) => string | number | undefined,
  message: (first: string, item: T) => string,
): void {
  const firstOf = new Map<string | number, string>();
  items.forEach((item, i) => {
    const k = key(item);
    if (k === undefined) return;
    const first = firstOf.get(k);
    if (first === undefined) firstOf.set(k, where(item, i));
    else issues.add(where(item, i), message(first, item));
  });
}

const hex4 = (n: number): string => n.toString(16).padStart(4, '0');
const usbName = (u: ResolvedVm['usb'][number]): string =>
  'bus' in u ? `bus ${u.bus} device ${u.device}` : `${hex4(u.vendor)}:${hex4(u.product)}`;

export function checkConsistency(issues: Issues, vm: ResolvedVm, multipleGpus: boolean): void {
  duplicates(
    issues,
    vm.usb,
    (_u, i) => `usb[${i}]`,
    usbName,
    (first, u) => `duplicate of ${first} (${usbName(u)}): libvirt passes a USB device once`,
  );
  const disk = (_d: unknown, i: number): string => `disks[${i}]`;
  const net = (_n: unknown, i: number): string => (vm.networks.length > 1 ? `network[${i}]` : 'network');
  // One boot order per device, across disks, NICs and PCI devices.
  duplicates(
    issues,
    [
      ...vm.disks.map((d, i) => ({ at: disk(d, i), boot: d.boot })),
      ...vm.networks.map((n, i) => ({ at: net(n, i), boot: n.boot })),
      ...vm.pci.map((p, i) => ({ at: `pci[${i}]`, boot: p.boot })),
    ],
    (d) => `${d.at}.boot`,
    (d) => d.boot,
    (first, d) =>
      `${d.boot} is also the boot order of ${first.replace(/\.boot$/, '')} (each device boots at its own place)`,
  );
  // QEMU locks an image for the drive that writes it; read-only CD-ROMs may share an ISO.
  duplicates(
    issues,
    vm.disks,
    (d, i) => `${disk(d, i)}.path`,
    (d) => (vm.disks.some((e) => e.path === d.path && e.device === 'disk') ? d.path : undefined),
    (first, d) => `"${d.path}" is also ${first}: QEMU locks an image for one drive that writes it`,
  );
  duplicates(
    issues,
    vm.networks,
    (n, i) => `${net(n, i)}.mac`,
    (n) => n.mac,
    (first) => `is also ${first}'s`,
  );
  duplicates(
    issues,
    vm.networks,
    (n, i) => `${net(n, i)}.tap`,
    (n) => n.tap,
    (first) => `is also ${first}'s`,
  );
  checkGpuPlaces(issues, vm, multipleGpus);
  checkGpuSlots(issues, vm, multipleGpus);
  if (vm.evdev?.keyboard !== undefined && vm.evdev.keyboard === vm.evdev.mouse) {
    issues.add('evdev.mouse', 'is the same device as evdev.keyboard: QEMU can grab an input device once');
  }
  checkHugepageSize(issues, vm);
  if (vm.sound !== false && vm.sound.audio.type === 'spice' && vm.display.type !== 'spice') {
    issues.add(
      'sound.audio.type',
      `"spice" sends sound over SPICE, which needs display: 'spice' (display is '${vm.display.type}')`,
    );
  }
  checkEmulatedDevices(issues, vm);
}

/** Devices whose place or output another field decides: the machine's buses, the display. */
function checkEmulatedDevices(issues: Issues, vm: ResolvedVm): void {
  vm.disks.forEach((d, i) => {
    if (d.bus === 'ide' && isQ35Machine(vm.machine)) {
      issues.add(
        `disks[${i}].bus`,
        `"ide" needs an i440fx machine; q35 ("${vm.machine}") has no IDE controller: use "sata" (AHCI)`,
      );
    }
  });
  vm.mdev.forEach((m, i) => {
    if (m.display && vm.display.type === 'none') {
      issues.add(
        `mdev[${i}].display`,
        "shows the vGPU through SPICE or VNC, which needs a display ('spice' or 'vnc'); display is 'none'",
      );
    }
  });
}

/** Each GPU in a place of its own: its root-bus slot (i440fx), or its root port's slot, chassis and port (q35). */
function checkGpuPlaces(issues: Issues, vm: ResolvedVm, multipleGpus: boolean): void {
  duplicates(
    issues,
    vm.gpus,
    (_g, i) => `${multipleGpus ? `gpu[${i}]` : 'gpu'}.slot`,
    (g) => g.slot,
    (first, g) => `${g.slot} is also ${first} (each GPU needs its own slot)`,
  );
  const at = (i: number): string => `${multipleGpus ? `gpu[${i}]` : 'gpu'}.rootPort`;
  for (const field of ['slot', 'chassis', 'port'] as const) {
    duplicates(
      issues,
      vm.gpus,
      (_g, i) => `${at(i)}.${field}`,
      (g) => g.rootPort[field],
      (first, g) => `${g.rootPort[field]} is also ${first} (each root port needs its own ${field})`,
    );
  }
}

/**
 * A GPU without `functions` takes every function of its slot (its HDMI audio, USB-C controller…):
 * another entry for one of them would pass the same host function twice.
 */
function checkGpuSlots(issues: Issues, vm: ResolvedVm, multipleGpus: boolean): void {
  const whole = new Map<string, { gpu: string; own: number }>();
  vm.gpus.forEach((g, i) => {
    if (g.functions !== undefined) return;
    whole.set(slotKey(g.address), { gpu: multipleGpus ? `gpu[${i}]` : 'gpu', own: g.address.function });
  });
  vm.pci.forEach((p, i) => {
    const card = whole.get(slotKey(p.address));
    // The GPU's own function is reported by checkPciConflicts.
    if (card === undefined || card.own === p.address.function) return;
    const { gpu } = card;
    issues.add(
      `pci[${i}]`,
      `${formatPciAddress(p.address)} is a function of ${gpu}'s card, which ${gpu} already passes through (all its functions by default; list ${gpu}.functions to choose)`,
    );
  });
}

const slotKey = (a: { domain: number; bus: number; slot: number }): string =>
  `${a.domain}:${a.bus}:${a.slot}`;

/** QEMU backs guest RAM with whole hugepages: a size that is not a multiple fails at start. */
function checkHugepageSize(issues: Issues, vm: ResolvedVm): void {
  if (vm.hugepages === false || vm.memoryMiB === 0) return;
  const pageMiB = (vm.hugepages.sizeKiB ?? 2048) / 1024;
  if (vm.memoryMiB % pageMiB === 0) return;
  issues.add(
    'memory',
    `${vm.memoryMiB} MiB is not a whole number of ${pageMiB === 1024 ? '1 GiB' : '2 MiB'} hugepages (hugepages: ${vm.hugepages.sizeKiB === undefined ? 'true, the usual 2 MiB pages' : pageMiB === 1024 ? "'1G'" : "'2M'"})`,
  );
}
