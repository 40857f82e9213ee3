/** `virt-gen doctor [CONFIG]`: is this host ready? Exit 0 when ready, 1 when not. */
import path from 'node:path';
import { buildOnHost } from '../../build-domain.js';
import {
  doctorExitCode,
  formatDoctorText,
  runDoctor,
  type DoctorReport,
  type LibvirtStatus,
} from '../../host/doctor.js';
import { chooseFactsSource, type FactsSource } from '../../host/facts-source.js';
import { LibvirtError } from '../../libvirt/errors.js';
import { backendOptions, type GlobalOptions } from '../options.js';
import { Reporter } from '../reporter.js';
import type { Finding } from '../../host/doctor.js';
import type { GenerateNote } from '../../generate/index.js';

const noteFinding = (n: GenerateNote): Finding =>
  n.level === 'warning'
    ? {
        id: `config:${n.field}`,
        status: 'warn',
        what: `${n.field}: ${n.message}`,
        why: 'generation had to choose differently from what the config asks for, or could not do it here',
        fix: `see ${n.field} in docs/config.md`,
      }
    : { id: `config:${n.field}`, status: 'ok', what: `${n.field}: ${n.message}`, why: '', fix: '' };

export interface DoctorCommandOptions extends GlobalOptions {
  /** `--facts sysfs|libvirt`: force the facts source (default: sysfs for a local URI, else libvirt). */
  facts?: string;
}

export interface DoctorDeps {
  /** Asks libvirt for its version; by default the CLI's backend, on the live host only. */
  checkLibvirt?: () => Promise<LibvirtStatus>;
}

/** libvirt's version through the usual backend; loaded only here, so doctor on a root never opens D-Bus. */
function libvirtCheck(opts: DoctorCommandOptions): () => Promise<LibvirtStatus> {
  return async () => {
    const { openBackend } = await import('../../libvirt/index.js');
    try {
      const { backend } = await openBackend(backendOptions(opts));
      try {
        return { ok: true, version: (await backend.version()).text };
      } finally {
        await backend.close();
      }
    } catch (err) {
      const kind = err instanceof LibvirtError ? err.kind : undefined;
      return {
        ok: false,
        error: err instanceof Error ? err.message : String(err),
        ...(kind ? { kind } : {}),
      };
    }
  };
}

export async function runDoctorCommand(
  config: string | undefined,
  opts: DoctorCommandOptions,
  deps: DoctorDeps = {},
): Promise<void> {
  const root = opts.root ?? '/';
  const source = chooseFactsSource({ uri: opts.connect, root, facts: opts.facts });
  const report =
    source.name === 'libvirt'
      ? await remoteDoctor(config, source, deps.checkLibvirt ?? libvirtCheck(opts))
      : await localDoctor(config, source, root, opts, deps);
  const out = new Reporter(opts.json === true);
  out.merge(report);
  out.say(formatDoctorText(report));
  out.finish();
  process.exitCode = doctorExitCode(report);
}

async function localDoctor(
  config: string | undefined,
  source: FactsSource,
  root: string,
  opts: DoctorCommandOptions,
  deps: DoctorDeps,
): Promise<DoctorReport> {
  const onHost = config !== undefined ? await buildOnHost(config, root, source.read) : undefined;
  const facts = onHost?.facts ?? (await source.read());
  // Under another root, the running libvirt is not that system's: leave it out.
  const checkLibvirt = deps.checkLibvirt ?? (path.resolve(root) === '/' ? libvirtCheck(opts) : undefined);
  const report = await runDoctor(facts, root, {
    ...(onHost ? { needs: onHost.needs, domain: onHost.domain, planOptions: { owner: onHost.vm.name } } : {}),
    ...(checkLibvirt ? { checkLibvirt } : {}),
  });
  // Generation's notes are findings too: the same warnings `xml` and `define` print.
  if (onHost) report.findings.unshift(...onHost.notes.map(noteFinding));
  return report;
}

/** A host reached through libvirt: what libvirt can answer, and what to run on the host for the rest. */
async function remoteDoctor(
  config: string | undefined,
  source: FactsSource,
  checkLibvirt: () => Promise<LibvirtStatus>,
): Promise<DoctorReport> {
  const [{ diagnoseRemote, parseDomainCaps }, { VirshHostQuery }] = await Promise.all([
    import('../../host/doctor/remote.js'),
    import('../../libvirt/host-query.js'),
  ]);
  const onHost = config !== undefined ? await buildOnHost(config, '/', source.read) : undefined;
  const facts = onHost?.facts ?? (await source.read());
  const domcaps = await new VirshHostQuery(source.uri).domainCapabilities();
  const env = {
    uri: source.uri,
    libvirt: await checkLibvirt(),
    ...(domcaps !== undefined ? { domcaps: parseDomainCaps(domcaps) } : {}),
  };
  const findings = [
    ...(onHost?.notes ?? []).map(noteFinding),
    ...diagnoseRemote(facts, env, onHost?.needs, config),
  ];
  return { ready: !findings.some((f) => f.status === 'fail'), findings };
}
