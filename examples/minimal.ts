/**
 * The smallest useful VM: no host devices, so it runs on any KVM host (virt-gen's own tests start it
 * to show that libvirt runs its QEMU unprivileged). No disks: it boots into the firmware shell.
 */
import { defineVm } from 'virt-gen';

export default defineVm({
  name: 'vg-minimal',
  memory: 256,
  cpu: { cores: 1 },
  firmware: 'bios',
  hyperv: false,
  display: 'none',
  network: false,
});
