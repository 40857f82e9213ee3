/** Machine, firmware and where the SMBIOS tables come from (`<os>`). */
import type { DomainOS } from '../domain/model.js';
import type { ResolvedVm } from '../config/resolved.js';

export function osElement(vm: ResolvedVm): DomainOS {
  const smbios = smbiosMode(vm);
  // libvirt writes `<boot>` after the firmware parts, and `<smbios>` after it.
  const boot = vm.boot.length ? { boot: vm.boot.map((dev) => ({ dev })) } : {};
  return { ...firmware(vm), ...boot, ...(smbios ? { smbios: { mode: smbios } } : {}) };
}

/** `'host'` copies the host's tables; tables in the config are `<sysinfo>` (generate/identity.ts). */
function smbiosMode(vm: ResolvedVm): 'host' | 'sysinfo' | undefined {
  if (vm.smbios === false) return undefined;
  return vm.smbios === 'host' ? 'host' : 'sysinfo';
}

function firmware(vm: ResolvedVm): DomainOS {
  // The emulator's architecture: libvirt refuses qemu-system-i386 for an x86_64 guest.
  const type = { arch: vm.arch, machine: vm.machine, value: 'hvm' };
  const fw = vm.firmware;
  switch (fw.kind) {
    case 'bios':
      return { type };
    case 'efi':
      // libvirt picks OVMF from the firmware descriptors that match these features.
      return {
        firmware: 'efi',
        type,
        firmware_: {
          feature: vm.secureBoot
            ? [
                { enabled: true, name: 'enrolled-keys' },
                { enabled: true, name: 'secure-boot' },
              ]
            : [{ enabled: false, name: 'secure-boot' }],
        },
      };
    case 'custom':
      return {
        type,
        loader: {
          readonly: true,
          ...(vm.secureBoot ? { secure: true } : {}),
          type: 'pflash',
          path: fw.loader,
        },
        ...(fw.varsTemplate || fw.nvram
          ? {
              nvram: {
                ...(fw.varsTemplate ? { template: fw.varsTemplate } : {}),
                ...(fw.nvram ? { path: fw.nvram } : {}),
              },
            }
          : {}),
      };
  }
}
