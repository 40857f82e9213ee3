/**
 * `virt-gen define CONFIG`: check the host, configure it (as root), define the domain in libvirt.
 * The order is what keeps "an error changes nothing" true:
 *
 *   config + host facts -> domain XML -> host checks -> libvirt reached, version checked
 *     -> define prepared (ownership, hand edits merged, conflicts: every refusal)
 *     -> libvirt's schema check -> host plan applied (as root) -> define -> AppArmor reload -> report
 *
 * A define libvirt refuses after the host files were written puts them back (define-host.ts).
 */
import path from 'node:path';
import { buildOnHost, type VmOnHost } from '../../build-domain.js';
import { formatPciAddress, type PciAddress } from '../../domain/address.js';
import { writeDomainXml } from '../../domain/write.js';
import { HostError } from '../../host/errors.js';
import type { Backend } from '../../libvirt/index.js';
import type { DefineResult, PreparedDefine } from '../../define/index.js';
import {
  applyHostFor,
  planHostFor,
  printNotes,
  reloadAppArmorFor,
  undoHost,
  type HostStep,
} from './define-host.js';
import { EXIT } from '../../util/errors.js';
import { virshHint, virtGenHint } from '../hints.js';
import type { GlobalOptions } from '../options.js';
import { Reporter } from '../reporter.js';
import { formatNote } from '../output.js';

export interface DefineCommandOptions extends Omit<GlobalOptions, 'connect'> {
  /** `-c URI`; given several times, the VM is defined on each host (define-hosts.ts). */
  connect?: string | string[];
  /** `--facts sysfs|libvirt`: force the facts source (default: sysfs for a local URI, else libvirt). */
  facts?: string;
  dryRun?: boolean;
  force?: boolean;
  /** Settle conflicts with hand edits: keep the edit (theirs) or apply the config (ours). */
  theirs?: boolean;
  ours?: boolean;
  /** commander's `--no-host-check` sets this to false. */
  hostCheck?: boolean;
}

/** The options of a define on one host: one URI. */
export type OneHostOptions = DefineCommandOptions & { connect?: string };

export async function runDefine(config: string, opts: DefineCommandOptions): Promise<void> {
  const uris = typeof opts.connect === 'string' ? [opts.connect] : (opts.connect ?? []);
  if (uris.length > 1) {
    const { defineOnHosts } = await import('./define-hosts.js');
    return defineOnHosts(config, uris, opts);
  }
  const out = new Reporter(opts.json === true);
  await defineOnHost(config, { ...opts, connect: uris[0] }, out);
  out.finish();
}

/** What one host got, for the summary of a define on several hosts. */
export interface HostOutcome {
  /** e.g. `created domain 'win' (vCPUs pinned to host CPUs 2,10,3,11)` */
  summary: string;
}

/** The whole define on one host: its facts, its checks and pins, its plan, its libvirt. */
export async function defineOnHost(
  config: string,
  opts: OneHostOptions,
  out: Reporter,
): Promise<HostOutcome> {
  const root = opts.root ?? '/';
  const { chooseFactsSource } = await import('../../host/facts-source.js');
  const source = chooseFactsSource({ uri: opts.connect, root, facts: opts.facts });
  const onHost = await buildOnHost(config, root, source.read);
  out.set('facts', source.name);
  if (opts.verbose) out.note(`host facts: ${source.describe}`);
  out.set('notes', onHost.notes);
  for (const n of onHost.notes) {
    if (n.level === 'warning') out.warn(`${n.field}: ${n.message}`);
    else out.note(formatNote(n));
  }
  if (opts.hostCheck !== false) await checkHost(onHost, out);
  else out.note('host check skipped (--no-host-check)');

  const forHost = opts.hostCheck === false ? presentOnly(onHost, out, config, opts) : onHost;

  const { openBackend } = await import('../../libvirt/index.js');
  const { backend, reason } = await openBackend({
    ...(opts.backend ? { backend: opts.backend } : {}),
    uri: source.uri,
    verbose: opts.verbose === true,
  });
  try {
    await checkVersion(onHost, backend);
    await checkCpuModel(onHost, backend, out);
    const prepared = await prepare(config, onHost, backend, opts, out);
    // libvirt cannot write a remote host's files: show its plan and the commands to run there.
    const step =
      source.name === 'libvirt'
        ? await showRemotePlan(config, forHost, source.uri, out)
        : await applyHostFor(config, await planHostFor(forHost, root, out), root, opts, out);
    const result = await commit(prepared, step);
    if (step) {
      await reloadAppArmorFor(step, out);
      printNotes(step, out);
    }
    if (opts.verbose) out.note(`backend ${reason}`);
    reportDefine(result, backend, opts, out);
    const verb = result.dryRun ? `would ${dryRunVerb(result.action)}` : result.action;
    return { summary: `${verb} domain '${result.name}'${pinSummary(onHost)}` };
  } catch (err) {
    // A refused define carries the difference: show it before the one-line error.
    const diff = (err as { editDiff?: string; diff?: string }).editDiff ?? (err as { diff?: string }).diff;
    if (diff && !opts.json) process.stderr.write(diff.endsWith('\n') ? diff : diff + '\n');
    throw err;
  } finally {
    await backend.close();
  }
}

/** ` (vCPUs pinned to host CPUs 2,10,3,11)`: where this host's pinning put the guest. */
function pinSummary({ domain }: VmOnHost): string {
  const pins = domain.cputune?.vcpupin?.map((p) => p.cpuset) ?? [];
  return pins.length > 0 ? ` (vCPUs pinned to host CPUs ${pins.join(',')})` : '';
}

/** A host reached through libvirt: its plan and the commands to run there; nothing is written. */
async function showRemotePlan(
  config: string,
  { facts, needs }: VmOnHost,
  uri: string,
  out: Reporter,
): Promise<undefined> {
  const { remotePlanLines } = await import('../../host/remote-plan.js');
  const lines = remotePlanLines(facts, needs, config, uri);
  if (lines.length > 0) out.set('remoteHostPlan', lines);
  for (const line of lines) out.say(line);
  return undefined;
}

/** What define did (or, dry run, would do), with the commands that follow from it. */
function reportDefine(result: DefineResult, backend: Backend, opts: OneHostOptions, out: Reporter): void {
  const via = `${backend.name} (${backend.uri})`;
  out.set('dryRun', result.dryRun);
  out.set('action', result.action);
  out.set('name', result.name);
  out.set('uuid', result.uuid);
  out.set('uri', backend.uri);
  out.set('backend', backend.name);
  out.set('provenance', result.provenance);
  out.set('diff', result.diff);
  out.set('lost', result.lost);
  for (const l of result.lost) out.warn(`libvirt did not keep ${l}`);
  for (const w of result.warnings) out.warn(w);
  if (result.dryRun) {
    out.set('blocked', result.blocked);
    out.say(
      `dry run: would ${result.blocked ? `refuse (${REFUSAL[result.provenance] ?? result.provenance}; --force overwrites)` : dryRunVerb(result.action)} domain '${result.name}' through ${via}`,
    );
    if (result.diff) out.say(result.diff);
    else if (result.action !== 'created') out.say('(no difference from the defined domain)');
    // The real run would refuse: a script checking the dry run must see that.
    if (result.blocked) process.exitCode = EXIT.refused;
    return;
  }
  out.say(`${result.action} domain '${result.name}' (uuid ${result.uuid ?? '?'}) through ${via}`);
  if (result.action === 'updated' && result.diff) out.say(result.diff);
  if (result.backupPath) {
    out.set('backupPath', result.backupPath);
    out.say(`previous definition saved to ${result.backupPath}`);
    out.say(`restore it with: ${virshHint(['define', result.backupPath], backend.uri, opts)}`);
  }
  reportMerge(result, out);
  if (result.action !== 'unchanged') {
    out.say(
      `libvirt runs its QEMU as its own unprivileged user; manage it with virsh or virt-manager (${virshHint(['start', result.name], backend.uri, opts)})`,
    );
  }
}

function reportMerge({ merge }: DefineResult, out: Reporter): void {
  if (!merge) return;
  out.set('merge', merge);
  for (const k of merge.kept) out.say(`kept hand edit: ${k}`);
  for (const c of merge.conflicts) {
    const won = merge.resolved === 'ours' ? `config ${c.config}` : `edit ${c.edited}`;
    out.say(`conflict settled by --${merge.resolved ?? '?'}: ${c.field}: ${won}`);
  }
}

/** Every check that can refuse the define, before any host file is written. */
async function prepare(
  config: string,
  { domain }: VmOnHost,
  backend: Backend,
  opts: DefineCommandOptions,
  out: Reporter,
): Promise<PreparedDefine> {
  const { prepareDefine } = await import('../../define/index.js');
  const { checkSchema } = await import('../../libvirt/schema-check.js');
  const { writeXml } = await import('../../domain/index.js');
  const prepared = await prepareDefine({
    xml: writeDomainXml(domain),
    configPath: path.resolve(config),
    backend,
    force: opts.force === true,
    dryRun: opts.dryRun === true,
    ...(opts.ours ? { resolve: 'ours' as const } : opts.theirs ? { resolve: 'theirs' as const } : {}),
  });
  if (!prepared.options.dryRun && prepared.action !== 'unchanged') {
    const skipped = await checkSchema(writeXml(prepared.planned));
    if (skipped) out.warn(skipped);
  }
  return prepared;
}

/** The define; if libvirt refuses it, the host files this run wrote are put back first. */
async function commit(prepared: PreparedDefine, step: HostStep | undefined): Promise<DefineResult> {
  const { commitDefine } = await import('../../define/index.js');
  const { pauseForTest } = await import('../../define/fault-hook.js');
  if (step && step.snapshots.length > 0) await pauseForTest('host-written');
  try {
    return await commitDefine(prepared);
  } catch (err) {
    const undone = step ? await undoHost(step) : '';
    if (undone && err instanceof Error) err.message = `${err.message}; ${undone}`;
    throw err;
  }
}

const REFUSAL: Record<string, string> = {
  'hand-edited': 'changed since virt-gen defined it',
  foreign: 'not defined by virt-gen',
  unverifiable: 'virt-gen stamp without a hash',
};

const dryRunVerb = (action: string): string =>
  action === 'created' ? 'create' : action === 'updated' ? 'update' : 'leave unchanged';

/** What the config names must exist on the host; a non-viable IOMMU group is an error. */
async function checkHost({ vm, facts, needs, domain }: VmOnHost, out: Reporter): Promise<void> {
  const { assertGroupsViable } = await import('../../host/iommu.js');
  const named = [
    ...vm.gpus.map((g, i) => [`gpu[${i}].host`, g.address] as const),
    ...vm.pci.map((p, i) => [`pci[${i}]`, p.address] as const),
  ];
  const missing = named.filter(
    ([, a]) => !facts.pci.some((d) => formatPciAddress(d.address) === formatPciAddress(a)),
  );
  if (missing.length) {
    const list = missing.map(([at, a]) => `${at}: ${formatPciAddress(a)}`).join(', ');
    throw new HostError(
      `no such PCI device on this host: ${list} (lspci lists what there is; --no-host-check defines anyway, for a card fitted later)`,
      'missing-pci-device',
    );
  }
  assertGroupsViable(facts, needs.pciDevices);
  await checkExplicitPins(onHostCpu(vm, facts), out);
  // Hugepages are needed to start, not to define: say what is missing and how to get it.
  const { checkHugepages } = await import('../../host/doctor/memory.js');
  for (const f of checkHugepages(facts, needs)) if (f.status !== 'ok') out.warn(`${f.what}: ${f.fix}`);
  for (const h of domain.devices?.hostdev ?? []) {
    const v = h.source?.vendor?.id;
    const p = h.source?.product?.id;
    if (h.type !== 'usb' || !v || !p) continue;
    const present = facts.usb.some((u) => u.vendor === parseInt(v, 16) && u.product === parseInt(p, 16));
    if (!present)
      out.warn(
        `USB device ${v.slice(2)}:${p.slice(2)} is not plugged in; the VM starts without it (startupPolicy ${h.source?.startupPolicy ?? 'mandatory'})`,
      );
  }
  await checkVmPaths({ facts, domain }, out);
}

/** Disk images, ISOs, ROMs, evdev devices: libvirt defines without them, QEMU fails at start. */
async function checkVmPaths(
  { facts, domain }: Pick<VmOnHost, 'facts' | 'domain'>,
  out: Reporter,
): Promise<void> {
  const { inspectVmPaths } = await import('../../host/vm-paths.js');
  const { readText } = await import('../../host/read.js');
  const { QEMU_CONF } = await import('../../host/qemu-conf.js');
  const report = await inspectVmPaths(facts, facts.root, domain, await readText(facts.root, QEMU_CONF));
  for (const p of report.problems) {
    out.warn(`${p.message}${p.optional ? '' : ': the VM will not start until this is fixed'} (${p.fix})`);
  }
}

/** Features the connected libvirt is too old for, named in the config's terms (define/requirements.ts). */
async function checkVersion({ domain }: VmOnHost, backend: Backend): Promise<void> {
  const { unmetRequirements } = await import('../../define/requirements.js');
  const { DefineError } = await import('../../define/index.js');
  const unmet = unmetRequirements(domain, await backend.version());
  if (unmet.length) throw new DefineError(`nothing was changed: ${unmet.join('; ')}`);
}

/** A named CPU model the host's QEMU lacks or its CPU cannot run: libvirt defines it, QEMU refuses to start. */
async function checkCpuModel({ domain }: VmOnHost, backend: Backend, out: Reporter): Promise<void> {
  const model = domain.cpu?.mode === 'custom' ? domain.cpu.model?.value : undefined;
  if (model === undefined) return;
  const { cpuModelProblem, parseCpuModels } = await import('../../host/from-libvirt/cpu-models.js');
  // Advisory: where libvirt gives no capabilities (no KVM), there is nothing to compare with.
  const caps = await backend
    .domainCapabilities({ virttype: domain.type ?? 'kvm', arch: domain.os?.type?.arch ?? 'x86_64' })
    .catch(() => undefined);
  const problem = caps === undefined ? undefined : cpuModelProblem(model, parseCpuModels(caps));
  if (problem) out.warn(problem);
}

/** With --no-host-check: configure the host for the devices it has; the rest once the card is fitted. */
function presentOnly(onHost: VmOnHost, out: Reporter, config: string, opts: GlobalOptions): VmOnHost {
  const has = (a: PciAddress): boolean =>
    onHost.facts.pci.some((d) => formatPciAddress(d.address) === formatPciAddress(a));
  const absent = onHost.needs.pciDevices.filter((a) => !has(a));
  if (absent.length) {
    out.warn(
      `not on this host, so not in the host plan: ${absent.map(formatPciAddress).join(', ')}; run \`${virtGenHint(['host', 'apply', config], opts, true)}\` once the card is fitted`,
    );
  }
  return { ...onHost, needs: { ...onHost.needs, pciDevices: onHost.needs.pciDevices.filter(has) } };
}

interface PinsOnHost {
  topology: VmOnHost['facts']['cpu'];
  guest: { cores: number; threads: number };
  pins: string[] | false | 'auto';
  emulator?: string;
  iothread?: string;
  cpuset?: string;
}

const onHostCpu = (vm: VmOnHost['vm'], facts: VmOnHost['facts']): PinsOnHost => ({
  topology: facts.cpu,
  guest: { cores: vm.cpu.cores * vm.cpu.sockets, threads: vm.cpu.threads },
  pins: vm.cpu.pin,
  ...(vm.cpu.emulatorPin ? { emulator: vm.cpu.emulatorPin } : {}),
  ...(vm.cpu.iothreadPin ? { iothread: vm.cpu.iothreadPin } : {}),
  ...(vm.cpu.cpuset ? { cpuset: vm.cpu.cpuset } : {}),
});

/** Explicit pins must name CPUs the host has; pairs that split SMT siblings are worth a warning. */
async function checkExplicitPins(p: PinsOnHost, out: Reporter): Promise<void> {
  if (!Array.isArray(p.pins) && !p.cpuset) return;
  const { checkCpuset, checkPins } = await import('../../host/pinning.js');
  const { parseCpuList } = await import('../../host/cpulist.js');
  const cpusetErrors = p.cpuset ? checkCpuset(p.topology, parseCpuList(p.cpuset)) : [];
  if (cpusetErrors.length) throw new HostError(cpusetErrors.join('; '), 'pins');
  if (!Array.isArray(p.pins)) return;
  const result = checkPins(p.topology, p.guest, {
    vcpus: p.pins.map(parseCpuList),
    ...(p.emulator ? { emulator: parseCpuList(p.emulator) } : {}),
    ...(p.iothread ? { iothreads: parseCpuList(p.iothread) } : {}),
  });
  for (const w of result.warnings) out.warn(w);
  if (result.errors.length) throw new HostError(result.errors.join('; '), 'pins');
}
