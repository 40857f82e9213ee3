/**
 * A current Windows 11 gaming VM, as virt-gen recommends it (docs/config.md explains each choice):
 * UEFI chosen by libvirt, 1 GiB hugepages, vCPUs pinned to whole cores by reading the host, the GPU
 * with all its functions behind its own root port, evdev input, Looking Glass, PipeWire audio.
 */
import { defineVm } from 'virt-gen';

export default defineVm({
  name: 'win11-gaming',
  title: 'Windows 11 (GPU passthrough)',
  memory: '16 GiB',
  hugepages: '1G',
  cpu: { cores: 6, threads: 2, pin: 'auto' },
  hyperv: { vendorId: 'virtgen0000' },
  firmware: 'efi',
  secureBoot: true,
  tpm: true,
  gpu: { host: '01:00.0', rom: '/usr/share/vgabios/gpu.rom' },
  disks: [
    { path: '/dev/disk/by-id/nvme-Samsung_SSD_980_PRO_2TB_S6B0NL0W123456', boot: 1 },
    { path: '/var/lib/libvirt/images/virtio-win.iso', device: 'cdrom' },
  ],
  network: { network: 'default', queues: 4 },
  evdev: {
    keyboard: '/dev/input/by-id/usb-Logitech_USB_Receiver-event-kbd',
    mouse: '/dev/input/by-id/usb-Logitech_USB_Receiver-if02-event-mouse',
  },
  sound: {
    model: 'ich9',
    audio: { type: 'pulseaudio', server: '/run/user/1000/pulse/native', latency: 20000 },
  },
  lookingGlass: { sizeMiB: 64 },
});
