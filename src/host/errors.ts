/**
 * The one error type of the host layer. The CLI prints `message` as it is (no stack trace), so every
 * message names the file, device or setting and says what to do. `cause` keeps the underlying error
 * (an errno error, a FileReadError) for `VIRT_GEN_DEBUG` and for callers that need its code.
 */
import { VirtGenError } from '../util/errors.js';

export class HostError extends VirtGenError {
  override readonly name = 'HostError';
  constructor(
    message: string,
    /** A stable identifier for tests and `--json` output, e.g. `qemu-conf-syntax`. */
    readonly code: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}
