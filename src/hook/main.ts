/**
 * Entry of the installed hook (bundled as dist/hook.js): the file `host apply` writes to
 * `/etc/libvirt/hooks/qemu.d/virt-gen` imports this and calls `hookMain`. Kept apart from the CLI
 * so a VM start pays for the hook's few modules, not for commander and the commands.
 */
import { handles, runHook } from './run.js';

const STDIN_LIMIT_MS = 10_000;

/** All of stdin, or what arrived before the time limit (libvirt closes it after the XML). */
function readStdin(): Promise<string> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    const done = (): void => {
      clearTimeout(timer);
      resolve(Buffer.concat(chunks).toString('utf8'));
    };
    const timer = setTimeout(done, STDIN_LIMIT_MS);
    process.stdin.on('data', (c: Buffer) => chunks.push(c));
    process.stdin.on('end', done);
    process.stdin.on('error', done);
  });
}

export async function hookMain(opts: { root: string }): Promise<void> {
  const argv = process.argv.slice(2);
  if (!handles(argv)) return;
  const stdin = await readStdin();
  process.exitCode = await runHook({
    argv,
    stdin,
    root: opts.root,
    log: (line) => process.stderr.write(line + '\n'),
  });
  // Nothing may keep the hook alive once it has answered (libvirt waits for it).
  process.stdin.destroy();
}
