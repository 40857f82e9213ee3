/**
 * Errors of `virt-gen import`: every one names the argument and where it stands in the file, so that
 * the CLI can print it as it is (no stack trace) and exit non-zero.
 */

/** A place in the imported text, 1-based as editors count. */
import { VirtGenError } from '../util/errors.js';

export interface Position {
  line: number;
  column: number;
}

export interface ImportErrorDetails {
  /** The argument at fault as written (e.g. `-m lots`), when there is one. */
  argument?: string;
  /** Its 1-based index among the arguments after the QEMU binary. */
  index?: number;
  position?: Position;
}

export class ImportError extends VirtGenError {
  readonly argument?: string;
  readonly index?: number;
  readonly position?: Position;

  constructor(message: string, details: ImportErrorDetails = {}) {
    super(formatMessage(message, details));
    this.name = 'ImportError';
    this.argument = details.argument;
    this.index = details.index;
    this.position = details.position;
  }
}

/** `at line 3, column 5` */
export function formatPosition(p: Position): string {
  return `line ${p.line}, column ${p.column}`;
}

function formatMessage(message: string, d: ImportErrorDetails): string {
  if (d.argument === undefined) return message;
  const where: string[] = [];
  if (d.index !== undefined) where.push(`argument ${d.index}`);
  if (d.position) where.push(formatPosition(d.position));
  const at = where.length ? ` (${where.join(', ')})` : '';
  return `${d.argument}${at}: ${message}`;
}
