/**
 * What libvirt writes on every command line it generates, or decides itself: understood, and not
 * carried over (libvirt adds it again). The monitor is libvirt's too: a user's `-monitor` is noted.
 */
import type { Opt } from '../argv.js';
import type { ImportContext } from '../context.js';

/** Options libvirt always sets itself. */
const LIBVIRT_OPTIONS = [
  '-S',
  '-no-user-config',
  '-nodefaults',
  '-no-shutdown',
  '-msg',
  '-sandbox',
  '-pidfile',
  '-daemonize',
];

export function mapInternal(ctx: ImportContext): void {
  ctx.take(...LIBVIRT_OPTIONS);
  masterKey(ctx);
  libvirtMonitor(ctx);
  for (const opt of ctx.take('-monitor', '-qmp')) {
    ctx.warn(
      `${opt.written} ${opt.value ?? ''} (argument ${opt.index}): libvirt owns the monitor; use 'virsh qemu-monitor-command --hmp' instead`,
    );
  }
  for (const opt of ctx.take('-serial', '-parallel')) {
    if (opt.value === 'none') continue;
    opt.consumed = false;
  }
  for (const opt of ctx.find('-net')) if (opt.value === 'none') opt.consumed = true;
  for (const opt of ctx.take('-incoming')) {
    ctx.warn(
      `${opt.written} ${opt.value ?? ''}: incoming migration or restore is not part of a domain definition (use virsh restore)`,
    );
  }
  for (const opt of ctx.take('-runas', '-chroot')) {
    ctx.warn(
      `${opt.written} ${opt.value ?? ''}: libvirt runs QEMU as its own unprivileged user (qemu.conf); not carried over`,
    );
  }
}

/** The secret object libvirt passes its master key in. */
function masterKey(ctx: ImportContext): void {
  for (const opt of ctx.find('-object')) {
    const p = ctx.props(opt);
    if (p.str('qom-type') === 'secret' && p.str('id') === 'masterKey0') opt.consumed = true;
  }
}

/** `-chardev socket,id=charmonitor,…` + `-mon chardev=charmonitor,…`: libvirt's QMP monitor. */
function libvirtMonitor(ctx: ImportContext): void {
  for (const mon of ctx.take('-mon')) {
    const id = ctx.props(mon).str('chardev');
    const chardev: Opt | undefined = id === undefined ? undefined : ctx.lookup(['-chardev'], 'id', id);
    if (chardev) chardev.consumed = true;
    if (id !== 'charmonitor') ctx.warn(`-mon ${mon.value}: libvirt owns the monitor; not carried over`);
  }
}
