/** doctor CONFIG: the files and devices the VM opens at start, and the USB devices it names. */
import type { DoctorEnv } from './env.js';
import { fail, ok, warn, type Finding } from './finding.js';

export function checkVmPaths(env: Pick<DoctorEnv, 'vmPaths'>): Finding[] {
  const report = env.vmPaths;
  if (!report) return [];
  const findings: Finding[] = [];
  for (const p of report.problems) {
    // A missing ROM has its own finding (rom:PATH, with the signature check).
    if (p.what === 'ROM file' && p.problem === 'missing') continue;
    const make = p.optional ? warn : fail;
    findings.push(
      make(
        `path:${p.path}`,
        p.message,
        p.optional
          ? "libvirt starts the VM without it (startupPolicy 'optional')"
          : 'QEMU opens it at start, as an unprivileged user: the VM does not start',
        p.fix,
      ),
    );
  }
  const good = report.checked.length - report.problems.length;
  if (report.checked.length > 0 && report.user === undefined) {
    findings.push(
      warn(
        'paths',
        `${good} file(s) of the VM exist; libvirt's QEMU user is not in /etc/passwd, so their permissions were not checked`,
        'QEMU opens them as that user',
        'install libvirt (it creates libvirt-qemu or qemu), or set user in qemu.conf',
      ),
    );
  } else if (good > 0) {
    findings.push(ok('paths', `${good} file(s) the VM opens are there and ${report.user} can reach them`));
  }
  for (const usb of report.absentUsb) {
    findings.push(
      warn(
        `usb:${usb}`,
        `USB device ${usb} is not plugged in`,
        'the VM starts without it only if its startupPolicy allows',
        'plug it in (lsusb lists what is there), or remove it from the config',
      ),
    );
  }
  return findings;
}
