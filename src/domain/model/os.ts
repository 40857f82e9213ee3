/**
 * `<os>`: the machine, firmware, direct kernel boot and boot order, in the order
 * virDomainDefFormat writes them (type, firmware, loader, nvram, kernel…dtb, boot, bootmenu,
 * bios, smbios; checked against `virsh dumpxml` of libvirt 9.0).
 */
import { attr, child, int, list, oneOf, shape, text, yesNo, type Infer } from '../schema.js';
import { Text } from './common.js';

export const DomainOS = shape({
  firmware: attr(),
  type: child(shape({ arch: attr(), machine: attr(), value: text() })),
  firmware_: child(shape({ feature: list(shape({ enabled: attr(yesNo), name: attr() })) }), 'firmware'),
  loader: child(
    shape({
      readonly: attr(yesNo),
      secure: attr(yesNo),
      type: attr(oneOf('rom', 'pflash')),
      format: attr(),
      path: text(),
    }),
  ),
  nvram: child(shape({ template: attr(), format: attr(), path: text() })),
  /** Direct kernel boot (`-kernel`, `-initrd`, `-append`, `-dtb`). */
  kernel: child(Text),
  initrd: child(Text),
  cmdline: child(Text),
  dtb: child(Text),
  boot: list(shape({ dev: attr() })),
  bootmenu: child(shape({ enable: attr(yesNo), timeout: attr(int) })),
  /** `rebootTimeout` in milliseconds; -1 never reboots after a failed boot. */
  bios: child(shape({ useserial: attr(yesNo), rebootTimeout: attr(int) })),
  smbios: child(shape({ mode: attr(oneOf('emulate', 'host', 'sysinfo')) })),
});
export type DomainOS = Infer<typeof DomainOS>;
