/**
 * Planning the `cgroup_device_acl` patch of /etc/libvirt/qemu.conf (research/passthrough.md §3.1,
 * guide/EQUIVALENCE.md row 28).
 *
 * Setting the key replaces libvirt's built-in default list, so a new ACL must carry every default
 * entry of the installed libvirt: they are read from the file's own commented default block (which
 * libvirt's packages keep in step with the code), else libvirt 9.x's list is used. An ACL that is
 * already set keeps its entries, order and layout and gains only the missing ones. Every other byte
 * of the file stays as it is, so a second run changes nothing.
 */
import { HostError } from './errors.js';
import {
  getEntry,
  parseLibvirtConf,
  quoteConfString,
  stringList,
  type ConfEntry,
  type ConfFile,
  type ConfList,
} from './libvirt-conf.js';

/** libvirt 9.0's `defaultDeviceACL` (Debian 12); libvirt ≥ 10.1 adds /dev/userfaultfd. */
export const LIBVIRT9_DEFAULT_ACL = [
  '/dev/null',
  '/dev/full',
  '/dev/zero',
  '/dev/random',
  '/dev/urandom',
  '/dev/ptmx',
  '/dev/kvm',
];

/** The stock layout of that list, used when the installed file has no commented default to copy. */
const FALLBACK_BLOCK =
  'cgroup_device_acl = [\n    "/dev/null", "/dev/full", "/dev/zero",\n    "/dev/random", "/dev/urandom",\n' +
  '    "/dev/ptmx", "/dev/kvm"\n]\n';

export const QEMU_CONF = '/etc/libvirt/qemu.conf';

export interface QemuConfSettings {
  user?: string;
  group?: string;
  dynamicOwnership?: number;
  /** `security_driver`: a string or a list in qemu.conf. */
  securityDrivers?: string[];
  /** The active ACL, when set. */
  acl?: string[];
}

export interface QemuConfPlan {
  before: string;
  after: string;
  changed: boolean;
  /** Entries added to the ACL. */
  added: string[];
  /** The ACL libvirt will use after the patch (undefined: libvirt's built-in default, untouched). */
  acl?: string[];
  /** The default list the new ACL started from, and where it came from. */
  defaults: { entries: string[]; source: 'installed' | 'libvirt-9' };
  settings: QemuConfSettings;
  warnings: string[];
}

interface CommentedDefault {
  /** The block with its `#` removed: a parseable `cgroup_device_acl = [ … ]`. */
  uncommented: string;
  entries: string[];
  /** Offset just past the block's last line (its newline included). */
  end: number;
}

/** Lines with their offsets; the last line may lack a newline. */
function lines(text: string): Array<{ text: string; start: number; end: number }> {
  const out: Array<{ text: string; start: number; end: number }> = [];
  let start = 0;
  while (start < text.length) {
    const nl = text.indexOf('\n', start);
    const end = nl < 0 ? text.length : nl + 1;
    out.push({ text: text.slice(start, nl < 0 ? end : nl), start, end });
    start = end;
  }
  return out;
}

/** Finds `#cgroup_device_acl = [` … `#]` and reads the list in it. */
export function findCommentedDefault(text: string): CommentedDefault | undefined {
  const all = lines(text);
  const first = all.findIndex((l) => /^#\s*cgroup_device_acl\s*=\s*\[/.test(l.text));
  if (first < 0) return undefined;
  const body: string[] = [];
  for (const line of all.slice(first, first + 40)) {
    if (!line.text.startsWith('#')) return undefined;
    body.push(line.text.slice(1));
    if (!line.text.includes(']')) continue;
    const uncommented = body.join('\n').replace(/^\s+/, '') + '\n';
    try {
      const entry = getEntry(parseLibvirtConf(uncommented), 'cgroup_device_acl');
      const entries = entry && stringList(entry.value);
      return entries ? { uncommented, entries, end: line.end } : undefined;
    } catch {
      return undefined;
    }
  }
  return undefined;
}

function quoteAll(entries: readonly string[]): string[] {
  return entries.map((e) => quoteConfString(e, 'cgroup_device_acl'));
}

/**
 * Appends entries to a list in `text`, in the list's own layout: on a new line with the last item's
 * indentation when the list spans lines, else inline after the last item.
 */
export function appendToList(text: string, list: ConfList, entries: readonly string[]): string {
  const quoted = quoteAll(entries).join(', ');
  if (list.items.length === 0) {
    // Only insert (after the `[`), so whatever layout the empty list had stays.
    const pad = list.end - list.start === 2 ? ' ' : '';
    return text.slice(0, list.start + 1) + ` ${quoted}${pad}` + text.slice(list.start + 1);
  }
  const last = list.items[list.items.length - 1] as ConfList['items'][number];
  const multiline = text.slice(list.start, last.start).includes('\n');
  const lineStart = text.lastIndexOf('\n', last.start - 1) + 1;
  const indent = /^[ \t]*/.exec(text.slice(lineStart, last.start))?.[0] ?? '';
  const insertion = multiline ? `,\n${indent}${quoted}` : `, ${quoted}`;
  return text.slice(0, last.end) + insertion + text.slice(last.end);
}

function aclOf(entry: ConfEntry, fileName: string): string[] {
  const acl = stringList(entry.value);
  if (!acl) {
    throw new HostError(
      `${fileName}: line ${entry.line}: cgroup_device_acl must be a list of strings (libvirt refuses ` +
        `anything else); fix it by hand (nothing was changed)`,
      'qemu-conf-type',
    );
  }
  return acl;
}

function stringsOf(entry: ConfEntry | undefined): string[] | undefined {
  if (!entry) return undefined;
  if (entry.value.kind === 'string') return [entry.value.value];
  return stringList(entry.value);
}

export function readSettings(file: ConfFile): QemuConfSettings {
  const settings: QemuConfSettings = {};
  const str = (name: string): string | undefined => {
    const v = getEntry(file, name)?.value;
    return v?.kind === 'string' ? v.value : undefined;
  };
  const user = str('user');
  const group = str('group');
  const dyn = getEntry(file, 'dynamic_ownership')?.value;
  const drivers = stringsOf(getEntry(file, 'security_driver'));
  const acl = stringsOf(getEntry(file, 'cgroup_device_acl'));
  if (user !== undefined) settings.user = user;
  if (group !== undefined) settings.group = group;
  if (dyn?.kind === 'number') settings.dynamicOwnership = dyn.value;
  if (drivers !== undefined) settings.securityDrivers = drivers;
  if (acl !== undefined) settings.acl = acl;
  return settings;
}

export interface SettingIssue {
  id: 'user-root' | 'dynamic-ownership' | 'security-driver-none' | 'acl-duplicate';
  what: string;
  why: string;
  fix: string;
}

/** Settings that defeat unprivileged, confined QEMU (§3.3, §3.6). */
export function settingIssues(settings: QemuConfSettings, file: ConfFile, fileName: string): SettingIssue[] {
  const issues: SettingIssue[] = [];
  if (settings.user === 'root' || settings.user === '+0') {
    issues.push({
      id: 'user-root',
      what: `${fileName} sets user = "${settings.user}"`,
      why: "QEMU runs as root with every privilege, which libvirt's maintainers strongly advise against",
      fix: "remove the line (Debian's default user is libvirt-qemu) and restart libvirtd",
    });
  }
  if (settings.dynamicOwnership === 0) {
    issues.push({
      id: 'dynamic-ownership',
      what: `${fileName} sets dynamic_ownership = 0`,
      why: 'libvirt then does not hand /dev/vfio/<group> to the QEMU user ("Permission denied")',
      fix: 'remove the line, or add a udev rule: SUBSYSTEM=="vfio", GROUP="kvm", MODE="0660"',
    });
  }
  if (settings.securityDrivers?.includes('none')) {
    issues.push({
      id: 'security-driver-none',
      what: `${fileName} sets security_driver = "none"`,
      why: 'QEMU runs unconfined by AppArmor/SELinux',
      fix: 'remove the line',
    });
  }
  const acls = file.entries.filter((e) => e.name === 'cgroup_device_acl');
  if (acls.length > 1) {
    issues.push({
      id: 'acl-duplicate',
      what: `${fileName} sets cgroup_device_acl ${acls.length} times (lines ${acls.map((e) => e.line).join(', ')})`,
      why: 'libvirt uses the first one only, and virt-gen patches that one',
      fix: 'merge them into the first and remove the others',
    });
  }
  return issues;
}

/** The issues as one-line warnings. */
export function settingWarnings(settings: QemuConfSettings, file: ConfFile, fileName: string): string[] {
  return settingIssues(settings, file, fileName).map((i) => `${i.what}: ${i.why}. Fix: ${i.fix}.`);
}

function missingDefaultsWarning(acl: string[], defaults: string[], fileName: string): string[] {
  const missing = defaults.filter((d) => !acl.includes(d));
  if (missing.length === 0) return [];
  return [
    `${fileName}: the cgroup_device_acl that is set lacks ${missing.join(', ')} of libvirt's default list: ` +
      `QEMU cannot open ${missing.length > 1 ? 'them' : 'it'}. virt-gen adds only what the VM needs; add ` +
      `${missing.length > 1 ? 'them' : 'it'} by hand if ${missing.length > 1 ? 'they were' : 'it was'} not left out on purpose.`,
  ];
}

/** The new ACL block, placed after the commented default (or at the end), when none is set yet. */
function insertNewAcl(
  text: string,
  wanted: readonly string[],
  commented: CommentedDefault | undefined,
): string {
  const base = commented ? commented.uncommented : FALLBACK_BLOCK;
  const entry = getEntry(parseLibvirtConf(base), 'cgroup_device_acl') as ConfEntry;
  const defaults = stringList(entry.value) as string[];
  const extra = wanted.filter((w) => !defaults.includes(w));
  const origin = commented ? 'the default list above' : "libvirt 9.x's default list";
  const block =
    `# Set by virt-gen: ${origin}, plus the device nodes passed-through VMs open.\n` +
    (extra.length > 0 ? appendToList(base, entry.value as ConfList, extra) : base);
  if (commented) return text.slice(0, commented.end) + block + text.slice(commented.end);
  const sep = text === '' ? '' : text.endsWith('\n') ? '\n' : '\n\n';
  return text + sep + block;
}

/**
 * Plans the patch: `wanted` are the device nodes QEMU must be allowed (`/dev/vfio/vfio`,
 * `/dev/vfio/<group>`, `/dev/kvmfr0`). Throws ConfSyntaxError/HostError for a file libvirt cannot read.
 */
export function planQemuConf(text: string, wanted: readonly string[], fileName = QEMU_CONF): QemuConfPlan {
  const file = parseLibvirtConf(text, fileName);
  const settings = readSettings(file);
  const commented = findCommentedDefault(text);
  const defaults = commented
    ? { entries: commented.entries, source: 'installed' as const }
    : { entries: LIBVIRT9_DEFAULT_ACL, source: 'libvirt-9' as const };
  const warnings = settingWarnings(settings, file, fileName);
  const uniqueWanted = [...new Set(wanted)];
  const active = getEntry(file, 'cgroup_device_acl');
  const plan = (after: string, added: string[], acl: string[] | undefined): QemuConfPlan => ({
    before: text,
    after,
    changed: after !== text,
    added,
    ...(acl ? { acl } : {}),
    defaults,
    settings,
    warnings,
  });
  if (active) {
    const acl = aclOf(active, fileName);
    warnings.push(...missingDefaultsWarning(acl, defaults.entries, fileName));
    const missing = uniqueWanted.filter((w) => !acl.includes(w));
    if (missing.length === 0) return plan(text, [], acl);
    return plan(appendToList(text, active.value as ConfList, missing), missing, [...acl, ...missing]);
  }
  if (uniqueWanted.length === 0) return plan(text, [], undefined);
  if (!commented) {
    warnings.push(
      `${fileName} has no commented default cgroup_device_acl: virt-gen starts from libvirt 9.x's list`,
    );
  }
  const added = uniqueWanted.filter((w) => !defaults.entries.includes(w));
  return plan(insertNewAcl(text, uniqueWanted, commented), added, [...defaults.entries, ...added]);
}
