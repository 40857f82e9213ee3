/**
 * The files and devices a VM opens when it starts (disk images, ISOs, ROM files, evdev inputs) and
 * whether libvirt's QEMU user can open them. libvirt defines a domain whose disk does not exist, and
 * QEMU only fails at start, as the unprivileged user, with "Permission denied" on a folder the user
 * never thought of (a 0700 home): `doctor CONFIG` and `define` say so before that.
 *
 * With dynamic_ownership (libvirt's default) libvirt chowns the files themselves to the QEMU user at
 * start, but never the folders above them: those must let that user through.
 *
 * The owner and mode bits decide first. Where they refuse, and virt-gen runs as root on the host
 * itself (no `--root`), the kernel is asked as that user (`setpriv` to its uid and groups, then
 * `test -x`): a POSIX ACL (`setfacl -m u:libvirt-qemu:x ~`) or a capability the bits do not show
 * may let it through. Elsewhere ACLs are not read, and the message says so.
 */
import { promises as fs, type Stats } from 'node:fs';
import path from 'node:path';
import type { Domain } from '../domain/model.js';
import type { HostFacts } from './facts.js';
import { parseLibvirtConf } from './libvirt-conf.js';
import { QEMU_CONF, readSettings, type QemuConfSettings } from './qemu-conf.js';
import { underRoot } from './read.js';
import { readBounded } from '../util/read-bounded.js';
import { HOST_FILE_LIMIT } from './host-file.js';

export interface VmPath {
  path: string;
  /** What the domain uses it for, as a user calls it. */
  what: string;
  /** QEMU writes it (a disk that is not read-only). */
  write: boolean;
  /** libvirt starts the VM without it (`startupPolicy='optional'`). */
  optional: boolean;
  /** What to do when it is missing, where creating a file is not the answer (a device). */
  missingFix?: string;
}

export interface QemuUser {
  name: string;
  uid: number;
  gids: number[];
}

export interface PathProblem extends VmPath {
  problem: 'missing' | 'denied';
  /** What is wrong, naming the path (and the folder and user when denied). */
  message: string;
  /** What to do. */
  fix: string;
}

/** Every host path the domain makes QEMU open. */
export function vmPaths(domain: Domain): VmPath[] {
  const devices = domain.devices ?? {};
  const paths: VmPath[] = [];
  for (const d of devices.disk ?? []) {
    const p = d.source?.file ?? d.source?.dev;
    if (!p) continue;
    const what =
      d.device === 'cdrom' ? 'CD-ROM image' : d.device === 'floppy' ? 'floppy image' : 'disk image';
    const optional = d.source?.startupPolicy === 'optional';
    paths.push({ path: p, what, write: d.device === 'disk' && !d.readonly, optional });
  }
  for (const h of devices.hostdev ?? []) {
    if (h.rom?.file) paths.push({ path: h.rom.file, what: 'ROM file', write: false, optional: false });
    const uuid = h.type === 'mdev' ? h.source?.address?.uuid : undefined;
    // libvirt opens the mediated device by its sysfs node; nothing creates it but the host's admin.
    if (uuid) paths.push({ ...mdevPath(uuid), write: false, optional: false });
  }
  for (const r of devices.rng ?? []) {
    const p = r.backend?.model === 'random' ? r.backend.path : undefined;
    if (p) {
      const missingFix = 'load the driver of the host RNG, or use /dev/urandom (rng: true) or builtin';
      paths.push({ path: p, what: 'entropy source', write: false, optional: false, missingFix });
    }
  }
  for (const i of devices.input ?? []) {
    if (i.type === 'evdev' && i.source?.dev)
      paths.push({ path: i.source.dev, what: 'evdev input device', write: true, optional: false });
  }
  return paths;
}

function mdevPath(uuid: string): Pick<VmPath, 'path' | 'what' | 'missingFix'> {
  return {
    path: `/sys/bus/mdev/devices/${uuid}`,
    what: 'mediated device',
    missingFix: `create it (mdevctl start -u ${uuid} -p PARENT --type TYPE; mdevctl types lists them), or fix the UUID in the config`,
  };
}

/** USB devices (vendor:product) the domain passes through that are not plugged in. */
export function absentUsb(domain: Domain, facts: HostFacts): string[] {
  const absent: string[] = [];
  for (const h of domain.devices?.hostdev ?? []) {
    const v = h.source?.vendor?.id;
    const p = h.source?.product?.id;
    if (h.type !== 'usb' || !v || !p) continue;
    const present = facts.usb.some((u) => u.vendor === parseInt(v, 16) && u.product === parseInt(p, 16));
    if (!present) absent.push(`${v.replace(/^0x/, '')}:${p.replace(/^0x/, '')}`);
  }
  return absent;
}

/**
 * libvirt's QEMU user under `root`: qemu.conf's `user` (a name or `+UID`), else Debian's
 * `libvirt-qemu`, else `qemu` (Fedora, Arch). Undefined when /etc/passwd does not name it.
 */
export async function qemuUser(root: string, configured?: string): Promise<QemuUser | undefined> {
  const passwd = await readLines(root, '/etc/passwd');
  const group = await readLines(root, '/etc/group');
  const users = passwd.map((l) => l.split(':')).filter((f) => f.length >= 4);
  const wanted = configured ? [configured] : ['libvirt-qemu', 'qemu'];
  for (const name of wanted) {
    const entry = name.startsWith('+')
      ? users.find((f) => f[2] === name.slice(1))
      : users.find((f) => f[0] === name);
    if (!entry) continue;
    const [user = name, , uid = '', gid = ''] = entry;
    const extra = group
      .map((l) => l.split(':'))
      .filter((f) => (f[3] ?? '').split(',').includes(user))
      .map((f) => Number(f[2]));
    return { name: user, uid: Number(uid), gids: [Number(gid), ...extra] };
  }
  return undefined;
}

async function readLines(root: string, p: string): Promise<string[]> {
  const bytes = await readBounded(underRoot(root, p), { limit: HOST_FILE_LIMIT, what: 'host file' }).catch(
    () => undefined,
  );
  const text = bytes?.toString('utf8') ?? '';
  return text.split('\n').filter((l) => l !== '' && !l.startsWith('#'));
}

/** May `user` do `want` (bits 4 read, 2 write, 1 search) on a file with `st`'s owner and mode? */
export function mayAccess(st: Pick<Stats, 'uid' | 'gid' | 'mode'>, user: QemuUser, want: number): boolean {
  if (user.uid === 0) return true;
  const shift = st.uid === user.uid ? 6 : user.gids.includes(st.gid) ? 3 : 0;
  return ((st.mode >> shift) & want) === want;
}

/**
 * The paths of `domain` that are missing or that `user` cannot reach. `ownedByLibvirt`
 * (dynamic_ownership on) means libvirt chowns the files at start: only their folders are checked.
 */
export async function checkVmPaths(
  root: string,
  paths: VmPath[],
  user: QemuUser,
  ownedByLibvirt: boolean,
): Promise<PathProblem[]> {
  const problems: PathProblem[] = [];
  for (const p of paths) {
    const problem = await checkOne(root, p, user, ownedByLibvirt);
    if (problem) problems.push(problem);
  }
  return problems;
}

async function checkOne(
  root: string,
  p: VmPath,
  user: QemuUser,
  ownedByLibvirt: boolean,
): Promise<PathProblem | undefined> {
  const st = await fs.stat(underRoot(root, p.path)).catch(() => undefined);
  if (!st) {
    return {
      ...p,
      problem: 'missing',
      message: `${p.what} ${p.path} does not exist`,
      fix:
        p.missingFix ??
        'create it (qemu-img create -f qcow2 FILE SIZE for a disk), or fix the path in the config',
    };
  }
  const ask = kernelCheck(root);
  // From the top down: the kernel's answer for a folder includes passing every folder above it.
  for (const dir of folderChain(p.path)) {
    const d = await fs.stat(underRoot(root, dir)).catch(() => undefined);
    if (d && !mayAccess(d, user, 1)) {
      const kernel = ask && (await ask(dir, user, 1));
      if (kernel !== true) {
        return {
          ...p,
          problem: 'denied',
          message: `${p.what} ${p.path}: libvirt's QEMU user ${user.name} cannot enter ${dir} (mode ${octal(d.mode)}${kernel === false ? '' : '; ACLs not read'})`,
          fix: `chmod o+x ${dir} (or setfacl -m u:${user.name}:x ${dir}), or move the file to /var/lib/libvirt/images`,
        };
      }
    }
  }
  const want = p.write ? 6 : 4;
  if (!ownedByLibvirt && !mayAccess(st, user, want) && !(ask && (await ask(p.path, user, want)))) {
    return {
      ...p,
      problem: 'denied',
      message: `${p.what} ${p.path}: libvirt's QEMU user ${user.name} cannot ${p.write ? 'write' : 'read'} it (mode ${octal(st.mode)}, dynamic_ownership = 0)`,
      fix: `chown ${user.name} ${p.path}`,
    };
  }
  return undefined;
}

/** The folders above `p`, from the top: `/`, `/home`, `/home/me` for `/home/me/win.img`. */
function folderChain(p: string): string[] {
  const chain: string[] = [];
  for (let dir = path.dirname(p); ; dir = path.dirname(dir)) {
    chain.unshift(dir);
    if (dir === '/' || dir === '.') return chain;
  }
}

/** `want` bits as test(1)'s options: 4 read, 2 write, 1 search. */
const TEST_FLAGS: ReadonlyArray<[number, string]> = [
  [4, '-r'],
  [2, '-w'],
  [1, '-x'],
];

/**
 * The kernel's answer to "may `user` do `want` on this path?", where it can be asked: as root, on
 * this host (under `--root` the files are a copy whose ACLs are not the host's). The check runs
 * as the user's uid, gid and groups (setpriv, util-linux), so ACLs count as they will for QEMU.
 * Undefined when it cannot be asked (setpriv missing, or it failed otherwise).
 */
type KernelCheck = (p: string, user: QemuUser, want: number) => Promise<boolean | undefined>;

function kernelCheck(root: string): KernelCheck | undefined {
  if (path.resolve(root) !== '/' || process.getuid?.() !== 0) return undefined;
  return async (p, user, want) => {
    const tests = TEST_FLAGS.filter(([bit]) => want & bit).flatMap(([, flag], i) =>
      i === 0 ? [flag, p] : ['-a', flag, p],
    );
    const [gid = user.uid, ...groups] = user.gids;
    const args = [`--reuid=${user.uid}`, `--regid=${gid}`, `--groups=${[gid, ...groups].join(',')}`];
    const { execFile } = await import('node:child_process');
    return new Promise((resolve) => {
      execFile('setpriv', [...args, '--', 'test', ...tests], { timeout: 5000 }, (err) => {
        const code = (err as { code?: unknown } | null)?.code;
        resolve(err === null ? true : code === 1 ? false : undefined);
      });
    });
  };
}

const octal = (mode: number): string => (mode & 0o7777).toString(8).padStart(4, '0');

export interface VmPathsReport {
  checked: VmPath[];
  problems: PathProblem[];
  /** The user the check was made for; undefined when /etc/passwd does not name libvirt's QEMU user. */
  user?: string;
  /** USB devices (vendor:product) the config names that are not plugged in. */
  absentUsb: string[];
}

/** The VM's paths as libvirt's QEMU user (qemu.conf's `user` when it can be read) sees them. */
export async function inspectVmPaths(
  facts: HostFacts,
  root: string,
  domain: Domain,
  qemuConf: string | undefined,
): Promise<VmPathsReport> {
  let settings: QemuConfSettings = {};
  try {
    if (qemuConf !== undefined) settings = readSettings(parseLibvirtConf(qemuConf, QEMU_CONF));
  } catch {
    // A qemu.conf that does not parse has its own finding; check with the defaults.
  }
  const checked = vmPaths(domain);
  const user = await qemuUser(root, settings.user);
  const absent = absentUsb(domain, facts);
  if (!user) return { checked, problems: [], absentUsb: absent };
  const problems = await checkVmPaths(root, checked, user, settings.dynamicOwnership !== 0);
  return { checked, problems, user: user.name, absentUsb: absent };
}
