/**
 * vfio-pci in the initramfs, per initramfs generator (research/host-boot.md §2.2): the GPU driver is
 * often loaded from the initramfs (early KMS), so vfio-pci must be there too, and loaded first, to
 * claim the card. initramfs-tools lists modules in `/etc/initramfs-tools/modules`; mkinitcpio gets a
 * drop-in that prepends to `MODULES` (keeping the user's); dracut gets a `force_drivers` drop-in. All
 * three copy /etc/modprobe.d into the image (dracut only in host-only mode, hence `install_items`).
 * `vfio_virqfd` is never listed: on kernels before 6.2 it is a dependency modprobe pulls in, after
 * that it does not exist and listing it breaks the build.
 */
import { fileChange, readPlanned, type RegenCommand } from '../layer.js';
import type { FileChange } from '../plan.js';
import { listDir, pathExists, readText } from '../read.js';
import { MODPROBE_FILE } from './vfio.js';

export const VFIO_MODULES = ['vfio_pci', 'vfio', 'vfio_iommu_type1'] as const;
export const INITRAMFS_TOOLS_MODULES = '/etc/initramfs-tools/modules';
export const MKINITCPIO_CONF = '/etc/mkinitcpio.conf';
export const MKINITCPIO_DROPIN = '/etc/mkinitcpio.conf.d/virt-gen.conf';
export const DRACUT_DROPIN = '/etc/dracut.conf.d/virt-gen-vfio.conf';

export type InitramfsTool = 'initramfs-tools' | 'mkinitcpio' | 'dracut' | 'unknown';

export interface InitramfsPlan {
  tool: InitramfsTool;
  changes: FileChange[];
  regenerate: RegenCommand[];
  warnings: string[];
}

export async function detectInitramfs(root: string): Promise<InitramfsTool> {
  if (await pathExists(root, MKINITCPIO_CONF)) return 'mkinitcpio';
  if (await pathExists(root, '/etc/initramfs-tools')) return 'initramfs-tools';
  if ((await pathExists(root, '/etc/dracut.conf')) || (await pathExists(root, '/etc/dracut.conf.d')))
    return 'dracut';
  return 'unknown';
}

const norm = (m: string): string => m.replace(/-/g, '_');
const WHY = 'vfio-pci in the initramfs, loaded before the GPU drivers';

/** Module names of an initramfs-tools `modules` file (first word of each non-comment line). */
export function listedModules(text: string): string[] {
  return text
    .split('\n')
    .map((l) => l.replace(/#.*/, '').trim().split(/\s+/)[0] ?? '')
    .filter((m) => m !== '')
    .map(norm);
}

function initramfsTools(before: string | undefined): FileChange | undefined {
  const missing = VFIO_MODULES.filter((m) => !listedModules(before ?? '').includes(m));
  if (missing.length === 0) return undefined;
  const base = before ?? '';
  const sep = base === '' || base.endsWith('\n') ? '' : '\n';
  const after = `${base}${sep}# Added by virt-gen: vfio-pci before the GPU drivers\n${missing.join('\n')}\n`;
  return fileChange(INITRAMFS_TOOLS_MODULES, before, after, WHY);
}

/** The words of the last `MODULES=(...)` of a mkinitcpio.conf. */
export function mkinitcpioModules(text: string): string[] {
  const hits = [...text.matchAll(/^MODULES=\(([^)]*)\)/gm)];
  return (hits[hits.length - 1]?.[1] ?? '')
    .split(/\s+/)
    .filter((w) => w !== '')
    .map((w) => norm(w.replace(/["']/g, '')));
}

export const MKINITCPIO_DROPIN_TEXT =
  '# Written by virt-gen: vfio-pci first in the initramfs (virt-gen host revert removes this file).\n' +
  `MODULES=(${VFIO_MODULES.join(' ')} "\${MODULES[@]}")\n`;

/** Presets that name a config file (`ALL_config=`): mkinitcpio then ignores the drop-in directory. */
async function presetsWithConfig(root: string): Promise<string[]> {
  const out: string[] = [];
  for (const name of (await listDir(root, '/etc/mkinitcpio.d')).filter((n) => n.endsWith('.preset'))) {
    const text = (await readText(root, `/etc/mkinitcpio.d/${name}`)) ?? '';
    if (/^[ \t]*\w*_config=/m.test(text)) out.push(`/etc/mkinitcpio.d/${name}`);
  }
  return out;
}

async function mkinitcpio(root: string, warnings: string[]): Promise<FileChange | undefined> {
  const main = (await readPlanned(root, MKINITCPIO_CONF)) ?? '';
  if (VFIO_MODULES.every((m) => mkinitcpioModules(main).includes(m))) return undefined;
  const presets = await presetsWithConfig(root);
  if (presets.length === 0) {
    return fileChange(
      MKINITCPIO_DROPIN,
      await readPlanned(root, MKINITCPIO_DROPIN),
      MKINITCPIO_DROPIN_TEXT,
      WHY,
    );
  }
  // A preset names the config file: drop-ins are skipped, so the main file's MODULES is edited.
  warnings.push(
    `${presets.join(', ')} name a config file: mkinitcpio skips drop-ins, so ${MKINITCPIO_CONF} is edited`,
  );
  const missing = VFIO_MODULES.filter((m) => !mkinitcpioModules(main).includes(m));
  const hits = [...main.matchAll(/^MODULES=\(/gm)];
  const at = hits[hits.length - 1]?.index;
  const open = 'MODULES=('.length;
  const after =
    at === undefined
      ? `${main}${main.endsWith('\n') || main === '' ? '' : '\n'}MODULES=(${missing.join(' ')})\n`
      : main.slice(0, at + open) +
        missing.join(' ') +
        (main[at + open] === ')' ? '' : ' ') +
        main.slice(at + open);
  return fileChange(MKINITCPIO_CONF, main, after, WHY);
}

export const DRACUT_DROPIN_TEXT =
  '# Written by virt-gen: vfio-pci loaded early (virt-gen host revert removes this file).\n' +
  `force_drivers+=" ${VFIO_MODULES.join(' ')} "\n` +
  `install_items+=" ${MODPROBE_FILE} "\n`;

const REGEN: Record<Exclude<InitramfsTool, 'unknown'>, RegenCommand> = {
  'initramfs-tools': {
    argv: ['update-initramfs', '-u', '-k', 'all'],
    why: 'rebuild every initramfs with vfio-pci',
  },
  mkinitcpio: { argv: ['mkinitcpio', '-P'], why: 'rebuild every preset with vfio-pci' },
  dracut: { argv: ['dracut', '-f', '--regenerate-all'], why: 'rebuild every initramfs with vfio-pci' },
};

export async function planInitramfs(root: string): Promise<InitramfsPlan> {
  const tool = await detectInitramfs(root);
  const warnings: string[] = [];
  let change: FileChange | undefined;
  if (tool === 'initramfs-tools') change = initramfsTools(await readPlanned(root, INITRAMFS_TOOLS_MODULES));
  else if (tool === 'mkinitcpio') change = await mkinitcpio(root, warnings);
  else if (tool === 'dracut') {
    const before = await readPlanned(root, DRACUT_DROPIN);
    change = fileChange(DRACUT_DROPIN, before, DRACUT_DROPIN_TEXT, WHY);
  } else {
    warnings.push(
      'no initramfs generator found (initramfs-tools, mkinitcpio, dracut): make sure vfio_pci, vfio and ' +
        `vfio_iommu_type1 load before the GPU drivers, with ${MODPROBE_FILE} in the initramfs`,
    );
  }
  // The modprobe.d file goes into the image too: it is rebuilt whenever the binding is planned.
  return {
    tool,
    changes: change ? [change] : [],
    regenerate: tool === 'unknown' ? [] : [REGEN[tool]],
    warnings,
  };
}
