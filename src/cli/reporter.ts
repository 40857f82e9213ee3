/**
 * The one output reporter of the CLI. A command says what happened through it; the reporter
 * prints text (results on stdout, warnings and notes on stderr) or, with --json, collects the
 * same facts and prints one JSON document on stdout at the end. Warnings go to stderr in both
 * modes and are in the JSON too, so a script reading stdout gets valid JSON whatever happened.
 */
export class Reporter {
  private readonly record: Record<string, unknown> = {};
  private readonly warnings: string[] = [];

  constructor(readonly json: boolean) {}

  /** A line of the human result (stdout); left out of JSON, where `set` carries the facts. */
  say(line: string): void {
    if (!this.json) process.stdout.write(line.endsWith('\n') ? line : line + '\n');
  }

  /** A note for the human (stderr), not part of the result. */
  note(line: string): void {
    if (!this.json) process.stderr.write(`${line}\n`);
  }

  warn(line: string): void {
    this.warnings.push(line);
    process.stderr.write(`warning: ${line}\n`);
  }

  /** A fact of the result, for --json. */
  set(key: string, value: unknown): void {
    if (value !== undefined) this.record[key] = value;
  }

  /** Facts of the result, for --json, from an object already shaped for it. */
  merge(facts: object): void {
    Object.assign(this.record, facts);
  }

  /** With --json: the result, with the warnings, as one document on stdout. */
  finish(): void {
    if (!this.json) return;
    process.stdout.write(JSON.stringify({ ...this.record, warnings: this.warnings }, null, 2) + '\n');
  }
}
