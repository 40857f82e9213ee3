/**
 * AppArmor rules for QEMU (research/passthrough.md §3.2, guide/EQUIVALENCE.md row 29).
 *
 * Every libvirt-confined QEMU profile includes `abstractions/libvirt-qemu`. Rules go where that
 * abstraction lets a site add them without editing a packaged file: the `abstractions/libvirt-qemu.d/`
 * directory (libvirt ≥ 9.6: `include if exists <abstractions/libvirt-qemu.d>`), else the site-local
 * file `local/abstractions/libvirt-qemu` (Debian 12), else, as a last resort, a marked block in the
 * abstraction itself. virt-gen's rules sit between BEGIN/END markers, so re-applying replaces them.
 *
 * This module decides (pure); reading the files is `readAppArmorState`, reloading is apparmor-reload.ts.
 */
import path from 'node:path';
import { HostError } from './errors.js';
import { readHostText } from './host-file.js';
import { readText } from './read.js';

export const ABSTRACTION = '/etc/apparmor.d/abstractions/libvirt-qemu';
export const LOCAL_FILE = '/etc/apparmor.d/local/abstractions/libvirt-qemu';
export const DROPIN_DIR = '/etc/apparmor.d/abstractions/libvirt-qemu.d';
export const DROPIN_FILE = `${DROPIN_DIR}/virt-gen`;
export const APPARMOR_ENABLED = '/sys/module/apparmor/parameters/enabled';

export type AppArmorTargetKind = 'dropin' | 'local' | 'abstraction';

/** What the planner needs to know, read from the host. */
export interface AppArmorState {
  /** `/sys/module/apparmor/parameters/enabled` is `Y`. */
  enabled: boolean;
  /** The abstraction's text; undefined when libvirt's AppArmor files are not installed. */
  abstraction?: string;
  /** Current text of each candidate target file (undefined: absent). */
  local?: string;
  dropin?: string;
  /** The files among these that are not UTF-8 and were decoded byte for byte (host-file.ts). */
  latin1?: AppArmorTargetKind[];
}

export interface AppArmorRequest {
  /** IOMMU groups in use: `/dev/vfio/<N> rw,` each. */
  groups: number[];
  deviceNodes: string[];
  readFiles: string[];
  vfioWildcard?: boolean;
  /** qemu.conf's `security_driver`, when set. */
  securityDrivers?: string[];
  /** Names this VM's block, so several VMs keep their own rules. */
  owner?: string;
  /** `always` plans even when AppArmor looks off (image builds); `never` skips it. */
  mode?: 'auto' | 'always' | 'never';
}

export type AppArmorPlan =
  | { action: 'none'; reason: string; rules: string[] }
  | {
      action: 'write';
      target: AppArmorTargetKind;
      path: string;
      before?: string;
      after: string;
      changed: boolean;
      rules: string[];
      /** `latin1` when the target file is not UTF-8 (its bytes are kept as they are). */
      encoding?: 'latin1';
    };

/**
 * Reads the AppArmor flag (sysfs: unreadable means off) and the candidate files (strictly: an
 * unreadable or special file is an error, host-file.ts).
 */
export async function readAppArmorState(root: string): Promise<AppArmorState> {
  const [flag, abstraction, local, dropin] = await Promise.all([
    readText(root, APPARMOR_ENABLED),
    readHostText(root, ABSTRACTION),
    readHostText(root, LOCAL_FILE),
    readHostText(root, DROPIN_FILE),
  ]);
  const state: AppArmorState = { enabled: flag?.trim() === 'Y' };
  const files = { abstraction, local, dropin } as const;
  for (const kind of ['abstraction', 'local', 'dropin'] as const) {
    const f = files[kind];
    if (f.text === undefined) continue;
    state[kind] = f.text;
    if (f.encoding === 'latin1') state.latin1 = [...(state.latin1 ?? []), kind];
  }
  return state;
}

const INCLUDE_RE = /^\s*(?:#include|include)\s+(?:if\s+exists\s+)?[<"]([^>"]+)[>"]/;

/** What an AppArmor file includes. `#include` is a directive, not a comment; `# include` is a comment. */
export function includesOf(text: string): string[] {
  return text
    .split('\n')
    .map((line) => INCLUDE_RE.exec(line)?.[1])
    .filter((p): p is string => p !== undefined)
    .map((p) => p.replace(/\/+$/, ''));
}

export function chooseTarget(abstraction: string): { kind: AppArmorTargetKind; path: string } {
  const includes = includesOf(abstraction);
  if (
    includes.some(
      (p) => p === 'abstractions/libvirt-qemu.d' || p === '/etc/apparmor.d/abstractions/libvirt-qemu.d',
    )
  ) {
    return { kind: 'dropin', path: DROPIN_FILE };
  }
  if (includes.some((p) => p === 'local/abstractions/libvirt-qemu' || p === LOCAL_FILE)) {
    return { kind: 'local', path: LOCAL_FILE };
  }
  return { kind: 'abstraction', path: ABSTRACTION };
}

/**
 * A path as an AppArmor rule names it: glob characters escaped (a ROM named `gpu[1].rom` must not
 * become a pattern), quoted when it has blanks.
 */
export function aaPath(p: string): string {
  if (!p.startsWith('/'))
    throw new HostError(`AppArmor rule: "${p}" is not an absolute path`, 'apparmor-path');
  if (/["\n\r\0]/.test(p))
    throw new HostError(`AppArmor rule: "${p}" cannot be written in a profile`, 'apparmor-path');
  // A rule names one file: `/dev/../etc/shadow` must never become `rw`.
  if (path.posix.normalize(p) !== p || p.endsWith('/'))
    throw new HostError(`AppArmor rule: "${p}" is not a normalised path`, 'apparmor-path');
  const escaped = p.replace(/([*?[\]{}^\\])/g, '\\$1');
  return /[\s,#]/.test(escaped) ? `"${escaped}"` : escaped;
}

/** The rules the request needs, in a stable order. `/dev/vfio/vfio` only when the abstraction lacks it. */
export function rulesFor(req: AppArmorRequest, abstraction: string): string[] {
  const rules: string[] = [];
  if (req.groups.length > 0 || req.vfioWildcard) {
    if (!/^\s*\/dev\/vfio\/vfio\s+rw\s*,/m.test(abstraction)) rules.push('/dev/vfio/vfio rw,');
    if (req.vfioWildcard) rules.push('/dev/vfio/* rw,');
    else for (const g of [...new Set(req.groups)].sort((a, b) => a - b)) rules.push(`/dev/vfio/${g} rw,`);
  }
  for (const node of [...new Set(req.deviceNodes)]) rules.push(`${aaPath(node)} rw,`);
  for (const file of [...new Set(req.readFiles)]) rules.push(`${aaPath(file)} r,`);
  return rules;
}

function markers(owner: string | undefined): { begin: string; end: string } {
  if (owner !== undefined && !/^[A-Za-z0-9._-]+$/.test(owner)) {
    throw new HostError(
      `AppArmor block name "${owner}": use letters, digits, ".", "-" and "_"`,
      'apparmor-owner',
    );
  }
  const suffix = owner ? ` ${owner}` : '';
  return { begin: `# BEGIN virt-gen${suffix}`, end: `# END virt-gen${suffix}` };
}

/**
 * Puts `rules` into virt-gen's marked block of `text`: replaces the block when there is one, appends
 * one otherwise, and removes the block when there are no rules. Other lines are untouched.
 */
export function replaceBlock(text: string, rules: readonly string[], owner?: string): string {
  const { begin, end } = markers(owner);
  const lines = text.split('\n');
  const b = lines.indexOf(begin);
  const e = b < 0 ? -1 : lines.indexOf(end, b + 1);
  if (b >= 0 && e < 0) {
    throw new HostError(
      `"${begin}" has no "${end}" line: fix the block by hand (nothing was changed)`,
      'apparmor-block',
    );
  }
  const block =
    rules.length === 0
      ? []
      : [begin, '# Managed by `virt-gen host apply`: this block is replaced on every apply.', ...rules, end];
  if (b >= 0) return [...lines.slice(0, b), ...block, ...lines.slice(e + 1)].join('\n');
  if (block.length === 0) return text;
  const sep = text === '' || text.endsWith('\n') ? '' : '\n';
  return text + sep + block.join('\n') + '\n';
}

function skipReason(state: AppArmorState, req: AppArmorRequest): string | undefined {
  const mode = req.mode ?? 'auto';
  if (mode === 'never') return 'AppArmor handling is turned off (--apparmor never)';
  const drivers = req.securityDrivers;
  if (drivers && !drivers.includes('apparmor')) {
    return `libvirt's security_driver is ${drivers.map((d) => `"${d}"`).join(', ')}, not apparmor: no AppArmor rules apply to QEMU`;
  }
  if (mode === 'auto' && !state.enabled)
    return `AppArmor is not enabled (${APPARMOR_ENABLED} is not Y): nothing to do`;
  if (state.abstraction === undefined)
    return `${ABSTRACTION} is not installed: libvirt confines QEMU without it, nothing to do`;
  return undefined;
}

export function planAppArmor(state: AppArmorState, req: AppArmorRequest): AppArmorPlan {
  const reason = skipReason(state, req);
  const abstraction = state.abstraction ?? '';
  const rules = rulesFor(req, abstraction);
  if (reason !== undefined) return { action: 'none', reason, rules };
  const target = chooseTarget(abstraction);
  const before =
    target.kind === 'dropin' ? state.dropin : target.kind === 'local' ? state.local : abstraction;
  const header = '# AppArmor rules for QEMU written by virt-gen (see `virt-gen host plan`).\n';
  const base = before ?? (target.kind === 'dropin' ? header : '');
  const after = replaceBlock(base, rules, req.owner);
  if (before === undefined && rules.length === 0) {
    return { action: 'none', reason: 'no AppArmor rules are needed', rules };
  }
  return {
    action: 'write',
    target: target.kind,
    path: target.path,
    ...(before !== undefined ? { before } : {}),
    after,
    changed: after !== before,
    rules,
    ...(state.latin1?.includes(target.kind) ? { encoding: 'latin1' as const } : {}),
  };
}
