/**
 * fast-check arbitraries for the storage part of a config (config-arbitrary.ts draws the rest):
 * disks with their guest names, and the boot kinds, kept apart from the per-device boot orders
 * libvirt refuses beside them.
 */
import fc from 'fast-check';
import {
  BOOT_DEVICES,
  CACHE_MODES,
  DISCARD_MODES,
  DISK_BUSES,
  DISK_DEVICES,
  DISK_FORMATS,
  IO_MODES,
} from '../../src/config/vocabulary.js';
import { absPath, maybe, mostly, oddText } from './arbitrary-basics.js';

export function diskArb(wild: boolean) {
  return fc
    .record({
      path: mostly(
        wild,
        fc.oneof(
          absPath('/var/lib/libvirt/images', '.img'),
          absPath('/srv', '.qcow2'),
          absPath('/dev/disk/by-id', ''),
        ),
        fc.constantFrom('relative.img', '/a\u0001.img'),
      ),
      device: maybe(fc.constantFrom(...DISK_DEVICES)),
      // ide is kept on i440fx only (onMachine), but with wild values.
      bus: maybe(fc.constantFrom(...DISK_BUSES)),
      format: maybe(fc.constantFrom(...DISK_FORMATS)),
      cache: maybe(fc.constantFrom(...CACHE_MODES)),
      io: maybe(fc.constantFrom(...IO_MODES)),
      discard: maybe(fc.constantFrom(...DISCARD_MODES)),
      boot: maybe(fc.integer({ min: 1, max: 6 })),
      serial: maybe(mostly(wild, fc.stringMatching(/^[A-Za-z0-9_.+-]{1,20}$/), oddText)),
      // A guest name: its bus' prefix and a letter (hda–hdd on IDE, sda–sdg on SCSI), or with wild another prefix.
      target: maybe(
        fc.tuple(
          mostly(wild, fc.constant(''), fc.constantFrom('vd', 'hd', 'sd', 'xvd')),
          fc.constantFrom('a', 'b', 'c', 'd', 'h'),
        ),
      ),
    })
    .map(({ target, ...d }) => {
      if (!target) return { ...d, target: undefined as string | undefined };
      const [prefix, letter] = target;
      const bus = d.bus ?? ((d.device ?? 'disk') === 'disk' ? 'scsi' : 'sata');
      const own = bus === 'virtio' ? 'vd' : bus === 'ide' ? 'hd' : 'sd';
      return {
        ...d,
        target: `${prefix || own}${(bus === 'ide' || bus === 'scsi') && letter === 'h' && !wild ? 'd' : letter}`,
      };
    });
}

/** `boot` kinds, now and then (bootKinds keeps them only where no device has its own order). */
export function bootArb(wild: boolean) {
  return fc.option(
    mostly(
      wild,
      // `['hd']` alone is libvirt's default, which an import leaves out (reads back as no `boot`).
      fc.shuffledSubarray([...BOOT_DEVICES], { minLength: 1 }).filter((b) => b.join() !== 'hd'),
      fc.constantFrom([], ['hd', 'hd'], ['usb']),
    ),
    { nil: undefined, freq: 4 },
  );
}

/**
 * A disk name another disk took is left out: drawn from five letters, names would clash so often
 * that wild configs would hardly ever pass (the refusal is tested on its own).
 */
export function uniqueTargets(c: Record<string, unknown>): Record<string, unknown> {
  const disks = c.disks as Array<{ target?: string }> | undefined;
  if (!disks) return c;
  const seen = new Set<string>();
  const unique = disks.map((d) => {
    if (d.target === undefined) return d;
    if (seen.has(d.target)) return { ...d, target: undefined };
    seen.add(d.target);
    return d;
  });
  return { ...c, disks: unique };
}

/**
 * `boot` kinds only where no device has its own order: libvirt refuses both, and per-device orders
 * are drawn so often that the refusal (tested on its own) would crowd out accepted wild configs.
 */
export function bootKinds(c: Record<string, unknown>): Record<string, unknown> {
  if (c.boot === undefined) return c;
  const own = (v: unknown) =>
    [v ?? []].flat().some((d) => typeof d === 'object' && d !== null && 'boot' in d);
  return own(c.disks) || own(c.network) || own(c.pci) ? { ...c, boot: undefined } : c;
}
