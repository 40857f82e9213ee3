/**
 * Guest device names of disks (`<target dev>`): the one place that knows them, for the validator
 * (fields/storage.ts: a `disks[].target` must fit its bus), the names a disk gets by default (used
 * by the generator through the resolved config), and the reverse (import/to-config/storage.ts:
 * a name is written only where the default would differ).
 *
 * libvirt 9.0 parses any of its prefixes on any bus (`vda` on SATA defines), but derives the drive
 * address from the letters (sdc on SATA is unit 2; hde on IDE is a second IDE controller, which it
 * refuses; sdzzzzz asks for millions of AHCI controllers and keeps libvirtd busy for hours). The
 * config keeps to the names libvirt and the guest's tools give (vd* on virtio, hd* on IDE, sd* on
 * SCSI, SATA and USB), one letter each, and IDE's four places.
 */
import type { DiskBus } from './vocabulary.js';

export type TargetPrefix = 'sd' | 'vd' | 'hd';

export const targetPrefix = (bus: DiskBus): TargetPrefix =>
  bus === 'virtio' ? 'vd' : bus === 'ide' ? 'hd' : 'sd';

/** i440fx's one IDE controller has two buses of two units: hda–hdd. */
export const IDE_NAMES: readonly string[] = ['hda', 'hdb', 'hdc', 'hdd'];

/**
 * libvirt gives a SCSI controller seven units by name (sda–sdg); sdh and later go on a second
 * controller it adds as LSI Logic, not virtio-scsi (no driver in Windows, no I/O thread).
 */
const SCSI_LAST = 'sdg';

/** Why `name` cannot name a disk on `bus`, or undefined when it can. */
export function targetProblem(name: string, bus: DiskBus): string | undefined {
  const prefix = targetPrefix(bus);
  if (!/^[a-z]+$/.test(name) || !name.startsWith(prefix) || name.length !== prefix.length + 1) {
    return `"${name}" is not a ${bus} disk name ("${prefix}" and one letter: ${prefix}a, ${prefix}b, …)`;
  }
  if (bus === 'ide' && !IDE_NAMES.includes(name)) {
    return `"${name}" is past IDE's four places (hda–hdd; libvirt: "Only 1 IDE controller is supported")`;
  }
  if (bus === 'scsi' && name > SCSI_LAST) {
    return `"${name}" is past the virtio-scsi controller's seven names (sda–sdg): libvirt would add an LSI Logic controller for it`;
  }
  return undefined;
}

/** sda, sdb, …, sdz, sdaa: the naming libvirt and Linux use. */
function letter(n: number): string {
  const a = 'abcdefghijklmnopqrstuvwxyz';
  return n < 26 ? (a[n] as string) : letter(Math.floor(n / 26) - 1) + (a[n % 26] as string);
}

/**
 * Every disk's name: its own `target` where it has one, else the next name of its bus' prefix,
 * in order, that no disk takes (explicit names are skipped wherever they appear in the list).
 */
export function diskTargets(disks: ReadonlyArray<{ bus: DiskBus; target?: string | undefined }>): string[] {
  const taken = new Set(disks.flatMap((d) => (d.target !== undefined ? [d.target] : [])));
  const next = { sd: 0, vd: 0, hd: 0 };
  return disks.map((d) => {
    if (d.target !== undefined) return d.target;
    const prefix = targetPrefix(d.bus);
    let name = `${prefix}${letter(next[prefix]++)}`;
    while (taken.has(name)) name = `${prefix}${letter(next[prefix]++)}`;
    return name;
  });
}

/**
 * Which disks must say their name for `diskTargets` to give each its `actual` one: none where the
 * defaults already match; else the first that differs, and again, until all match (each round fixes
 * one more disk, so at worst every disk says its name).
 */
export function explicitTargets(
  disks: ReadonlyArray<{ bus: DiskBus; actual: string | undefined }>,
): boolean[] {
  const explicit = disks.map(() => false);
  for (;;) {
    const names = diskTargets(
      disks.map((d, i) => ({ bus: d.bus, target: explicit[i] ? d.actual : undefined })),
    );
    // A disk without a name it can keep (undefined) takes whatever default it gets.
    const first = names.findIndex((n, i) => disks[i]?.actual !== undefined && n !== disks[i]?.actual);
    if (first < 0) return explicit;
    explicit[first] = true;
  }
}
