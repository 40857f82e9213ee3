/**
 * What libvirt refuses at define, or QEMU at start, the validator refuses first, naming the field.
 * Each refusal here was checked against libvirt 9.0 / QEMU 7.2 (define --validate) or the kernel's rule.
 */
import { describe, expect, it } from '@jest/globals';
import { base, problems } from './helpers/problems.js';

const disk = (path: string, extra: object = {}) => ({ path, ...extra });

describe('refusals by field', () => {
  it.each<[string, object, string]>([
    [
      'a duplicate USB device',
      { usb: ['046d:c051', '1b1c:1b3c', { vendor: 0x046d, product: 0xc051 }] },
      'usb[2]: duplicate of usb[0] (046d:c051): libvirt passes a USB device once',
    ],
    [
      'the GPU’s own audio listed again in pci',
      { gpu: { host: '02:00.0' }, pci: ['02:00.1'] },
      "pci[0]: 0000:02:00.1 is a function of gpu's card, which gpu already passes through (all its functions by default; list gpu.functions to choose)",
    ],
    [
      'a GPU function listed again in pci',
      { gpu: { host: '02:00.0', functions: [0, 1] }, pci: ['02:00.1'] },
      'pci[0]: passes through the same host device as gpu[0]',
    ],
    [
      'a duplicate boot order',
      { disks: [disk('/a.img', { boot: 1 }), disk('/b.img', { boot: 1 })] },
      'disks[1].boot: 1 is also the boot order of disks[0] (each device boots at its own place)',
    ],
    [
      'one image as two disks',
      { disks: [disk('/a.img'), disk('/a.img')] },
      'disks[1].path: "/a.img" is also disks[0].path: QEMU locks an image for one drive that writes it',
    ],
    [
      'one image as a disk and a CD-ROM',
      { disks: [disk('/a.iso', { device: 'cdrom' }), disk('/a.iso')] },
      'disks[1].path: "/a.iso" is also disks[0].path: QEMU locks an image for one drive that writes it',
    ],
    [
      'two root ports on one slot',
      {
        gpu: [
          { host: '02:00.0', rootPort: { slot: 0x1c } },
          { host: '03:00.0', rootPort: { slot: 0x1c } },
        ],
      },
      'gpu[1].rootPort.slot: 28 is also gpu[0].rootPort.slot (each root port needs its own slot)',
    ],
    [
      'two root ports with one chassis',
      {
        gpu: [
          { host: '02:00.0', rootPort: { chassis: 1 } },
          { host: '03:00.0', rootPort: { chassis: 1 } },
        ],
      },
      'gpu[1].rootPort.chassis: 1 is also gpu[0].rootPort.chassis (each root port needs its own chassis)',
    ],
    [
      'two root ports with one port',
      {
        gpu: [
          { host: '02:00.0', rootPort: { port: 16 } },
          { host: '03:00.0', rootPort: { port: 16 } },
        ],
      },
      'gpu[1].rootPort.port: 16 is also gpu[0].rootPort.port (each root port needs its own port)',
    ],
    [
      'a root port on the LPC slot',
      { gpu: { host: '02:00.0', rootPort: { slot: 0x1f } } },
      'gpu.rootPort.slot: 31 is not a whole number from 1 to 30',
    ],
    [
      'more vCPUs than q35 takes',
      { cpu: { sockets: 2, cores: 145 } },
      "cpu: 2 sockets × 145 cores × 1 threads is 290 vCPUs, over the q35 machine's 288 (QEMU 7.2)",
    ],
    [
      'a machine that is not an x86 PC',
      { machine: 'virt' },
      'machine: "virt" is not an x86 PC machine type: "q35" (PCIe, versioned "pc-q35-7.2") or "pc" (i440fx, versioned "pc-i440fx-7.2")',
    ],
    [
      'more vCPUs than i440fx takes',
      { machine: 'pc', cpu: { sockets: 2, cores: 64, threads: 2 } },
      "cpu: 2 sockets × 64 cores × 2 threads is 256 vCPUs, over the i440fx machine's 255 (QEMU 7.2)",
    ],
    [
      'Secure Boot on i440fx',
      { machine: 'pc-i440fx-7.2', firmware: 'efi', secureBoot: true },
      `secureBoot: needs a q35 machine: OVMF's Secure Boot builds need SMM, which i440fx ("pc-i440fx-7.2") has not (libvirt finds no firmware to start it)`,
    ],
    [
      'a root port on i440fx',
      { machine: 'pc', gpu: { host: '02:00.0', rootPort: { slot: 0x1c } } },
      'gpu.rootPort: i440fx has no PCIe root ports: the GPU sits on the PCI root bus (its guest slot is `slot`), or use machine: "q35"',
    ],
    [
      'a root bus slot for the GPU on q35',
      { gpu: { host: '02:00.0', slot: 5 } },
      "gpu.slot: places the GPU on an i440fx machine's root bus; on q35 it sits behind its root port: use rootPort.slot",
    ],
    [
      "an i440fx GPU on the primary video's slot",
      { machine: 'pc', gpu: { host: '02:00.0', slot: 2 } },
      'gpu.slot: 2 is not a whole number from 3 to 31',
    ],
    [
      'two i440fx GPUs on one slot',
      { machine: 'pc', gpu: [{ host: '02:00.0' }, { host: '03:00.0', slot: 0x10 }] },
      'gpu[1].slot: 16 is also gpu[0].slot (each GPU needs its own slot)',
    ],
    [
      'memory beyond libvirt’s limit',
      { memory: '9000000 TiB' },
      `memory: "9000000 TiB" is 9437184000000 MiB, over libvirt's limit of 8796093022207 MiB (8 EiB)`,
    ],
    [
      'a backwards cpuset',
      { cpu: { cores: 2, emulatorPin: '7-3' } },
      'cpu.emulatorPin: "7-3" is not a host CPU set: the range 7-3 runs backwards (expected e.g. "0-3,8-11")',
    ],
    [
      'an empty cpuset',
      { cpu: { cores: 1, pin: [''] } },
      'cpu.pin[0]: "" is not a host CPU set: an empty item (expected e.g. "0-3,8-11")',
    ],
    [
      'a cpuset of garbage',
      { cpu: { cores: 2, iothreadPin: '0-3,x' } },
      'cpu.iothreadPin: "0-3,x" is not a host CPU set: "x" is not N, N-M or ^N (expected e.g. "0-3,8-11")',
    ],
    [
      'a cpuset that excludes everything',
      { cpu: { cores: 2, emulatorPin: '0,^0' } },
      'cpu.emulatorPin: "0,^0" is not a host CPU set: it leaves no CPU (expected e.g. "0-3,8-11")',
    ],
    [
      'a CPU beyond libvirt’s bitmap',
      { cpu: { cores: 1, pin: [99999] } },
      'cpu.pin[0]: 99999 is not a host CPU number (0 to 16383)',
    ],
    [
      'a vendor id with a comma',
      { hyperv: { vendorId: 'Nvidia,43' } },
      'hyperv.vendorId: "Nvidia,43" holds a "," or a character beyond printable ASCII (libvirt refuses ","; QEMU counts bytes)',
    ],
    [
      'a tap name over 15 characters',
      { network: { bridge: 'br0', tap: 'gaming-vm-tap-01' } },
      'network.tap: "gaming-vm-tap-01" is not a tap device name (1 to 15 letters, digits, "_", "-", "."; the kernel\'s limit)',
    ],
    [
      'a tap name libvirt keeps for itself',
      { network: { bridge: 'br0', tap: 'vnet7' } },
      'network.tap: "vnet7" starts with a prefix libvirt keeps for names it makes (vnet, macvtap, macvlan)',
    ],
    [
      'a bridge name with a space',
      { network: { bridge: 'br 0' } },
      'network.bridge: "br 0" is not a bridge name (1 to 15 letters, digits, "_", "-", "."; the kernel\'s limit)',
    ],
    [
      'a network name with a slash',
      { network: { network: 'a/b' } },
      'network.network: "a/b" is not a libvirt network name (not empty, no "/")',
    ],
    [
      'a relative emulator',
      { emulator: 'qemu-system-x86_64' },
      'emulator: "qemu-system-x86_64" is not an absolute path (libvirt resolves paths on the host, not next to the config)',
    ],
    [
      'a multicast MAC',
      { network: { network: 'default', mac: '53:54:00:12:34:56' } },
      'network.mac: "53:54:00:12:34:56" is a multicast address (odd first byte); a NIC needs a unicast one, e.g. 52:54:00:…',
    ],
    [
      'an all-zero MAC',
      { network: { network: 'default', mac: '00:00:00:00:00:00' } },
      'network.mac: "00:00:00:00:00:00" is all zeros, which QEMU treats as unset and replaces',
    ],
    [
      'one MAC on two NICs',
      {
        network: [
          { network: 'default', mac: '52:54:00:00:00:01' },
          { bridge: 'br0', mac: '52:54:00:00:00:01' },
        ],
      },
      "network[1].mac: is also network[0].mac's",
    ],
    [
      'an empty CPU feature name',
      { cpu: { cores: 2, features: { '': 'require' } } },
      'cpu.features[""]: is not a CPU feature name (letters, digits, "_", "-", ".", as in /proc/cpuinfo: "topoext")',
    ],
    [
      'an odd CPU feature name',
      { cpu: { cores: 2, features: { 'top oext': 'require' } } },
      'cpu.features["top oext"]: is not a CPU feature name (letters, digits, "_", "-", ".", as in /proc/cpuinfo: "topoext")',
    ],
    [
      'a disk serial libvirt’s schema refuses',
      { disks: [disk('/a.img', { serial: 'a,b' })] },
      'disks[0].serial: "a,b" is not a disk serial (letters, digits, space, "_", ".", "+", "-")',
    ],
    ['an empty title', { title: '' }, 'title: is empty (libvirt refuses an empty title: leave it out)'],
    [
      'one device as keyboard and mouse',
      { evdev: { keyboard: '/dev/input/event3', mouse: '/dev/input/event3' } },
      'evdev.mouse: is the same device as evdev.keyboard: QEMU can grab an input device once',
    ],
    [
      'memory that is not whole 1 GiB pages',
      { memory: 4000, hugepages: '1G' },
      "memory: 4000 MiB is not a whole number of 1 GiB hugepages (hugepages: '1G')",
    ],
    [
      'memory that is not whole 2 MiB pages',
      { memory: 4001, hugepages: true },
      'memory: 4001 MiB is not a whole number of 2 MiB hugepages (hugepages: true, the usual 2 MiB pages)',
    ],
    [
      'a CD-ROM on virtio (found by the libvirt property test)',
      { disks: [disk('/win.iso', { device: 'cdrom', bus: 'virtio' })] },
      'disks[0].bus: "virtio" cannot carry a CD-ROM (libvirt: no ejectable media on virtio-blk): use "sata" or "scsi"',
    ],
    [
      'SPICE audio without a SPICE display (found by the libvirt property test)',
      { sound: { audio: { type: 'spice' } }, display: 'vnc' },
      `sound.audio.type: "spice" sends sound over SPICE, which needs display: 'spice' (display is 'vnc')`,
    ],
    [
      'a Hyper-V enlightenment without the ones QEMU requires with it',
      { hyperv: { features: ['relaxed', 'stimer', 'time'] } },
      'hyperv.features: "stimer" needs "vpindex", "synic" as well (QEMU refuses to start without)',
    ],
    [
      'multiqueue on an emulated NIC',
      { network: { network: 'default', model: 'e1000e', queues: 4 } },
      'network.queues: multiqueue is a virtio feature; model "e1000e" has one queue',
    ],
    [
      'more virtio-scsi queues than QEMU has',
      { scsi: { queues: 1023 } },
      'scsi.queues: 1023 is not a whole number from 1 to 1022',
    ],
  ])('refuses %s', (_what, fields, message) => {
    expect(problems({ ...base, ...fields })).toEqual([message]);
  });

  it.each<[string, object]>([
    ['288 vCPUs', { cpu: { sockets: 2, cores: 72, threads: 2 } }],
    ['memory at libvirt’s limit', { memory: 8796093022207 }],
    ['a 12-character vendor id', { hyperv: { vendorId: 'Nvidia43FIX!' } }],
    ["the guide's four enlightenments", { hyperv: { features: ['relaxed', 'vapic', 'spinlocks', 'time'] } }],
    [
      'a 15-character tap name and a unicast MAC',
      { network: { bridge: 'br0', tap: 'gaming-vm-tap-1', mac: '52:54:00:ab:cd:ef' } },
    ],
    ['a versioned q35 machine', { machine: 'pc-q35-7.2' }],
    ["RHEL's q35 machine", { machine: 'pc-q35-rhel9.2.0' }],
    [
      'i440fx, with IDE, UEFI and 255 vCPUs',
      {
        machine: 'pc',
        firmware: 'efi',
        cpu: { sockets: 1, cores: 255 },
        disks: [disk('/a.img', { bus: 'ide' })],
      },
    ],
    ['an old versioned i440fx machine', { machine: 'pc-1.0' }],
    [
      'one ISO in two CD-ROMs (read-only: QEMU shares the lock; a VM with them started on libvirt 9.0)',
      { disks: [disk('/a.iso', { device: 'cdrom' }), disk('/a.iso', { device: 'cdrom' })] },
    ],
    [
      'two i440fx GPUs on slots of their own',
      { machine: 'pc-i440fx-7.2', gpu: [{ host: '02:00.0' }, { host: '03:00.0', slot: 0x1f }] },
    ],
    [
      'cpusets with exclusions and CPU 16383',
      { cpu: { cores: 2, pin: ['0-3,^1', 16383], emulatorPin: '0-1' } },
    ],
    [
      'a GPU with explicit functions and another function in pci',
      { gpu: { host: '02:00.0', functions: [0] }, pci: ['02:00.1'] },
    ],
    [
      'distinct boot orders and root ports',
      {
        disks: [disk('/a.img', { boot: 2 }), disk('/b.iso', { device: 'cdrom', boot: 1 })],
        gpu: [
          { host: '02:00.0', rootPort: { slot: 2, chassis: 1, port: 16 } },
          { host: '03:00.0', rootPort: { slot: 3, chassis: 2, port: 17 } },
        ],
      },
    ],
  ])('accepts %s', (_what, fields) => {
    expect(problems({ ...base, ...fields })).toEqual([]);
  });
});
