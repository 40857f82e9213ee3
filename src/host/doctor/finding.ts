/** A doctor finding: what was checked, why it matters, and how to fix it. */
export type FindingStatus = 'ok' | 'warn' | 'fail';

export interface Finding {
  /** Stable id, e.g. `iommu`, `gpu-driver:0000:02:00.0`. */
  id: string;
  status: FindingStatus;
  /** What was found, in one sentence. */
  what: string;
  /** Why it matters (empty for ok findings). */
  why: string;
  /** What to do (empty for ok findings). */
  fix: string;
}

export const ok = (id: string, what: string): Finding => ({ id, status: 'ok', what, why: '', fix: '' });
export const warn = (id: string, what: string, why: string, fix: string): Finding => ({
  id,
  status: 'warn',
  what,
  why,
  fix,
});
export const fail = (id: string, what: string, why: string, fix: string): Finding => ({
  id,
  status: 'fail',
  what,
  why,
  fix,
});
