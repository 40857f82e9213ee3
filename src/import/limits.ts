/**
 * What QEMU and libvirt accept, as the importer checks it: one place for the bounds an imported value
 * must meet before it goes into the domain. A value outside them would give XML that libvirt's schema
 * refuses, or a VM that QEMU refuses to start; the importer refuses it instead, naming the argument.
 */

/** libvirt's schema for `<type machine>`: `[a-zA-Z0-9_.-]+`. */
export const MACHINE_NAME = /^[A-Za-z0-9_.-]+$/;

/** Proxmox's machine types carry a `+pveN` suffix for its own QEMU patches (`pc-q35-8.1+pve0`). */
export const PVE_SUFFIX = /\+pve\d+$/;

/** The most vCPUs a machine type takes in QEMU 7.2 (i440fx 255, q35 288); libvirt's own limit else. */
export function maxVcpus(machine: string | undefined): number {
  if (!machine || machine === 'pc' || machine.startsWith('pc-i440fx') || /^pc-\d/.test(machine)) {
    return 255;
  }
  if (machine === 'q35' || machine.startsWith('pc-q35')) return 288;
  return 65535; // <vcpu> is an unsignedShort in libvirt's schema
}

/** 2^52 bytes: the x86-64 physical address space (52 bits), beyond which no guest RAM can map. */
export const MAX_MEMORY_BYTES = 2 ** 52;

/** TCP ports, as libvirt's schema types them. */
export const MAX_PORT = 65535;

/** Disk formats libvirt's schema knows (storagecommon.rng); QEMU's others have no `<driver type>`. */
export const DISK_FORMATS = new Set([
  'raw',
  'dir',
  'bochs',
  'cloop',
  'dmg',
  'iso',
  'vpc',
  'vdi',
  'fat',
  'vhd',
  'ploop',
  'luks',
  'cow',
  'qcow',
  'qcow2',
  'qed',
  'vmdk',
]);

/** Legacy `-drive` positions QEMU accepts per interface (its if_max_devs and bus counts). */
export const DRIVE_LIMITS: Record<string, { bus: number; unit: number }> = {
  ide: { bus: 5, unit: 1 }, // two IDE buses on i440fx, six AHCI ports on q35
  scsi: { bus: 7, unit: 6 },
  floppy: { bus: 0, unit: 1 },
  virtio: { bus: 0, unit: 0 },
};

/** The highest `index=` a legacy `-drive` may give (beyond it no name such as `hdz` stays sane). */
export const MAX_DRIVE_INDEX = 63;

/** C0 controls and DEL, which XML 1.0 cannot carry and no QEMU value needs (tab, LF, CR aside). */
export function isControlCharacter(c: string): boolean {
  const code = c.charCodeAt(0);
  return (code < 0x20 && c !== '\t' && c !== '\n' && c !== '\r') || code === 0x7f;
}
