/**
 * How the CLI reports failures and picks the exit code. A VirtGenError (src/util/errors.ts) is the
 * user's problem: its message is printed as it is, with its own exit code. Commander's errors are
 * usage errors (exit 2; commander has printed the message already). A system call that failed on
 * the user's files (read-only mount, permission, a folder where a file should be) is reported as
 * what it is (exit 1). Anything else is a bug: exit 70, with a request to report it.
 */
import { CommanderError } from 'commander';
import { EXIT, VirtGenError } from '../util/errors.js';

/** Prints `err` to stderr and returns the exit code to use. */
export function reportError(err: unknown): number {
  if (err instanceof CommanderError) return err.exitCode === 0 ? EXIT.ok : EXIT.usage;
  if (err instanceof VirtGenError) {
    process.stderr.write(`virt-gen: ${err.message}\n`);
    debugStack(err);
    return err.exitCode;
  }
  if (isSystemError(err)) {
    process.stderr.write(`virt-gen: ${systemMessage(err)}\n`);
    debugStack(err);
    return EXIT.refused;
  }
  const message = err instanceof Error ? err.message : String(err);
  process.stderr.write(`virt-gen: internal error: ${message}\n`);
  if (process.env.VIRT_GEN_DEBUG && err instanceof Error) process.stderr.write(`${err.stack}\n`);
  else process.stderr.write('(set VIRT_GEN_DEBUG=1 for the stack trace, and please report it)\n');
  return EXIT.bug;
}

function debugStack(err: Error): void {
  if (process.env.VIRT_GEN_DEBUG) process.stderr.write(`${err.stack}\n`);
}

/** Node's errors from a failed system call carry the call and the errno code. */
function isSystemError(err: unknown): err is NodeJS.ErrnoException & { syscall: string; code: string } {
  const e = err as NodeJS.ErrnoException | undefined;
  return err instanceof Error && typeof e?.syscall === 'string' && typeof e.code === 'string';
}

const ERRNO_TEXT: Record<string, string> = {
  EACCES: 'permission denied (run as root?)',
  EPERM: 'operation not permitted (run as root?)',
  EROFS: 'read-only file system',
  EISDIR: 'is a directory',
  ENOTDIR: 'a path component is not a directory',
  ENOENT: 'no such file or directory',
  ENOSPC: 'no space left on device',
  EEXIST: 'already exists',
};

/** A failed system call's errno in words, e.g. `read-only file system`. */
export function errnoText(err: unknown): string {
  const e = err as NodeJS.ErrnoException;
  return (e.code !== undefined ? ERRNO_TEXT[e.code] : undefined) ?? e.message ?? String(err);
}

function systemMessage(err: NodeJS.ErrnoException & { syscall: string; code: string }): string {
  const what = errnoText(err);
  return err.path ? `${err.path}: ${what} (${err.syscall})` : `${err.syscall}: ${what}`;
}
