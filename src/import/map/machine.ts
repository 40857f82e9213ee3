/**
 * Machine and accelerator: `-machine`/`-M`, `-accel`, `-enable-kvm`, `-no-kvm`, `-no-acpi`, the
 * binary (architecture and `<emulator>`), and the machine properties that are domain features.
 */
import type { DomainKeyWrap } from '../../domain/model.js';
import type { Opt } from '../argv.js';
import type { ImportContext } from '../context.js';
import { MACHINE_NAME, PVE_SUFFIX } from '../limits.js';
import { archOfEmulator } from '../../config/vocabulary.js';
import type { Props } from '../options.js';

/** Architecture from the binary name, as the config reads its `emulator`; x86_64 without one. */
export function archOfBinary(binary: string | undefined): string {
  return binary ? archOfEmulator(binary) : 'x86_64';
}

/** Default machine per architecture, when the command line gives none (QEMU's default). */
const DEFAULT_MACHINE: Record<string, string> = {
  x86_64: 'pc',
  i686: 'pc',
  ppc64: 'pseries',
  ppc64le: 'pseries',
  aarch64: 'virt',
  s390x: 's390-ccw-virtio',
};

export function mapMachine(ctx: ImportContext): void {
  const binary = ctx.command.binary?.value;
  ctx.arch = archOfBinary(binary);
  const os = (ctx.domain.os ??= {});
  let accel: string | undefined;
  let machine: string | undefined;
  for (const opt of ctx.take('-machine')) {
    const p = ctx.props(opt);
    machine = machineName(ctx, opt, p.str('type')) ?? machine;
    accel = p.str('accel') ?? accel;
    machineFeatures(ctx, p);
    ctx.reportUnused(opt, p);
  }
  accel = mapAccel(ctx) ?? accel;
  if (ctx.take('-enable-kvm').length) accel = accel ?? 'kvm';
  if (ctx.take('-no-kvm').length) accel = 'tcg';
  // qemu-kvm and kvm are QEMU built or wrapped to start with KVM on.
  const kvmBinary = !!binary && /(^|\/)(qemu-kvm|kvm)$/.test(binary);
  ctx.domain.type = (accel?.split(':')[0] ?? (kvmBinary ? 'kvm' : undefined)) === 'kvm' ? 'kvm' : 'qemu';
  os.type = { arch: ctx.arch, machine: machine ?? DEFAULT_MACHINE[ctx.arch] ?? 'pc', value: 'hvm' };
  // The binary's path belongs to the machine the command ran on: libvirt picks its own QEMU for
  // the architecture, as virt-install does, and refuses a path that is not there.
  if (binary?.includes('/'))
    ctx.warn(
      `${binary}: libvirt starts its own QEMU for ${ctx.arch}; add <emulator> (config: emulator) to choose one`,
    );
  if (ctx.take('-no-acpi').length) acpi(ctx, false);
  else if (!ctx.domain.features || !('acpi' in ctx.domain.features)) acpi(ctx, true);
  if (ctx.take('-no-hpet').length)
    ((ctx.domain.clock ??= {}).timer ??= []).push({ name: 'hpet', present: false });
}

function acpi(ctx: ImportContext, on: boolean): void {
  const features = (ctx.domain.features ??= {});
  if (on && /^(x86_64|i686|aarch64)$/.test(ctx.arch)) features.acpi = {};
  else delete features.acpi;
}

/** `-accel kvm,dirty-ring-size=4096`; returns the first accelerator named. */
function mapAccel(ctx: ImportContext): string | undefined {
  let first: string | undefined;
  for (const opt of ctx.take('-accel')) {
    const p = ctx.props(opt);
    const name = p.str('accel');
    first ??= name;
    const ring = p.int('dirty-ring-size');
    if (ring !== undefined)
      ((ctx.domain.features ??= {}).kvm ??= {})['dirty-ring'] = { state: true, size: ring };
    ctx.reportUnused(opt, p);
  }
  return first;
}

/** Machine properties that libvirt spells as domain features or elsewhere. */
function machineFeatures(ctx: ImportContext, p: Props): void {
  const features = (ctx.domain.features ??= {});
  const acpiOn = p.bool('acpi');
  if (acpiOn !== undefined) acpi(ctx, acpiOn);
  const vmport = p.bool('vmport');
  if (vmport !== undefined) features.vmport = { state: vmport };
  const smm = p.bool('smm');
  if (smm !== undefined) features.smm = { state: smm };
  if (p.str('kernel_irqchip') === 'split' || p.str('kernel-irqchip') === 'split')
    features.ioapic = { driver: 'qemu' };
  const hpet = p.bool('hpet');
  if (hpet !== undefined) ((ctx.domain.clock ??= {}).timer ??= []).push({ name: 'hpet', present: hpet });
  if (p.bool('mem-merge') === false) (ctx.domain.memoryBacking ??= {}).nosharepages = {};
  if (p.bool('dump-guest-core') === true) (ctx.domain.memory ??= {}).dumpCore = true;
  keyWrap(ctx, p);
  // Chosen by libvirt for every domain, or read by other mappers (memory, firmware, sound).
  p.ignore('usb', 'memory-backend', 'pflash0', 'pflash1', 'pcspk-audiodev');
}

/** s390 `aes-key-wrap`/`dea-key-wrap` -> `<keywrap><cipher name='aes' state='on'/>`. */
function keyWrap(ctx: ImportContext, p: Props): void {
  const cipher: NonNullable<DomainKeyWrap['cipher']> = [];
  for (const name of ['aes', 'dea'] as const) {
    const on = p.bool(`${name}-key-wrap`);
    if (on !== undefined) cipher.push({ name, state: on });
  }
  if (cipher.length) ctx.domain.keywrap = { cipher };
}

/**
 * A machine type as libvirt's schema takes it. Proxmox's `+pveN` (its QEMU's patch level) is dropped:
 * the machine is the upstream one of that version.
 */
function machineName(ctx: ImportContext, opt: Opt, type: string | undefined): string | undefined {
  if (type === undefined) return undefined;
  let name = type;
  if (PVE_SUFFIX.test(name)) {
    name = name.replace(PVE_SUFFIX, '');
    ctx.warn(
      `machine '${type}' read as '${name}' (Proxmox's +pve suffix names its QEMU build, not a machine)`,
    );
  }
  if (!MACHINE_NAME.test(name))
    throw ctx.error(opt, `machine type '${type}' is not a machine name (letters, digits, '.', '_', '-')`);
  return name;
}
