/**
 * `boot`: the boot order by kind of device (`<os><boot dev>`), and its one conflict: libvirt refuses
 * it beside per-device `<boot order>` ("per-device boot elements cannot be used together with
 * os/boot elements", libvirt 9.0), so the config names both fields instead.
 */
import type { ResolvedVm } from '../resolved.js';
import type { Issues } from '../issues.js';
import { BOOT_DEVICES, type BootDevice } from '../vocabulary.js';

export function resolveBoot(issues: Issues, value: unknown): BootDevice[] {
  const list = issues.array('boot', value);
  if (!list) return [];
  if (!list.length) issues.add('boot', 'is empty: name a device kind ("hd", "cdrom"…), or leave boot out');
  const kinds = list.flatMap((v, i) => issues.oneOf(`boot[${i}]`, v, BOOT_DEVICES, { required: true }) ?? []);
  const twice = kinds.find((k, i) => kinds.indexOf(k) !== i);
  if (twice) issues.add('boot', `lists "${twice}" twice (each kind is tried once, at its first place)`);
  return kinds;
}

/** `boot` and a per-device `boot` order cannot be given together. */
export function checkBootKinds(issues: Issues, vm: ResolvedVm): void {
  if (!vm.boot.length) return;
  const ordered = [
    ...vm.disks.flatMap((d, i) => (d.boot !== undefined ? [`disks[${i}].boot`] : [])),
    ...vm.networks.flatMap((n, i) =>
      n.boot !== undefined ? [vm.networks.length > 1 ? `network[${i}].boot` : 'network.boot'] : [],
    ),
    ...vm.pci.flatMap((p, i) => (p.boot !== undefined ? [`pci[${i}].boot`] : [])),
  ];
  if (!ordered.length) return;
  issues.add(
    'boot',
    `cannot be given with ${ordered.join(', ')}: libvirt refuses boot device kinds beside per-device ` +
      'boot orders; keep one (per-device orders name the exact device, and are what OVMF (UEFI) reads)',
  );
}
