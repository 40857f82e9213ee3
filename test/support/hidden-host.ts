/**
 * Runs the built CLI on a machine whose hardware facts are hidden from it: in a private mount
 * namespace (the caller runs this under `unshare --mount`), empty read-only tmpfs over the sysfs
 * folders the sysfs facts source reads, and /dev/null over the procfs files. Whatever the CLI then
 * reports about CPUs, PCI devices, IOMMU groups or hugepages can only have come through libvirt,
 * whose daemon runs outside the namespace and still sees the real ones.
 *
 *   unshare --mount --propagation private -- node build/test/support/hidden-host.js ARGS…
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const HIDDEN_DIRS = [
  '/sys/devices/system/cpu',
  '/sys/devices/system/node',
  '/sys/bus/pci/devices',
  '/sys/bus/usb/devices',
  '/sys/kernel/iommu_groups',
  '/sys/kernel/mm/hugepages',
];
export const HIDDEN_FILES = ['/proc/cpuinfo', '/proc/meminfo'];

export const HIDDEN_HOST_JS = fileURLToPath(import.meta.url);

function main(args: string[]): number {
  // A folder this machine does not have (no USB bus) is hidden already.
  for (const dir of HIDDEN_DIRS.filter((d) => existsSync(d)))
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'ro,size=4k', 'vg-hidden', dir]);
  for (const file of HIDDEN_FILES) execFileSync('mount', ['--bind', '/dev/null', file]);
  const bin = path.resolve(path.dirname(HIDDEN_HOST_JS), '..', '..', '..', 'bin', 'virt-gen');
  const r = spawnSync(process.execPath, [bin, ...args], { stdio: 'inherit' });
  return r.status ?? 70;
}

if (process.argv[1] === HIDDEN_HOST_JS) process.exitCode = main(process.argv.slice(2));
