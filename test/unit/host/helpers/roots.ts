/** Fixture paths and temporary host roots for the host tests (paths are relative to the repo root). */
import { cp, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';

export const HOSTS = path.resolve('test/fixtures/hosts');
export const QEMU_CONFS = path.resolve('test/fixtures/qemu-conf');

export const hostFixture = (name: string): string => path.join(HOSTS, name);
export const qemuConfFixture = (name: string): Promise<string> =>
  readFile(path.join(QEMU_CONFS, name), 'utf8');

const made: string[] = [];

/** A fresh temporary root, removed by `cleanRoots()`. */
export async function tempRoot(prefix = 'virt-gen-host-'): Promise<string> {
  const dir = await mkdtemp(path.join(tmpdir(), prefix));
  made.push(dir);
  return dir;
}

/** A temporary root holding a copy of a host fixture (symlinks kept) and, optionally, a qemu.conf. */
export async function hostRoot(host: string, qemuConf?: string): Promise<string> {
  const root = await tempRoot();
  await cp(hostFixture(host), root, { recursive: true, verbatimSymlinks: true });
  if (qemuConf !== undefined) await putFile(root, '/etc/libvirt/qemu.conf', qemuConf);
  return root;
}

export async function putFile(root: string, p: string, text: string): Promise<void> {
  await mkdir(path.dirname(path.join(root, p)), { recursive: true });
  await writeFile(path.join(root, p), text);
}

export const readRootFile = (root: string, p: string): Promise<string> =>
  readFile(path.join(root, p), 'utf8');

export async function cleanRoots(): Promise<void> {
  await Promise.all(made.splice(0).map((d) => rm(d, { recursive: true, force: true })));
}
