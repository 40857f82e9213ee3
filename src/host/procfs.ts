/**
 * `/proc/mounts`, `/proc/cmdline` and `/proc/cpuinfo`: the procfs facts passthrough depends on.
 */
import { readText } from './read.js';

export interface Mount {
  source: string;
  target: string;
  fstype: string;
  options: string[];
}

export interface KernelArg {
  key: string;
  /** undefined for a bare flag such as `quiet`. */
  value?: string;
}

export interface CpuInfo {
  vendor?: string;
  modelName?: string;
  flags: string[];
}

/** Mount fields escape space, tab, newline and backslash as octal (`\040`). */
const unescapeMountField = (s: string): string =>
  s.replace(/\\([0-7]{3})/g, (_, oct: string) => String.fromCharCode(parseInt(oct, 8)));

export function parseMounts(text: string): Mount[] {
  const mounts: Mount[] = [];
  for (const line of text.split('\n')) {
    const f = line.trim().split(/\s+/);
    if (f.length < 4) continue;
    mounts.push({
      source: unescapeMountField(f[0] as string),
      target: unescapeMountField(f[1] as string),
      fstype: f[2] as string,
      options: (f[3] as string).split(','),
    });
  }
  return mounts;
}

/** `pagesize=2M` of a hugetlbfs mount, in KiB; undefined when the mount uses the default size. */
export function hugetlbfsPageKiB(mount: Mount): number | undefined {
  const opt = mount.options.find((o) => o.startsWith('pagesize='));
  if (!opt) return undefined;
  const m = /^(\d+)([KMG]?)$/i.exec(opt.slice('pagesize='.length));
  if (!m) return undefined;
  const unit = { '': 1 / 1024, K: 1, M: 1024, G: 1024 * 1024 }[(m[2] as string).toUpperCase()] as number;
  return Number(m[1]) * unit;
}

/** Splits the kernel command line as the kernel does: blanks separate, double quotes group. */
export function parseCmdline(text: string): KernelArg[] {
  const args: KernelArg[] = [];
  for (const m of text.trim().matchAll(/(?:[^\s"]+|"[^"]*")+/g)) {
    const word = m[0].replace(/"/g, '');
    const eq = word.indexOf('=');
    args.push(eq < 0 ? { key: word } : { key: word.slice(0, eq), value: word.slice(eq + 1) });
  }
  return args;
}

/** The value of the last `key=` on the command line (the kernel lets later ones win). */
export function cmdlineValue(args: readonly KernelArg[], key: string): string | undefined {
  let value: string | undefined;
  for (const a of args) if (a.key === key) value = a.value ?? '';
  return value;
}

/** The first processor's vendor, model and flags: enough for vmx/svm and pdpe1gb checks. */
export function parseCpuInfo(text: string): CpuInfo {
  const field = (name: string): string | undefined =>
    new RegExp(`^${name}\\s*:\\s*(.*)$`, 'm').exec(text)?.[1]?.trim();
  const info: CpuInfo = { flags: (field('flags') ?? '').split(/\s+/).filter((f) => f !== '') };
  const vendor = field('vendor_id');
  const model = field('model name');
  if (vendor !== undefined) info.vendor = vendor;
  if (model !== undefined) info.modelName = model;
  return info;
}

export async function readMounts(root: string): Promise<Mount[]> {
  return parseMounts((await readText(root, '/proc/mounts')) ?? '');
}

export async function readCmdline(root: string): Promise<KernelArg[] | undefined> {
  const text = await readText(root, '/proc/cmdline');
  return text === undefined ? undefined : parseCmdline(text);
}

export async function readCpuInfo(root: string): Promise<CpuInfo> {
  return parseCpuInfo((await readText(root, '/proc/cpuinfo')) ?? '');
}
