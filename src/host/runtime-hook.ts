/**
 * The runtime layer of the host plan: virt-gen's libvirt hook, `/etc/libvirt/hooks/qemu.d/virt-gen`,
 * for VMs whose config has `runtime`. One hook serves every VM: it reads each domain's runtime plan
 * from the XML libvirt passes it (hook/plan.ts), so nothing per VM is written here.
 *
 * The file is a few lines of JavaScript run by this Node (absolute path in the `#!` line) that import
 * the hook's bundle (dist/hook.js) of this virt-gen installation, with the root it acts on.
 *
 * libvirt decides whether QEMU has hooks when it starts or reloads (virHookInitialize, run again on
 * SIGHUP): when no hook for QEMU existed then (`hooks/qemu`, or anything in `hooks/qemu.d/`), it calls
 * a new one only after `systemctl reload libvirtd` (seen on libvirt 9.0: the integration test does it).
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { listDir, pathExists, statPath } from './read.js';

export const HOOK_PATH = '/etc/libvirt/hooks/qemu.d/virt-gen';
const HOOK_DIR = path.posix.dirname(HOOK_PATH);

/** The folder of this virt-gen installation: the first parent with our package.json and a dist/. */
export function packageRoot(from: string = fileURLToPath(import.meta.url)): string {
  let dir = path.dirname(from);
  while (dir !== path.dirname(dir)) {
    if (existsSync(path.join(dir, 'package.json')) && existsSync(path.join(dir, 'dist'))) return dir;
    dir = path.dirname(dir);
  }
  throw new Error(`cannot find virt-gen's installation folder above ${from}`);
}

/** The hook file's text: where Node and the hook bundle are, and the root it acts on. */
export function hookScript(root: string, node = process.execPath, pkg = packageRoot()): string {
  const bundle = path.join(pkg, 'dist', 'hook.js');
  // CommonJS with a dynamic import(): an extensionless file outside a "type": "module" package is
  // not an ES module to Node. A missing bundle (virt-gen removed) must not block every VM's start.
  return [
    `#!${node}`,
    '// virt-gen\'s libvirt hook, written by `virt-gen host apply` (docs/host.md, "The runtime hook").',
    '// libvirt runs it as: virt-gen NAME prepare|started|release begin|end - , the domain XML on stdin.',
    '// It acts only on domains virt-gen defined with a runtime plan in <metadata>; others exit 0 at once.',
    `import(${JSON.stringify(bundle)}).then(`,
    `  (hook) => hook.hookMain({ root: ${JSON.stringify(path.resolve(root))} }),`,
    '  (err) => process.stderr.write(`virt-gen hook: not run, cannot load ${err.message}\\n`),',
    ');',
    '',
  ].join('\n');
}

/** Whether libvirt (started before this change) already calls QEMU hooks, so it will see ours. */
export async function libvirtSeesNewHook(root: string): Promise<boolean> {
  if (await pathExists(root, '/etc/libvirt/hooks/qemu')) return true;
  return (await listDir(root, HOOK_DIR)).length > 0;
}

export interface HookCheck {
  installed: boolean;
  executable: boolean;
}

export async function checkHookFile(root: string): Promise<HookCheck> {
  const st = await statPath(root, HOOK_PATH);
  return { installed: st?.isFile() === true, executable: st !== undefined && (st.mode & 0o111) !== 0 };
}
