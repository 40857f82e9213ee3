/**
 * Host roots for the boot-time tests, written from compact descriptions: a fake sysfs/procfs with a
 * GPU still on its vendor driver and a plain command line (a host never prepared), plus each
 * distribution's boot and initramfs files as the distribution ships them. Only what virt-gen reads.
 */
import { mkdir, symlink, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { tempRoot } from './roots.js';

export interface Fn {
  addr: string;
  id: string;
  cls: number;
  driver?: string;
  module?: string;
  bootVga?: boolean;
}

export interface DistroHost {
  cpu: 'GenuineIntel' | 'AuthenticAMD';
  iommu: boolean;
  cmdline: string;
  pci: Fn[];
  files: Record<string, string>;
}

const NVIDIA: Fn[] = [
  { addr: '0000:01:00.0', id: '10de:2684', cls: 0x030000, driver: 'nvidia' },
  { addr: '0000:01:00.1', id: '10de:22ba', cls: 0x040300, driver: 'snd_hda_intel' },
];
const AMD_GPU: Fn[] = [
  { addr: '0000:01:00.0', id: '1002:744c', cls: 0x030000, driver: 'amdgpu' },
  { addr: '0000:01:00.1', id: '1002:ab30', cls: 0x040300, driver: 'snd_hda_intel' },
];
const IGPU: Fn = { addr: '0000:00:02.0', id: '8086:a780', cls: 0x030000, driver: 'i915', bootVga: true };

const DEBIAN_GRUB = `# If you change this file, run 'update-grub' afterwards to update
# /boot/grub/grub.cfg.
# For full documentation of the options in this file, see:
#   info -f grub -n 'Simple configuration'

GRUB_DEFAULT=0
GRUB_TIMEOUT=5
GRUB_DISTRIBUTOR=\`lsb_release -i -s 2> /dev/null || echo Debian\`
GRUB_CMDLINE_LINUX_DEFAULT="quiet"
GRUB_CMDLINE_LINUX=""
`;
const INITRAMFS_MODULES = `# List of modules that you want to include in your initramfs.
# They will be loaded at boot time in the order below.
#
# Syntax:  module_name [args ...]
#
# You must run update-initramfs(8) to effect this change.
#
# Examples:
#
# raid1
# sd_mod
`;
const INITRAMFS_TOOLS = {
  '/etc/initramfs-tools/modules': INITRAMFS_MODULES,
  '/etc/initramfs-tools/initramfs.conf': 'MODULES=most\nBUSYBOX=auto\nCOMPRESS=zstd\n',
};

export const DISTROS: Record<string, DistroHost> = {
  debian12: {
    cpu: 'GenuineIntel',
    iommu: true,
    cmdline: 'BOOT_IMAGE=/boot/vmlinuz-6.1.0-18-amd64 root=UUID=2c0a7b8e ro quiet',
    pci: [IGPU, ...NVIDIA],
    files: {
      '/etc/os-release': 'PRETTY_NAME="Debian GNU/Linux 12 (bookworm)"\nID=debian\nVERSION_ID="12"\n',
      '/etc/default/grub': DEBIAN_GRUB,
      '/etc/default/grub.d/init-select.cfg': '# A no-op unless init-select is installed\n',
      '/boot/grub/grub.cfg': '# generated\n',
      ...INITRAMFS_TOOLS,
    },
  },
  ubuntu2404: {
    cpu: 'AuthenticAMD',
    iommu: true,
    cmdline: 'BOOT_IMAGE=/vmlinuz-6.8.0-31-generic root=UUID=5d1c ro quiet splash vt.handoff=7',
    pci: [
      { ...AMD_GPU[0], addr: '0000:0c:00.0', bootVga: true } as Fn,
      { ...(AMD_GPU[1] as Fn), addr: '0000:0c:00.1' },
      ...NVIDIA,
    ],
    files: {
      '/etc/os-release': 'NAME="Ubuntu"\nVERSION_ID="24.04"\nID=ubuntu\nID_LIKE=debian\n',
      '/etc/default/grub': DEBIAN_GRUB.replace('"quiet"', '"quiet splash"'),
      '/boot/grub/grub.cfg': '# generated\n',
      ...INITRAMFS_TOOLS,
    },
  },
  fedora40: {
    cpu: 'GenuineIntel',
    iommu: true,
    cmdline:
      'BOOT_IMAGE=(hd0,gpt2)/vmlinuz-6.8.5-301.fc40.x86_64 root=UUID=9b1f ro rootflags=subvol=root rhgb quiet',
    pci: [IGPU, ...NVIDIA.map((f) => ({ ...f, driver: f.driver === 'nvidia' ? 'nouveau' : f.driver }))],
    files: {
      '/etc/os-release': 'NAME="Fedora Linux"\nVERSION_ID=40\nID=fedora\n',
      '/etc/default/grub':
        'GRUB_TIMEOUT=5\nGRUB_DISTRIBUTOR="$(sed \'s, release .*$,,g\' /etc/system-release)"\nGRUB_DEFAULT=saved\n' +
        'GRUB_DISABLE_SUBMENU=true\nGRUB_TERMINAL_OUTPUT="console"\n' +
        'GRUB_CMDLINE_LINUX="rootflags=subvol=root rhgb quiet"\nGRUB_DISABLE_RECOVERY="true"\nGRUB_ENABLE_BLSCFG=true\n',
      '/boot/grub2/grub.cfg': '# generated\n',
      '/boot/loader/entries/6a9b-6.8.5-301.fc40.x86_64.conf':
        'title Fedora Linux (6.8.5-301.fc40.x86_64) 40 (Workstation Edition)\nversion 6.8.5-301.fc40.x86_64\n' +
        'linux /vmlinuz-6.8.5-301.fc40.x86_64\ninitrd /initramfs-6.8.5-301.fc40.x86_64.img\n' +
        'options root=UUID=9b1f ro rootflags=subvol=root rhgb quiet\ngrub_users $grub_users\ngrub_arg --unrestricted\ngrub_class fedora\n',
      '/boot/loader/entries/6a9b-0-rescue.conf':
        'title Fedora Linux (0-rescue-6a9b) 40 (Workstation Edition)\nversion 0-rescue-6a9b\nlinux /vmlinuz-0-rescue-6a9b\n' +
        'initrd /initramfs-0-rescue-6a9b.img\noptions root=UUID=9b1f ro rootflags=subvol=root rhgb quiet\n',
      '/etc/dracut.conf':
        '# PUT YOUR CONFIG IN separate files\n# in /etc/dracut.conf.d named "<name>.conf"\n',
      '/etc/dracut.conf.d/.keep': '',
    },
  },
  arch: {
    cpu: 'AuthenticAMD',
    iommu: true,
    cmdline: 'initrd=\\initramfs-linux.img root=PARTUUID=3e6a rw',
    pci: AMD_GPU.map((f) => ({ ...f, bootVga: f.cls === 0x030000 ? false : undefined }) as Fn).concat([
      { addr: '0000:00:08.1', id: '1002:164e', cls: 0x030000, driver: 'amdgpu', bootVga: true },
    ]),
    files: {
      '/etc/os-release': 'NAME="Arch Linux"\nID=arch\nBUILD_ID=rolling\n',
      '/boot/loader/loader.conf': 'default arch.conf\ntimeout 3\n',
      '/boot/loader/entries/arch.conf':
        'title   Arch Linux\nlinux   /vmlinuz-linux\ninitrd  /initramfs-linux.img\noptions root=PARTUUID=3e6a rw\n',
      '/boot/loader/entries/arch-fallback.conf':
        'title   Arch Linux (fallback)\nlinux   /vmlinuz-linux\ninitrd  /initramfs-linux-fallback.img\noptions root=PARTUUID=3e6a rw\n',
      '/etc/mkinitcpio.conf':
        '# vim:set ft=sh\nMODULES=()\nBINARIES=()\nFILES=()\n' +
        'HOOKS=(base udev autodetect microcode modconf kms keyboard keymap consolefont block filesystems fsck)\n',
      '/etc/mkinitcpio.conf.d/.keep': '',
      '/etc/mkinitcpio.d/linux.preset':
        '# mkinitcpio preset file for the \'linux\' package\n\n#ALL_config="/etc/mkinitcpio.conf"\n' +
        "ALL_kver=\"/boot/vmlinuz-linux\"\n\nPRESETS=('default' 'fallback')\n\n" +
        'default_image="/boot/initramfs-linux.img"\nfallback_image="/boot/initramfs-linux-fallback.img"\nfallback_options="-S autodetect"\n',
    },
  },
  popos: {
    cpu: 'GenuineIntel',
    iommu: false,
    cmdline:
      'initrd=\\EFI\\Pop_OS-4f3c\\initrd.img root=UUID=4f3c ro quiet loglevel=0 systemd.show_status=false splash',
    pci: [IGPU, ...NVIDIA],
    files: {
      '/etc/os-release': 'NAME="Pop!_OS"\nVERSION_ID="22.04"\nID=pop\nID_LIKE="ubuntu debian"\n',
      '/etc/kernelstub/configuration':
        JSON.stringify(
          {
            default: {
              kernel_options: ['quiet', 'splash'],
              esp_path: '/boot/efi',
              setup_loader: false,
              manage_mode: false,
              force_update: false,
              live_mode: false,
              config_rev: 3,
            },
            user: {
              kernel_options: ['quiet', 'loglevel=0', 'systemd.show_status=false', 'splash'],
              esp_path: '/boot/efi',
              setup_loader: true,
              manage_mode: true,
              force_update: false,
              live_mode: false,
              config_rev: 3,
            },
          },
          null,
          4,
        ) + '\n',
      '/boot/efi/loader/loader.conf': 'default Pop_OS-current\n',
      '/boot/efi/loader/entries/Pop_OS-current.conf':
        'title Pop!_OS\nlinux /EFI/Pop_OS-4f3c/vmlinuz.efi\ninitrd /EFI/Pop_OS-4f3c/initrd.img\n' +
        'options root=UUID=4f3c ro quiet loglevel=0 systemd.show_status=false splash\n',
      ...INITRAMFS_TOOLS,
    },
  },
};

async function put(root: string, p: string, text: string): Promise<void> {
  await mkdir(path.dirname(path.join(root, p)), { recursive: true });
  await writeFile(path.join(root, p), text);
}

async function link(root: string, p: string, target: string): Promise<void> {
  await mkdir(path.dirname(path.join(root, p)), { recursive: true });
  await symlink(target, path.join(root, p));
}

async function writeFunction(root: string, f: Fn, group: number | undefined): Promise<void> {
  const dir = `/sys/bus/pci/devices/${f.addr}`;
  const [vendor, device] = f.id.split(':');
  await put(root, `${dir}/vendor`, `0x${vendor}\n`);
  await put(root, `${dir}/device`, `0x${device}\n`);
  await put(root, `${dir}/class`, `0x${f.cls.toString(16).padStart(6, '0')}\n`);
  if (f.bootVga !== undefined) await put(root, `${dir}/boot_vga`, f.bootVga ? '1\n' : '0\n');
  if (f.driver) {
    await link(root, `${dir}/driver`, `../../../bus/pci/drivers/${f.driver}`);
    const mod = f.module ?? f.driver;
    await link(root, `/sys/bus/pci/drivers/${f.driver}/module`, `../../../../module/${mod}`).catch(
      () => undefined,
    );
  }
  if (group === undefined) return;
  await link(root, `${dir}/iommu_group`, `../../../kernel/iommu_groups/${group}`);
  await link(
    root,
    `/sys/kernel/iommu_groups/${group}/devices/${f.addr}`,
    `../../../../devices/pci0000:00/${f.addr}`,
  );
}

/** One IOMMU group per slot, numbered in address order (when the IOMMU is on). */
export async function distroRoot(name: keyof typeof DISTROS & string): Promise<string> {
  const h = DISTROS[name] as DistroHost;
  const root = await tempRoot(`vg-boot-${name}-`);
  const slots = [...new Set(h.pci.map((f) => f.addr.slice(0, -2)))].sort();
  for (const f of h.pci)
    await writeFunction(root, f, h.iommu ? slots.indexOf(f.addr.slice(0, -2)) + 1 : undefined);
  await put(root, '/proc/cmdline', h.cmdline + '\n');
  await put(
    root,
    '/proc/cpuinfo',
    `processor\t: 0\nvendor_id\t: ${h.cpu}\nflags\t\t: fpu vme ${h.cpu === 'GenuineIntel' ? 'vmx' : 'svm'} pdpe1gb\n`,
  );
  await put(root, '/proc/meminfo', 'MemTotal:       32768000 kB\nHugepagesize:       2048 kB\n');
  await put(root, '/sys/kernel/mm/hugepages/hugepages-2048kB/nr_hugepages', '0\n');
  await put(root, '/sys/kernel/mm/hugepages/hugepages-1048576kB/nr_hugepages', '0\n');
  await put(root, '/dev/kvm', '');
  for (const [p, text] of Object.entries(h.files)) await put(root, p, text);
  return root;
}
