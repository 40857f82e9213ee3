/** Memory sizes: a number is MiB; strings carry a unit (binary prefixes, as libvirt and QEMU use them). */

const UNIT_MIB: Record<string, number> = {
  k: 1 / 1024,
  kib: 1 / 1024,
  m: 1,
  mib: 1,
  mb: 1,
  g: 1024,
  gib: 1024,
  gb: 1024,
  t: 1024 * 1024,
  tib: 1024 * 1024,
};

/** `16384`, `'16 GiB'`, `'4000M'` -> MiB; undefined when it is not a whole number of MiB. */
export function parseSizeMiB(value: unknown): number | undefined {
  if (typeof value === 'number') return Number.isInteger(value) && value > 0 ? value : undefined;
  if (typeof value !== 'string') return undefined;
  const m = /^\s*(\d+(?:\.\d+)?)\s*([a-z]*)\s*$/i.exec(value);
  if (!m) return undefined;
  const factor = UNIT_MIB[(m[2] || 'm').toLowerCase()];
  if (factor === undefined) return undefined;
  const mib = Number(m[1]) * factor;
  return Number.isInteger(mib) && mib > 0 ? mib : undefined;
}
