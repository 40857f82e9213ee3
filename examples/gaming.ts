/**
 * The guide's VM ("Non-root GPU passthrough setup", 2016), item by item, under libvirt.
 * `virt-gen xml examples/gaming.ts` prints a domain equivalent to the guide's qemu-start.sh
 * (rows 1–22 of EQUIVALENCE.md). Paths are the guide's; adjust them to your machine.
 */
import { defineVm } from 'virt-gen';

export default defineVm({
  name: 'gaming',
  // -m 4000, -mem-prealloc -mem-path /dev/hugepages
  memory: 4000,
  hugepages: true,
  // -smp 8,sockets=1,cores=4,threads=2; `taskset -c 0-7` pinned QEMU to host CPUs 0-7
  cpu: {
    sockets: 1,
    cores: 4,
    threads: 2,
    pin: [0, 1, 2, 3, 4, 5, 6, 7],
    emulatorPin: '0-7',
  },
  // -cpu host,kvm=off,hv_relaxed,hv_vapic,hv_spinlocks=0x1fff,hv_time,hv_vendor_id=Nvidia43FIX
  kvmHidden: true,
  hyperv: {
    features: ['relaxed', 'vapic', 'spinlocks', 'time'],
    spinlocks: 0x1fff,
    vendorId: 'Nvidia43FIX',
  },
  // Two pflash drives: OVMF code (read-only) and a copy of the variable store.
  firmware: {
    loader: '/usr/share/OVMF/OVMF_CODE_4M.fd',
    varsTemplate: '/usr/share/OVMF/OVMF_VARS_4M.fd',
  },
  // -device ioh3420,bus=pcie.0,addr=1c.0,multifunction=on,port=1,chassis=1,id=root.1
  // -device vfio-pci,host=02:00.0,bus=root.1,addr=00.0,multifunction=on
  // -device vfio-pci,host=02:00.1,bus=root.1,addr=00.1
  gpu: {
    host: '02:00.0',
    functions: [0, 1],
    rootPort: { model: 'ioh3420', slot: 0x1c, chassis: 1, port: 1, multifunction: true },
  },
  // -object iothread,id=io1; -device virtio-scsi-pci,ioeventfd=on,iothread=io1,num_queues=4
  iothreads: 1,
  scsi: { queues: 4, iothread: true, ioeventfd: true },
  disks: [
    // -drive if=none,file=/dev/bcache/…,format=raw,aio=native,cache=none,discard=unmap + scsi-hd
    {
      path: '/dev/bcache/by-uuid/84ea4a08-eed7-4651-93b6-24d5ed6d570a',
      bus: 'scsi',
      format: 'raw',
      cache: 'none',
      io: 'native',
      discard: 'unmap',
    },
    // -cdrom …/windows_10_professional.iso: on q35 that is the AHCI's port 2, which the guest knows as sdc
    { path: '/home/user/vm/windows_10_professional.iso', device: 'cdrom', target: 'sdc' },
  ],
  // The final, unprivileged VM: -vga none -nographic (use 'spice' while installing, as the guide's -vga qxl)
  display: 'none',
  // -usb -usbdevice host:046d:c051 -usbdevice host:046d:c316
  usb: ['046d:c051', '046d:c316'],
  // -soundhw hda with QEMU_AUDIO_DRV=pa
  sound: { model: 'ich6', audio: { type: 'pulseaudio' } },
  // -device virtio-net,mac=de:ad:be:ef:33:4a + -netdev tap,ifname=vmtap0 (qemu-ifup adds it to br0)
  network: { bridge: 'br0', mac: 'de:ad:be:ef:33:4a', model: 'virtio', tap: 'vmtap0' },
  // -global isa-debugcon.iobase=0x402 -debugcon file:… (OVMF debug log): libvirt has no element for it.
  qemuArgs: ['-global', 'isa-debugcon.iobase=0x402', '-debugcon', 'file:/tmp/qemu_vga.ovmf.log'],
});
