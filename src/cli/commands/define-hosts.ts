/**
 * `virt-gen define CONFIG -c URI -c URI …`: the same VM on several hosts. Each host is a full define
 * of its own (its facts, its IOMMU check, its pins, its plan), one after the other so the output of
 * each stays together; a host that fails does not stop the others, and the summary says what each
 * one got. The exit code is 1 when any host failed.
 */
import { EXIT, UsageError, VirtGenError } from '../../util/errors.js';
import { reportError } from '../errors.js';
import { Reporter } from '../reporter.js';
import { defineOnHost, type DefineCommandOptions } from './define.js';

interface HostResult {
  uri: string;
  ok: boolean;
  line: string;
  /** The host's --json result (what a single-host define prints), or its error. */
  json: Record<string, unknown>;
}

export class HostsError extends VirtGenError {
  override readonly name = 'HostsError';
}

async function defineOn(config: string, uri: string, opts: DefineCommandOptions): Promise<HostResult> {
  const out = new Reporter(opts.json === true);
  try {
    const { summary } = await defineOnHost(config, { ...opts, connect: uri }, out);
    return { uri, ok: true, line: summary, json: { uri, ok: true, ...out.result() } };
  } catch (err) {
    // The same one-line message a single-host define prints, on stderr, and the exit code it has.
    const exitCode = reportError(err);
    const message = err instanceof Error ? err.message : String(err);
    return { uri, ok: false, line: `failed: ${message}`, json: { uri, ok: false, error: message, exitCode } };
  }
}

export async function defineOnHosts(
  config: string,
  uris: string[],
  opts: DefineCommandOptions,
): Promise<void> {
  const dupe = uris.find((u, i) => uris.indexOf(u) !== i);
  if (dupe !== undefined) throw new UsageError(`-c ${dupe} is given twice: each host once`);
  const results: HostResult[] = [];
  for (const uri of uris) {
    if (!opts.json) process.stdout.write(`\n== ${uri}\n`);
    results.push(await defineOn(config, uri, opts));
  }
  const failed = results.filter((r) => !r.ok).length;
  const verdict = `${failed} of ${results.length} hosts failed (see the summary)`;
  if (opts.json) {
    // One JSON document: each host's result, and the verdict in it (no second document for the error).
    const doc = { hosts: results.map((r) => r.json), ...(failed > 0 ? { error: verdict } : {}) };
    process.stdout.write(JSON.stringify(doc, null, 2) + '\n');
    if (failed > 0) process.exitCode = EXIT.refused;
    return;
  }
  process.stdout.write('\nsummary:\n');
  for (const r of results) process.stdout.write(`  ${r.ok ? 'ok  ' : 'FAIL'}  ${r.uri}: ${r.line}\n`);
  if (failed > 0) throw new HostsError(verdict);
}
