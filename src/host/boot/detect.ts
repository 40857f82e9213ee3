/**
 * Which boot stack reads this host's kernel command line, from files under the root only (so it works
 * on fixtures, chroots and images): research/host-boot.md §1.3. First match wins: kernelstub's config
 * (Pop!_OS), the Boot Loader Interface variable systemd-boot sets, GRUB (BLS on Fedora/RHEL, with
 * drop-ins on Debian/Ubuntu, plain upstream elsewhere), systemd-boot's loader.conf, rEFInd.
 */
import { readFile } from 'node:fs/promises';
import { listDir, pathExists, readText, underRoot } from '../read.js';

export type BootStack =
  | { kind: 'kernelstub'; config: string }
  | { kind: 'grub-dropin' }
  | { kind: 'grub'; mkconfig: string[] }
  | { kind: 'grub-bls'; entries: string[] }
  | { kind: 'systemd-boot'; entries: string[] }
  | { kind: 'refind'; config: string }
  | { kind: 'unknown' };

export const GRUB_DEFAULTS = '/etc/default/grub';
export const KERNELSTUB_CONFIG = '/etc/kernelstub/configuration';
export const REFIND_CONFIG = '/boot/refind_linux.conf';
/** Where an ESP (or XBOOTLDR) holding systemd-boot's `loader/` is mounted. */
const ESP_DIRS = ['/boot', '/efi', '/boot/efi'];
const LOADER_INFO = '/sys/firmware/efi/efivars/LoaderInfo-4a67b082-0a4c-41cf-b6c7-440b29bb8c4f';

/** The loader that booted this system, as it names itself (efivarfs: 4 attribute bytes, UTF-16LE). */
async function loaderInfo(root: string): Promise<string | undefined> {
  try {
    const raw = await readFile(underRoot(root, LOADER_INFO));
    return raw.subarray(4).toString('utf16le').replace(/\0+$/, '');
  } catch {
    return undefined;
  }
}

/** `/boot/loader/entries/*.conf` style entries under every ESP location, sorted. */
export async function loaderEntries(root: string, dirs = ESP_DIRS): Promise<string[]> {
  const found: string[] = [];
  for (const dir of dirs) {
    const names = await listDir(root, `${dir}/loader/entries`);
    found.push(...names.filter((n) => n.endsWith('.conf')).map((n) => `${dir}/loader/entries/${n}`));
  }
  return found;
}

async function hasLoaderConf(root: string): Promise<boolean> {
  for (const dir of ESP_DIRS) if (await pathExists(root, `${dir}/loader/loader.conf`)) return true;
  return false;
}

/** ID and ID_LIKE of /etc/os-release (or /usr/lib/os-release), lower case. */
export async function osIds(root: string): Promise<string[]> {
  const text =
    (await readText(root, '/etc/os-release')) ?? (await readText(root, '/usr/lib/os-release')) ?? '';
  const ids: string[] = [];
  for (const m of text.matchAll(/^(ID|ID_LIKE)=["']?([^"'\n]*)["']?$/gm))
    ids.push(...(m[2] ?? '').split(/\s+/));
  return ids.filter((id) => id !== '').map((id) => id.toLowerCase());
}

async function detectGrub(root: string, defaults: string): Promise<BootStack> {
  const entries = await loaderEntries(root, ['/boot']);
  if (/^GRUB_ENABLE_BLSCFG=["']?true["']?\s*$/m.test(defaults) && entries.length > 0) {
    return { kind: 'grub-bls', entries };
  }
  const ids = await osIds(root);
  // Debian's and Ubuntu's grub-mkconfig source /etc/default/grub.d/*.cfg; upstream GRUB does not.
  if (ids.includes('debian') || ids.includes('ubuntu')) return { kind: 'grub-dropin' };
  const grub2 = await pathExists(root, '/boot/grub2');
  return grub2
    ? { kind: 'grub', mkconfig: ['grub2-mkconfig', '-o', '/boot/grub2/grub.cfg'] }
    : { kind: 'grub', mkconfig: ['grub-mkconfig', '-o', '/boot/grub/grub.cfg'] };
}

export async function detectBootStack(root: string): Promise<BootStack> {
  if (await pathExists(root, KERNELSTUB_CONFIG)) return { kind: 'kernelstub', config: KERNELSTUB_CONFIG };
  const loader = await loaderInfo(root);
  const entries = await loaderEntries(root);
  if (loader?.startsWith('systemd-boot') && entries.length > 0) return { kind: 'systemd-boot', entries };
  const defaults = await readText(root, GRUB_DEFAULTS);
  if (defaults !== undefined) return detectGrub(root, defaults);
  if ((await hasLoaderConf(root)) && entries.length > 0) return { kind: 'systemd-boot', entries };
  if (await pathExists(root, REFIND_CONFIG)) return { kind: 'refind', config: REFIND_CONFIG };
  return { kind: 'unknown' };
}

/** A name for messages. */
export function stackName(stack: BootStack): string {
  const names: Record<BootStack['kind'], string> = {
    kernelstub: 'kernelstub (Pop!_OS)',
    'grub-dropin': 'GRUB with /etc/default/grub.d (Debian/Ubuntu)',
    grub: 'GRUB',
    'grub-bls': 'GRUB with BootLoaderSpec entries (Fedora/RHEL)',
    'systemd-boot': 'systemd-boot',
    refind: 'rEFInd',
    unknown: 'an unknown boot loader',
  };
  return names[stack.kind];
}
