/**
 * The environment prefix (`NAME=value … qemu-system-x86_64`): what libvirt sets itself is dropped,
 * what a mapper read (audio, Ceph monitors, the SDL display) is already carried over, and the rest
 * is kept as `<qemu:env>`.
 */
import type { ImportContext } from '../context.js';

/** Set by libvirt for every QEMU it starts, or describing the user's shell, not the guest. */
const LIBVIRT_ENV = /^(LC_ALL|LANG|PATH|HOME|USER|LOGNAME|SHELL|TMPDIR|XDG_[A-Z_]+|DISPLAY|XAUTHORITY)$/;

/** Set by libvirt from a qemu.conf setting. */
const QEMU_CONF_ENV: Record<string, string> = { SASL_CONF_PATH: 'vnc_sasl_dir or spice_sasl_dir' };

export function mapEnvironment(ctx: ImportContext): void {
  for (const { name, value } of ctx.command.env) {
    if (ctx.envWasUsed(name) || LIBVIRT_ENV.test(name)) continue;
    const setting = QEMU_CONF_ENV[name];
    if (setting) {
      ctx.warn(
        `environment ${name}=${value}: libvirt sets it from qemu.conf (${setting}); not part of the domain`,
      );
      continue;
    }
    ctx.qemuEnv.push({ name, value });
    ctx.warn(`environment ${name}=${value}: kept as <qemu:env> (no libvirt equivalent known)`);
  }
}
