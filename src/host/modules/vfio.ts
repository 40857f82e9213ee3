/**
 * vfio-pci at boot (research/host-boot.md §2.1, §2.3, §2.4): `options vfio-pci ids=` for every
 * function of the card and `softdep <driver> pre: vfio-pci` for the drivers bound to it now, so that
 * vfio-pci claims the card before they probe. Only when a host driver holds the card: a card no driver
 * touches is detached by libvirt (`managed='yes'`) at VM start and needs nothing at boot. Identical
 * cards cannot be told apart by id, so those functions are bound by address with driverctl instead.
 */
import type { HostFacts } from '../facts.js';
import { fileChange, readPlanned } from '../layer.js';
import type { HostNeeds } from '../needs.js';
import { pciIds, sameSlot, type PciDevice } from '../pci.js';
import type { FileChange } from '../plan.js';
import { pathExists, readLinkName, readText } from '../read.js';

export const MODPROBE_FILE = '/etc/modprobe.d/virt-gen-vfio.conf';
const DRIVERCTL_DIR = '/etc/driverctl.d';
/** Drivers that leave a device to vfio-pci (or to libvirt): binding them needs nothing at boot. */
const FREE_DRIVERS = new Set(['vfio-pci', 'pci-stub']);
/** Driver names whose module has another name, when sysfs does not say (`drivers/NAME/module`). */
const DRIVER_MODULES: Record<string, string> = { xhci_hcd: 'xhci_pci' };

export interface VfioBinding {
  /** Every function of the passed-through cards. */
  functions: PciDevice[];
  /** Functions a host driver holds now. */
  held: PciDevice[];
  /** Functions whose vendor:device another host device shares: bound by address. */
  byAddress: PciDevice[];
  ids: string[];
  softdeps: string[];
  /** virt-gen's earlier file, parsed (its ids and softdeps are kept). */
  ours?: { ids: string[]; softdeps: string[] };
}

export function cardFunctions(facts: HostFacts, needs: HostNeeds): PciDevice[] {
  return facts.pci.filter((d) => needs.pciDevices.some((a) => sameSlot(a, d.address)));
}

export function parseOurModprobe(text: string): { ids: string[]; softdeps: string[] } {
  const ids = [...text.matchAll(/^options\s+vfio[-_]pci\s+.*\bids=(\S+)/gm)].flatMap((m) =>
    (m[1] ?? '').split(','),
  );
  const softdeps = [...text.matchAll(/^softdep\s+(\S+)\s+pre:\s+vfio[-_]pci\s*$/gm)].map((m) => m[1] ?? '');
  return { ids: ids.filter((i) => i !== ''), softdeps: softdeps.filter((s) => s !== '') };
}

async function moduleOf(root: string, driver: string): Promise<string> {
  const linked = await readLinkName(root, `/sys/bus/pci/drivers/${driver}/module`);
  return (linked ?? DRIVER_MODULES[driver] ?? driver).replace(/-/g, '_');
}

const union = (a: readonly string[], b: readonly string[]): string[] => [...new Set([...a, ...b])].sort();

export async function readVfioBinding(
  facts: HostFacts,
  needs: HostNeeds,
  root: string,
): Promise<VfioBinding> {
  const functions = cardFunctions(facts, needs);
  const held = functions.filter((d) => d.driver !== undefined && !FREE_DRIVERS.has(d.driver));
  const others = facts.pci.filter((d) => !functions.includes(d));
  const byAddress = functions.filter((f) => others.some((o) => pciIds(o) === pciIds(f)));
  const ownText = await readText(root, MODPROBE_FILE);
  const ours = ownText === undefined ? undefined : parseOurModprobe(ownText);
  const modules = await Promise.all(held.map((d) => moduleOf(root, d.driver as string)));
  const ids = functions.filter((f) => !byAddress.includes(f)).map(pciIds);
  return {
    functions,
    held,
    byAddress,
    ids: union(ours?.ids ?? [], ids),
    softdeps: union(ours?.softdeps ?? [], modules),
    ...(ours ? { ours } : {}),
  };
}

export function modprobeText(b: VfioBinding): string {
  const lines = [
    '# Written by virt-gen: vfio-pci claims the passed-through GPU at boot, before its host drivers.',
    '# virt-gen host revert removes this file; rebuild the initramfs afterwards.',
  ];
  if (b.ids.length > 0) lines.push(`options vfio-pci ids=${b.ids.join(',')}`);
  for (const m of b.softdeps) lines.push(`softdep ${m} pre: vfio-pci`);
  return lines.join('\n') + '\n';
}

export async function modprobeChange(b: VfioBinding, root: string): Promise<FileChange> {
  const before = await readPlanned(root, MODPROBE_FILE);
  const held = b.held.map((d) => `${d.name} (${d.driver ?? ''})`).join(', ');
  return fileChange(
    MODPROBE_FILE,
    before,
    modprobeText(b),
    `vfio-pci at boot: ${held || 'kept from an earlier apply'}`,
  );
}

/** driverctl's saved override for one function: the file holds the driver name. */
export async function driverctlChanges(b: VfioBinding, root: string): Promise<FileChange[]> {
  const out: FileChange[] = [];
  for (const f of b.byAddress) {
    const p = `${DRIVERCTL_DIR}/pci-${f.name}`;
    const why = `vfio-pci for ${f.name} by address: another device has the same id ${pciIds(f)}`;
    out.push(fileChange(p, await readPlanned(root, p), 'vfio-pci\n', why));
  }
  return out;
}

export async function driverctlInstalled(root: string): Promise<boolean> {
  return (await pathExists(root, '/usr/sbin/driverctl')) || (await pathExists(root, '/usr/bin/driverctl'));
}
