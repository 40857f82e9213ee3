/**
 * Firmware, tuning knobs, extra device nodes and ROM files, libvirt (research §4 "Also worth
 * checking", items 7 and Looking Glass kvmfr).
 */
import type { HostNeeds } from '../needs.js';
import type { DoctorEnv } from './env.js';
import { fail, ok, warn, type Finding } from './finding.js';

export function checkFirmware(env: Pick<DoctorEnv, 'ovmfCode' | 'firmwareDescriptors'>): Finding[] {
  if (env.ovmfCode || env.firmwareDescriptors.length > 0) {
    const what = env.ovmfCode
      ? '/usr/share/OVMF/OVMF_CODE_4M.fd'
      : `${env.firmwareDescriptors.length} firmware descriptor(s) in /usr/share/qemu/firmware`;
    return [ok('ovmf', `UEFI firmware is installed (${what})`)];
  }
  return [
    fail(
      'ovmf',
      'no OVMF (UEFI firmware) is installed',
      "a passed-through GPU needs UEFI boot (firmware: 'efi')",
      'apt-get install ovmf (Fedora: edk2-ovmf)',
    ),
  ];
}

export function checkTuning(
  env: Pick<DoctorEnv, 'clocksource' | 'ignoreMsrs' | 'splitLockMitigate'>,
): Finding[] {
  const findings: Finding[] = [];
  if (env.clocksource === 'hpet') {
    findings.push(
      warn(
        'clocksource',
        'the host clocksource is hpet',
        'HPET is slow to read: it cripples VM performance',
        'find out why tsc was rejected (dmesg | grep -i clocksource); boot with tsc=reliable only if the TSC is known good',
      ),
    );
  }
  if (env.ignoreMsrs === 'N') {
    findings.push(
      warn(
        'ignore-msrs',
        'kvm.ignore_msrs is off',
        'Windows 10 1803+ with host-passthrough can crash or boot-loop on MSRs KVM does not emulate',
        'echo "options kvm ignore_msrs=1 report_ignored_msrs=0" > /etc/modprobe.d/kvm.conf, then reload kvm or reboot',
      ),
    );
  }
  if (env.splitLockMitigate === '1') {
    findings.push(
      warn(
        'split-lock',
        'kernel.split_lock_mitigate is 1',
        'games that split-lock are slowed down on purpose, and GPU timeouts follow',
        'sysctl kernel.split_lock_mitigate=0 (and in /etc/sysctl.d/)',
      ),
    );
  }
  return findings;
}

export function checkNeededFiles(
  env: Pick<DoctorEnv, 'live' | 'deviceNodes' | 'roms'>,
  needs: HostNeeds | undefined,
): Finding[] {
  if (!needs) return [];
  const findings: Finding[] = [];
  for (const { path, node } of env.deviceNodes) {
    const id = `node:${path}`;
    if (!node.present)
      findings.push(
        fail(
          id,
          `${path} does not exist`,
          'QEMU opens it at start',
          'load the module that creates it (e.g. modprobe kvmfr static_size_mb=64) before starting the VM',
        ),
      );
    else if (env.live && node.charDevice === false)
      findings.push(
        fail(
          id,
          `${path} is a regular file, not a device`,
          'something wrote to the path before the module created the device',
          `rm ${path}, then reload the module`,
        ),
      );
    else findings.push(ok(id, `${path} is present`));
  }
  for (const rom of env.roms) {
    const id = `rom:${rom.path}`;
    if (!rom.exists)
      findings.push(
        fail(
          id,
          `ROM file ${rom.path} does not exist`,
          'QEMU fails to start without it',
          'dump the ROM or fix gpu.rom',
        ),
      );
    else if (rom.signature === false)
      findings.push(
        warn(
          id,
          `ROM file ${rom.path} does not start with 0x55AA`,
          'QEMU reports "Invalid PCI ROM header signature"; an NVIDIA dump may still carry the nvflash header',
          'strip the header or dump the ROM again',
        ),
      );
    else findings.push(ok(id, `ROM file ${rom.path} is present`));
  }
  return findings;
}

export function checkLibvirt(env: Pick<DoctorEnv, 'libvirt'>): Finding[] {
  if (!env.libvirt) return [];
  if (env.libvirt.ok)
    return [
      ok('libvirt', `libvirt answers${env.libvirt.version ? ` (version ${env.libvirt.version})` : ''}`),
    ];
  const denied = env.libvirt.kind === 'access-denied';
  return [
    fail(
      'libvirt',
      denied
        ? `libvirt refused this user: ${env.libvirt.error ?? 'access denied'}`
        : `libvirt does not answer: ${env.libvirt.error ?? 'unknown error'}`,
      'virt-gen defines the VM through libvirt',
      denied
        ? 'join the libvirt group: sudo usermod -aG libvirt $USER, then log in again (or run as root)'
        : 'start libvirtd (systemctl start libvirtd) and check --connect',
    ),
  ];
}
