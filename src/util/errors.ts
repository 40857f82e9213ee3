/**
 * The one base class of virt-gen's own errors. Anything thrown that is a VirtGenError is the user's
 * problem (bad input, a host that is not ready, libvirt saying no) and carries a message that can be
 * printed as it is and the exit code the CLI documents; anything else is a bug (exit 70). The CLI
 * decides with `instanceof`, never from a class name, so a new subclass needs no registration.
 */

/** The exit codes of `virt-gen`, as documented in `virt-gen --help` and docs/cli.md. */
export const EXIT = {
  /** Done, or (doctor) ready. */
  ok: 0,
  /** Refused, failed, or (doctor) not ready. */
  refused: 1,
  /** Usage: an unknown command or option, a bad option value. */
  usage: 2,
  /** libvirt could not be reached (no daemon, no socket, wrong URI). */
  unreachable: 3,
  /** A bug in virt-gen. */
  bug: 70,
} as const;

export type ExitCode = (typeof EXIT)[keyof typeof EXIT];

export interface VirtGenErrorOptions {
  /** The error this one explains (standard `Error.cause`). */
  cause?: unknown;
  /** Overrides the class's exit code. */
  exitCode?: ExitCode;
}

export class VirtGenError extends Error {
  /** The exit code the CLI uses for this error. */
  readonly exitCode: ExitCode;

  constructor(message: string, options: VirtGenErrorOptions = {}) {
    super(message, options.cause !== undefined ? { cause: options.cause } : undefined);
    this.name = 'VirtGenError';
    this.exitCode = options.exitCode ?? EXIT.refused;
  }
}

/** A command-line mistake: unknown value of an option, a missing argument. Exit 2. */
export class UsageError extends VirtGenError {
  constructor(message: string, options: VirtGenErrorOptions = {}) {
    super(message, { exitCode: EXIT.usage, ...options });
  }
}
