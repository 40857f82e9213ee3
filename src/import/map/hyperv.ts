/**
 * Hyper-V enlightenments on `-cpu`, in every spelling QEMU has accepted: `hv_relaxed`, `hv-relaxed`,
 * `hv-relaxed=on`, `+hv-relaxed`, `hv_spinlocks=0x1fff`, `hv_vendor_id=Nvidia43FIX`, `hv-passthrough`.
 */
import type { DomainFeatureHyperV } from '../../domain/model.js';
import type { ImportContext } from '../context.js';
import type { PropEntry, Props } from '../options.js';
import { flagState } from './cpu.js';

type Simple = Exclude<keyof DomainFeatureHyperV, 'mode' | 'spinlocks' | 'stimer' | 'vendor_id' | '$extra'>;

/** QEMU's `hv-<name>` -> libvirt's `<hyperv>` child, for the on/off ones. */
const SIMPLE: Record<string, Simple> = {
  relaxed: 'relaxed',
  vapic: 'vapic',
  vpindex: 'vpindex',
  runtime: 'runtime',
  synic: 'synic',
  reset: 'reset',
  frequencies: 'frequencies',
  reenlightenment: 'reenlightenment',
  tlbflush: 'tlbflush',
  ipi: 'ipi',
  evmcs: 'evmcs',
  avic: 'avic',
};

/**
 * Enlightenments libvirt 9.0 (Debian 12, the reference host) has no element for: keeping them would
 * make the domain fail to define there, so they are reported instead.
 */
const NEWER_LIBVIRT: Record<string, string> = {
  'emsr-bitmap': '<emsr_bitmap/>',
  'xmm-input': '<xmm_input/>',
  'tlbflush-direct': '<tlbflush><direct/>',
  'tlbflush-ext': '<tlbflush><extended/>',
};

/** True for `hv_x`, `hv-x` (with or without a value). */
export function isHypervFlag(name: string): boolean {
  return /^hv[-_]/.test(name);
}

/** libvirt's minimum for `<spinlocks retries>`. */
const MIN_SPINLOCK_RETRIES = 4095;

export function mapHyperv(ctx: ImportContext, p: Props, entries: PropEntry[]): void {
  if (!entries.length) return;
  const hv: DomainFeatureHyperV = {};
  for (const e of entries) hypervEntry(ctx, p, e, e.key.replace(/^[+-]/, '').slice(3).replace(/_/g, '-'), hv);
  const keys = Object.keys(hv).filter((k) => k !== 'mode');
  if (hv.mode === 'passthrough' || keys.length) {
    hv.mode ??= 'custom';
    (ctx.domain.features ??= {}).hyperv = hv;
  }
}

/** Maps one enlightenment; false when it is left unused (reported by the caller's reportUnused). */
function hypervEntry(
  ctx: ImportContext,
  p: Props,
  e: PropEntry,
  name: string,
  hv: DomainFeatureHyperV,
): boolean {
  const simple = SIMPLE[name];
  if (simple) {
    hv[simple] = { state: flagState(p, e) };
    return true;
  }
  switch (name) {
    case 'spinlocks': {
      const retries = p.int(e.key);
      if (retries === undefined || retries < MIN_SPINLOCK_RETRIES || retries > 0xffffffff) {
        throw p.error(e.key, `expected a retry count from ${MIN_SPINLOCK_RETRIES} (0xfff) to 0xffffffff`);
      }
      hv.spinlocks = { state: true, retries };
      return true;
    }
    case 'vendor-id':
      return vendorId(p, e, hv);
    case 'stimer':
      hv.stimer = { ...hv.stimer, state: flagState(p, e) };
      return true;
    case 'stimer-direct':
      hv.stimer = { state: true, ...hv.stimer, direct: { state: flagState(p, e) } };
      return true;
    case 'passthrough':
      if (flagState(p, e)) hv.mode = 'passthrough';
      return true;
    case 'time':
      ((ctx.domain.clock ??= {}).timer ??= []).push({ name: 'hypervclock', present: flagState(p, e) });
      return true;
    case 'crash':
      if (flagState(p, e)) panic(ctx);
      return true;
  }
  const newer = NEWER_LIBVIRT[name];
  if (newer) {
    p.ignore(e.key);
    ctx.warn(
      `-cpu ${e.key}: not carried over: its element ${newer} is newer than libvirt 9.0, the reference host`,
    );
  }
  return false;
}

/** `hv_vendor_id=Nvidia43FIX`: libvirt takes at most 12 characters, as KVM does. */
function vendorId(p: Props, e: PropEntry, hv: DomainFeatureHyperV): boolean {
  const value = p.str(e.key) ?? '';
  if (value === '' || value.length > 12) {
    throw p.error(e.key, `expected a vendor id of 1 to 12 characters, found '${value}'`);
  }
  hv.vendor_id = { state: true, value };
  return true;
}

/** `hv_crash`: the guest reports its crashes through the Hyper-V crash MSRs: `<panic model='hyperv'/>`. */
function panic(ctx: ImportContext): void {
  if (!ctx.list('panic').some((p) => p.model === 'hyperv')) ctx.add('panic', { model: 'hyperv' });
}
