/**
 * How the CLI reports failures. Every error class of virt-gen sets its own `name` (ConfigError,
 * ImportError, LibvirtError, …): those are the user's problem and print as one clear message.
 * Built-in errors (TypeError, …) are bugs: they print the message and ask for a report.
 */
const BUILTIN = new Set(['Error', 'TypeError', 'RangeError', 'ReferenceError', 'SyntaxError', 'EvalError']);

/** Prints `err` to stderr and returns the exit code to use. */
export function reportError(err: unknown): number {
  if (err instanceof Error && !BUILTIN.has(err.name)) {
    process.stderr.write(`virt-gen: ${err.message}\n`);
    const code = (err as Error & { exitCode?: unknown }).exitCode;
    return typeof code === 'number' ? code : 1;
  }
  const message = err instanceof Error ? err.message : String(err);
  process.stderr.write(`virt-gen: internal error: ${message}\n`);
  if (process.env.VIRT_GEN_DEBUG && err instanceof Error) process.stderr.write(`${err.stack}\n`);
  else process.stderr.write('(set VIRT_GEN_DEBUG=1 for the stack trace, and please report it)\n');
  return 70;
}
