/**
 * `define` meets a hand-edited domain: find the base of the last define in the state directory,
 * check that it is the base of *this* domain (libvirt's hash in the stamp), and merge (merge.ts).
 * Without a trustworthy base there is nothing to merge with, and `define` refuses as before.
 */
import { parseXml, type XmlElement } from '../domain/index.js';
import { MergeConflictError } from './errors.js';
import { keepMadeUp } from './identity.js';
import { mergeDomains, type MergeResult } from './merge.js';
import { readBase } from './state.js';
import { domainHash, readStamp } from './stamp.js';
import { describe } from './terms.js';

export interface ThreeWay {
  /** What the config generates now, with the UUID, MACs and generation ID of the base. */
  generated: XmlElement;
  result: MergeResult;
}

/** What a merge did, for the report: one line per change. */
export interface MergeSummary {
  /** Config changes applied. */
  applied: string[];
  /** Hand edits kept. */
  kept: string[];
  /** Conflicts, settled by `resolved` when set. */
  conflicts: MergeResult['conflicts'];
  resolved?: 'ours' | 'theirs';
}

/** The base of the last define of `uuid`, if it is the one libvirt's hash in the stamp names. */
export async function trustedBase(
  stateDir: string,
  uuid: string,
  libvirtHash: string | undefined,
): Promise<{ libvirt: XmlElement; generated: XmlElement } | undefined> {
  const base = await readBase(stateDir, uuid);
  if (!base || libvirtHash === undefined) return undefined;
  const libvirt = parseXml(base.libvirt);
  // A record from some other define (another state dir, an older run) would mislead.
  if (domainHash(libvirt) !== libvirtHash) return undefined;
  return { libvirt, generated: parseXml(base.generated) };
}

export async function mergeWithBase(
  current: { el: XmlElement; info: { uuid: string } },
  generated: XmlElement,
  stateDir: string,
  resolve?: 'ours' | 'theirs',
): Promise<ThreeWay | undefined> {
  const base = await trustedBase(stateDir, current.info.uuid, readStamp(current.el)?.libvirt);
  if (!base) return undefined;
  const g1 = keepMadeUp(generated, base.generated);
  const result = mergeDomains(
    { baseLibvirt: base.libvirt, libvirt: current.el, baseGenerated: base.generated, generated: g1 },
    resolve,
  );
  return { generated: g1, result };
}

export function summary(merge: ThreeWay, resolve?: 'ours' | 'theirs'): MergeSummary {
  const { ours, theirs, conflicts } = merge.result;
  return {
    applied: ours.map(describe),
    kept: theirs.map(describe),
    conflicts,
    ...(resolve && conflicts.length ? { resolved: resolve } : {}),
  };
}

/** The refusal of a merge with unsettled conflicts, or undefined. */
export function conflictRefusal(name: string, merge: ThreeWay, resolve?: string): Error | undefined {
  const { conflicts } = merge.result;
  return conflicts.length > 0 && resolve === undefined ? new MergeConflictError(name, conflicts) : undefined;
}
