/**
 * Firmware and direct kernel boot: OVMF as two pflash drives (`-drive if=pflash` or `-blockdev`
 * nodes named by `-machine pflash0=/pflash1=`), Secure Boot (`cfi.pflash01` secure), `-bios`, and
 * `-kernel`/`-initrd`/`-append`/`-dtb`.
 *
 * The guide's second pflash is a VARS file the user copied by hand. libvirt keeps a per-domain copy of
 * the VARS itself (created from `<nvram template>` at first start), so a VARS file outside libvirt's
 * nvram directory becomes that template: the domain starts from the user's current variables.
 */
import type { DomainOS } from '../../domain/model.js';
import type { Opt } from '../argv.js';
import type { ImportContext } from '../context.js';
import { blockdevBackend } from './blockdev.js';

const LIBVIRT_NVRAM_DIR = /^\/var\/lib\/libvirt\/qemu\/nvram\//;

interface Flash {
  path: string;
  readonly: boolean;
  format?: string;
}

export function mapFirmware(ctx: ImportContext): void {
  const flashes = [...pflashDrives(ctx), ...pflashBlockdevs(ctx)];
  const os = (ctx.domain.os ??= {});
  const [code, vars] = flashes;
  if (code) {
    os.loader = { readonly: code.readonly, type: 'pflash', path: code.path };
    if (secureBoot(ctx)) os.loader.secure = true;
  }
  if (vars) os.nvram = nvram(ctx, vars);
  for (const extra of flashes.slice(2))
    ctx.warn(`pflash '${extra.path}': a third flash image has no libvirt equivalent; not carried over`);
  const bios = ctx.take('-bios').pop();
  if (bios?.value && !code) os.loader = { type: 'rom', path: bios.value };
  kernelBoot(ctx, os);
}

function nvram(ctx: ImportContext, vars: Flash): NonNullable<DomainOS['nvram']> {
  if (LIBVIRT_NVRAM_DIR.test(vars.path)) return { path: vars.path };
  ctx.warn(
    `pflash '${vars.path}': becomes the <nvram template>; libvirt copies it to its own per-domain NVRAM file ` +
      'at the first start, and the guest changes that copy',
  );
  return { template: vars.path };
}

/** `-drive if=pflash,format=raw,readonly(=on),file=…[,unit=N]`, in unit (else command-line) order. */
function pflashDrives(ctx: ImportContext): Flash[] {
  const found: { unit: number; flash: Flash; opt: Opt }[] = [];
  for (const opt of ctx.find('-drive')) {
    const p = ctx.props(opt);
    if (p.str('if') !== 'pflash') continue;
    opt.consumed = true;
    const file = p.str('file');
    if (file === undefined) throw ctx.error(opt, 'a pflash drive needs file=');
    const path = ctx.absolutePath(opt, file);
    const format = p.str('format');
    const unit = p.int('unit') ?? p.int('index') ?? found.length;
    found.push({
      unit,
      opt,
      flash: { path, readonly: p.bool('readonly') ?? false, ...(format ? { format } : {}) },
    });
    p.ignore('if', 'id');
    ctx.reportUnused(opt, p);
  }
  return found.sort((a, b) => a.unit - b.unit).map((f) => f.flash);
}

/** `-machine pflash0=NODE,pflash1=NODE` over `-blockdev` chains (libvirt's own form). */
function pflashBlockdevs(ctx: ImportContext): Flash[] {
  const machine = ctx.opts.find((o) => o.name === '-machine' && o.value !== undefined);
  if (!machine) return [];
  const flashes: Flash[] = [];
  for (const key of ['pflash0', 'pflash1']) {
    const node = ctx.props(machine).str(key);
    if (!node) continue;
    const backend = blockdevBackend(ctx, node);
    const source = backend?.info?.source;
    const path = source?.file ?? source?.dev;
    if (!backend || !path) {
      ctx.warn(`-machine ${key}=${node}: no -blockdev '${node}' with a local file; not carried over`);
      continue;
    }
    for (const o of backend.opts) o.consumed = true;
    flashes.push({ path, readonly: backend.readonly ?? false });
  }
  return flashes;
}

/** `-global driver=cfi.pflash01,property=secure,value=on` or `-global cfi.pflash01.secure=on`. */
function secureBoot(ctx: ImportContext): boolean {
  let secure = false;
  for (const opt of ctx.find('-global')) {
    const v = opt.value ?? '';
    if (
      /^cfi\.pflash01\.secure=(on|1|true)$/.test(v) ||
      /^driver=cfi\.pflash01,property=secure,value=(on|1|true)$/.test(v)
    ) {
      opt.consumed = true;
      secure = true;
    }
  }
  return secure;
}

/** `-kernel`, `-initrd`, `-append`, `-dtb` -> `<os><kernel/><initrd/><cmdline/><dtb/>`. */
function kernelBoot(ctx: ImportContext, os: DomainOS): void {
  const names = { '-kernel': 'kernel', '-initrd': 'initrd', '-append': 'cmdline', '-dtb': 'dtb' } as const;
  for (const opt of ctx.take(...Object.keys(names))) {
    // As in QEMU, a repeated option means the last one.
    os[names[opt.name as keyof typeof names]] = { value: opt.value ?? '' };
  }
}
