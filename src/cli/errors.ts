/**
 * How the CLI reports failures and picks the exit code. A VirtGenError (src/util/errors.ts) is the
 * user's problem: its message is printed as it is, with its own exit code. Commander's errors are
 * usage errors (exit 2; commander has printed the message already). A system call that failed on
 * the user's files (read-only mount, permission, a folder where a file should be) is reported as
 * what it is (exit 1). Anything else is a bug: exit 70, with a request to report it.
 */
import { CommanderError } from 'commander';
import { EXIT, VirtGenError } from '../util/errors.js';
import { errnoWords } from '../util/read-bounded.js';

/**
 * Prints `err` to stderr and returns the exit code to use. With --json, stdout gets the error as
 * the one JSON document (`{ "error": …, "exitCode": … }`), so a script always has JSON to read.
 */
export function reportError(err: unknown, json = false): number {
  const code = classify(err);
  if (json && !(err instanceof CommanderError && code === EXIT.ok)) {
    const message = err instanceof Error ? err.message : String(err);
    process.stdout.write(JSON.stringify({ error: message, exitCode: code }, null, 2) + '\n');
  }
  return code;
}

function classify(err: unknown): number {
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

function systemMessage(err: NodeJS.ErrnoException & { syscall: string; code: string }): string {
  const what = errnoWords(err);
  return err.path ? `${err.path}: ${what} (${err.syscall})` : `${err.syscall}: ${what}`;
}
