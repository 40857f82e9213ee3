/** /dev/kvm present, a device, and open to the QEMU user; the CPU has VT-x/AMD-V. */
import type { HostFacts } from '../facts.js';
import type { DoctorEnv } from './env.js';
import { fail, ok, warn, type Finding } from './finding.js';

export function checkKvm(facts: HostFacts, env: Pick<DoctorEnv, 'live'>): Finding[] {
  const flags = facts.cpuInfo.flags;
  const virt = flags.includes('vmx') || flags.includes('svm');
  const findings: Finding[] = [];
  if (!facts.kvm.present) {
    findings.push(
      fail(
        'kvm',
        '/dev/kvm does not exist',
        'without KVM, QEMU emulates the CPU: far too slow for a gaming VM, and libvirt refuses type="kvm" domains',
        virt
          ? 'load the module: modprobe kvm_intel (Intel) or kvm_amd (AMD); check that virtualization is enabled in the firmware setup'
          : 'enable VT-x/AMD-V (SVM) in the firmware setup, then modprobe kvm_intel or kvm_amd',
      ),
    );
  } else if (env.live && facts.kvm.charDevice === false) {
    findings.push(
      fail(
        'kvm',
        '/dev/kvm is not a character device',
        'QEMU cannot use a plain file as KVM',
        'remove it and reload the kvm module (modprobe -r kvm_intel; modprobe kvm_intel)',
      ),
    );
  } else if (env.live && facts.kvm.mode !== undefined && (facts.kvm.mode & 0o066) === 0) {
    findings.push(
      warn(
        'kvm',
        `/dev/kvm has mode ${facts.kvm.mode.toString(8)}: only its owner can open it`,
        "QEMU runs as libvirt's unprivileged user (group kvm) and must open /dev/kvm",
        'chgrp kvm /dev/kvm && chmod 0660 /dev/kvm (udev does this on a normal host: check the udev rules)',
      ),
    );
  } else {
    findings.push(ok('kvm', '/dev/kvm is present'));
  }
  if (!virt) {
    findings.push(
      warn(
        'cpu-virt',
        'the CPU flags show neither vmx nor svm',
        'KVM needs hardware virtualization (nested inside a VM it needs the host to expose it)',
        'enable VT-x/AMD-V in the firmware setup',
      ),
    );
  }
  return findings;
}
