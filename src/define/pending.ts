/**
 * `virt-gen diff`: what the next `define` would do, in the config's terms, before anything is
 * written. The config's changes are compared with what virt-gen defined last time (so libvirt's
 * defaults, addresses and unit conversions never show up), the hand edits with libvirt's copy as
 * virt-gen left it. Without that base (a domain virt-gen did not define, or another state dir)
 * there is only the plain XML difference to show.
 */
import { parseXml, type XmlElement } from '../domain/index.js';
import type { Backend } from '../libvirt/backend.js';
import { xmlDiff } from './diff.js';
import type { Conflict } from './errors.js';
import { keepMadeUp, withUuid } from './identity.js';
import { mergeDomains } from './merge.js';
import { defaultStateDir } from './state.js';
import { readStamp, withoutStamp } from './stamp.js';
import { describe } from './terms.js';
import { trustedBase } from './three-way.js';

export interface PendingChanges {
  name: string;
  /** new: not defined yet; merged: base known; no-base: only the XML difference. */
  state: 'new' | 'merged' | 'no-base';
  /** The config that owns the domain (its stamp), when another one. */
  owner?: string;
  config: string[];
  edits: string[];
  conflicts: Conflict[];
  /** For no-base: libvirt's definition -> the XML virt-gen would define. */
  xmlDiff?: string;
}

export async function pendingChanges(options: {
  xml: string;
  configPath: string;
  backend: Backend;
  stateDir?: string;
}): Promise<PendingChanges> {
  const generated = withoutStamp(parseXml(options.xml));
  const name = textOf(generated, 'name') ?? '';
  const none = { name, config: [], edits: [], conflicts: [] };
  const info = await options.backend.lookup(name);
  if (!info) return { ...none, state: 'new' };
  const current = parseXml(await options.backend.getXml(name, { inactive: true }));
  const stamp = readStamp(current);
  const owner = stamp && stamp.config !== options.configPath ? { owner: stamp.config } : {};
  const base = await trustedBase(options.stateDir ?? defaultStateDir(), info.uuid, stamp?.libvirt);
  if (!base) {
    const diff = xmlDiff(
      withoutStamp(current),
      generated,
      `${name} (defined now)`,
      `${name} (from the config)`,
    );
    return { ...none, ...owner, state: 'no-base', xmlDiff: diff };
  }
  const g1 = keepMadeUp(withUuid(generated, info.uuid), base.generated);
  const m = mergeDomains({
    baseLibvirt: base.libvirt,
    libvirt: current,
    baseGenerated: base.generated,
    generated: g1,
  });
  return {
    ...{ name, state: 'merged' as const, ...owner },
    config: m.ours.map(describe),
    edits: m.theirs.map(describe),
    conflicts: m.conflicts,
  };
}

function textOf(el: XmlElement, name: string): string | undefined {
  const c = el.children.find((x): x is XmlElement => typeof x !== 'string' && x.name === name);
  return c?.children
    .filter((x): x is string => typeof x === 'string')
    .join('')
    .trim();
}
