/** Running programs from tests: argument arrays only, bounded in time. */
import { spawnSync } from 'node:child_process';
import { BIN } from './paths.js';

export interface RunResult {
  status: number | null;
  stdout: string;
  stderr: string;
}

export function run(
  cmd: string,
  args: string[],
  opts: { input?: string; env?: NodeJS.ProcessEnv; cwd?: string } = {},
): RunResult {
  const r = spawnSync(cmd, args, {
    encoding: 'utf8',
    timeout: 60_000,
    input: opts.input,
    env: { ...process.env, LC_ALL: 'C', ...opts.env },
    cwd: opts.cwd,
  });
  if (r.error) throw r.error;
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** The built CLI, as a user runs it. */
export function virtGen(
  args: string[],
  opts: { input?: string; env?: NodeJS.ProcessEnv; cwd?: string } = {},
): RunResult {
  return run(process.execPath, [BIN, ...args], opts);
}

/**
 * The built CLI with this machine's CPUs, PCI devices, IOMMU groups and hugepages hidden from it
 * (hidden-host.ts): what it reports about a host can only come through libvirt.
 */
export async function virtGenHidden(
  args: string[],
  opts: { env?: NodeJS.ProcessEnv } = {},
): Promise<RunResult> {
  const { HIDDEN_HOST_JS } = await import('./hidden-host.js');
  return run(
    'unshare',
    ['--mount', '--propagation', 'private', '--', process.execPath, HIDDEN_HOST_JS, ...args],
    opts,
  );
}

/** libvirt's RelaxNG check of a domain document (virt-xml-validate, libxml2-utils). */
export function validateDomainXml(file: string): RunResult {
  return run('virt-xml-validate', [file, 'domain']);
}
