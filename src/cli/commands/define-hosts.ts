/**
 * `virt-gen define CONFIG -c URI -c URI …`: the same VM on several hosts. Each host is a full define
 * of its own (its facts, its IOMMU check, its pins, its plan), one after the other so the output of
 * each stays together; a host that fails does not stop the others, and the summary says what each
 * one got. The exit code is 1 when any host failed.
 */
import { reportError } from '../errors.js';
import { defineOnHost, type DefineCommandOptions } from './define.js';

interface HostResult {
  uri: string;
  ok: boolean;
  line: string;
}

export class HostsError extends Error {
  override readonly name = 'HostsError';
}

export async function defineOnHosts(
  config: string,
  uris: string[],
  opts: DefineCommandOptions,
): Promise<void> {
  const dupe = uris.find((u, i) => uris.indexOf(u) !== i);
  if (dupe !== undefined) throw new HostsError(`-c ${dupe} is given twice: each host once`);
  const results: HostResult[] = [];
  for (const uri of uris) {
    process.stdout.write(`\n== ${uri}\n`);
    try {
      const outcome = await defineOnHost(config, opts, uri);
      results.push({ uri, ok: true, line: outcome.summary });
    } catch (err) {
      // The same one-line message a single-host define prints; nothing was defined on that host.
      reportError(err);
      const message = err instanceof Error ? err.message : String(err);
      results.push({ uri, ok: false, line: `failed: ${message}` });
    }
  }
  process.stdout.write('\nsummary:\n');
  for (const r of results) process.stdout.write(`  ${r.ok ? 'ok  ' : 'FAIL'}  ${r.uri}: ${r.line}\n`);
  const failed = results.filter((r) => !r.ok).length;
  if (failed > 0) throw new HostsError(`${failed} of ${results.length} hosts failed (see the summary)`);
}
