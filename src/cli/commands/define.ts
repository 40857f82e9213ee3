/**
 * `virt-gen define CONFIG`: check the host, configure it (as root), define the domain in libvirt.
 *
 *   config + host facts -> domain XML -> host checks -> host plan (applied as root)
 *                                     -> libvirt (D-Bus or virsh): safe define -> report
 */
import path from 'node:path';
import { buildOnHost, type VmOnHost } from '../../build-domain.js';
import { formatPciAddress, type PciAddress } from '../../domain/address.js';
import { writeDomainXml } from '../../domain/write.js';
import { HostError } from '../../host/errors.js';
import type { HostPlan } from '../../host/plan.js';
import type { Backend, BackendChoice } from '../../libvirt/index.js';

export interface DefineCommandOptions {
  /** `-c URI`, repeatable: several URIs define the VM on each host (define-hosts.ts). */
  connect?: string | string[];
  /** `--facts sysfs|libvirt`: force the facts source (default: sysfs for a local URI, else libvirt). */
  facts?: string;
  backend?: BackendChoice;
  root?: string;
  dryRun?: boolean;
  force?: boolean;
  /** commander's `--no-host-check` sets this to false. */
  hostCheck?: boolean;
  verbose?: boolean;
}

const say = (line: string): boolean => process.stdout.write(line + '\n');
const warn = (line: string): boolean => process.stderr.write(`warning: ${line}\n`);

export async function runDefine(config: string, opts: DefineCommandOptions): Promise<void> {
  const uris = typeof opts.connect === 'string' ? [opts.connect] : (opts.connect ?? []);
  if (uris.length > 1) {
    const { defineOnHosts } = await import('./define-hosts.js');
    return defineOnHosts(config, uris, opts);
  }
  await defineOnHost(config, opts, uris[0]);
}

/** What one host got, for the summary of a define on several hosts. */
export interface HostOutcome {
  /** e.g. `created domain 'win' (vCPUs on 2-7,10-15)` */
  summary: string;
}

/** The whole define on one host: its facts, its checks and pins, its plan, its libvirt. */
export async function defineOnHost(
  config: string,
  opts: DefineCommandOptions,
  uri: string | undefined,
): Promise<HostOutcome> {
  const root = opts.root ?? '/';
  const { chooseFactsSource } = await import('../../host/facts-source.js');
  const source = chooseFactsSource({ uri, root, facts: opts.facts });
  const onHost = await buildOnHost(config, root, source.read);
  if (opts.verbose) say(`host facts: ${source.describe}`);
  if (opts.hostCheck !== false) await checkHost(onHost);
  else say('host check skipped (--no-host-check)');

  const checked = opts.hostCheck === false ? presentOnly(onHost) : onHost;
  if (source.name === 'libvirt') await showRemotePlan(config, checked, source.uri);
  else await configureHost(config, checked, root, opts);

  const { openBackend } = await import('../../libvirt/index.js');
  const { defineDomain } = await import('../../define/index.js');
  const { backend, reason } = await openBackend({
    ...(opts.backend ? { backend: opts.backend } : {}),
    uri: source.uri,
    verbose: opts.verbose === true,
  });
  try {
    await checkVersion(onHost, backend);
    const result = await defineDomain({
      xml: writeDomainXml(onHost.domain),
      configPath: path.resolve(config),
      backend,
      force: opts.force === true,
      dryRun: opts.dryRun === true,
    });
    const via = `${backend.name} (${backend.uri})`;
    if (result.dryRun) {
      say(
        `dry run: would ${result.blocked ? `refuse (${REFUSAL[result.provenance] ?? result.provenance}; --force overwrites)` : dryRunVerb(result.action)} domain '${result.name}' through ${via}`,
      );
      if (result.diff) say(result.diff);
      else if (result.action !== 'created') say('(no difference from the defined domain)');
    } else {
      say(`${result.action} domain '${result.name}' (uuid ${result.uuid ?? '?'}) through ${via}`);
      if (result.backupPath) say(`previous definition saved to ${result.backupPath}`);
    }
    if (opts.verbose) say(`backend ${reason}`);
    for (const l of result.lost) warn(`libvirt did not keep ${l}`);
    for (const w of result.warnings) warn(w);
    if (!result.dryRun && result.action !== 'unchanged') {
      say(
        `libvirt runs its QEMU as its own unprivileged user; manage it with virsh or virt-manager (virsh start ${result.name})`,
      );
    }
    const verb = result.dryRun ? `would ${dryRunVerb(result.action)}` : result.action;
    return { summary: `${verb} domain '${result.name}'${pinSummary(onHost)}` };
  } catch (err) {
    // A refused define carries the difference: show it before the one-line error.
    const diff = (err as { editDiff?: string; diff?: string }).editDiff ?? (err as { diff?: string }).diff;
    if (diff) process.stderr.write(diff.endsWith('\n') ? diff : diff + '\n');
    throw err;
  } finally {
    await backend.close();
  }
}

/** ` (vCPUs on 2-7,10-15)`: where this host's pinning put the guest, the part that differs per host. */
function pinSummary({ domain }: VmOnHost): string {
  const pins = domain.cputune?.vcpupin?.map((p) => p.cpuset) ?? [];
  return pins.length > 0 ? ` (vCPUs pinned to host CPUs ${pins.join(',')})` : '';
}

/** A host reached through libvirt: show its plan and the commands to run there; write nothing. */
async function showRemotePlan(config: string, { facts, needs }: VmOnHost, uri: string): Promise<void> {
  const { remotePlanLines } = await import('../../host/remote-plan.js');
  for (const line of remotePlanLines(facts, needs, config, uri)) say(line);
}

const REFUSAL: Record<string, string> = {
  'hand-edited': 'changed since virt-gen defined it',
  foreign: 'not defined by virt-gen',
  unverifiable: 'virt-gen stamp without a hash',
};

const dryRunVerb = (action: string): string =>
  action === 'created' ? 'create' : action === 'updated' ? 'update' : 'leave unchanged';

/** What the config names must exist on the host; a non-viable IOMMU group is an error. */
async function checkHost({ vm, facts, needs, domain }: VmOnHost): Promise<void> {
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
  await checkExplicitPins(onHostCpu(vm, facts));
  // Hugepages are needed to start, not to define: say what is missing and how to get it.
  const { checkHugepages } = await import('../../host/doctor/memory.js');
  for (const f of checkHugepages(facts, needs)) if (f.status !== 'ok') warn(`${f.what}: ${f.fix}`);
  for (const h of domain.devices?.hostdev ?? []) {
    const v = h.source?.vendor?.id;
    const p = h.source?.product?.id;
    if (h.type !== 'usb' || !v || !p) continue;
    const present = facts.usb.some((u) => u.vendor === parseInt(v, 16) && u.product === parseInt(p, 16));
    if (!present)
      warn(
        `USB device ${v.slice(2)}:${p.slice(2)} is not plugged in; the VM starts without it (startupPolicy ${h.source?.startupPolicy ?? 'mandatory'})`,
      );
  }
}

/** Features the connected libvirt is too old for, named in the config's terms (define/requirements.ts). */
async function checkVersion({ domain }: VmOnHost, backend: Backend): Promise<void> {
  const { unmetRequirements } = await import('../../define/requirements.js');
  const { DefineError } = await import('../../define/index.js');
  const unmet = unmetRequirements(domain, await backend.version());
  if (unmet.length) throw new DefineError(`nothing was defined: ${unmet.join('; ')}`);
}

/** With --no-host-check: configure the host for the devices it has; the rest once the card is fitted. */
function presentOnly(onHost: VmOnHost): VmOnHost {
  const has = (a: PciAddress): boolean =>
    onHost.facts.pci.some((d) => formatPciAddress(d.address) === formatPciAddress(a));
  const absent = onHost.needs.pciDevices.filter((a) => !has(a));
  if (absent.length) {
    warn(
      `not on this host, so not in the host plan: ${absent.map(formatPciAddress).join(', ')}; run "virt-gen host apply" once the card is fitted`,
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
}

const onHostCpu = (vm: VmOnHost['vm'], facts: VmOnHost['facts']): PinsOnHost => ({
  topology: facts.cpu,
  guest: { cores: vm.cpu.cores * vm.cpu.sockets, threads: vm.cpu.threads },
  pins: vm.cpu.pin,
  ...(vm.cpu.emulatorPin ? { emulator: vm.cpu.emulatorPin } : {}),
  ...(vm.cpu.iothreadPin ? { iothread: vm.cpu.iothreadPin } : {}),
});

/** Explicit pins must name CPUs the host has; pairs that split SMT siblings are worth a warning. */
async function checkExplicitPins(p: PinsOnHost): Promise<void> {
  if (!Array.isArray(p.pins)) return;
  const { checkPins } = await import('../../host/pinning.js');
  const { parseCpuList } = await import('../../host/cpulist.js');
  const result = checkPins(p.topology, p.guest, {
    vcpus: p.pins.map(parseCpuList),
    ...(p.emulator ? { emulator: parseCpuList(p.emulator) } : {}),
    ...(p.iothread ? { iothreads: parseCpuList(p.iothread) } : {}),
  });
  for (const w of result.warnings) warn(w);
  if (result.errors.length) throw new HostError(result.errors.join('; '), 'pins');
}

/** As root, apply the host plan; otherwise show it with the command that applies it. */
async function configureHost(
  config: string,
  { vm, facts, needs }: VmOnHost,
  root: string,
  opts: DefineCommandOptions,
): Promise<void> {
  const { planHost, applyHostPlan } = await import('../../host/plan.js');
  const plan: HostPlan = await planHost(facts, needs, root, { owner: vm.name });
  for (const w of plan.warnings) warn(w);
  if (plan.changes.length === 0) return;
  const isRoot = process.getuid?.() === 0;
  if (opts.dryRun || !isRoot) {
    say(
      opts.dryRun
        ? 'dry run: the host needs these changes:'
        : 'the host needs these changes (not root: nothing written):',
    );
    for (const c of plan.changes) say(`# ${c.path}: ${c.why}\n${c.diff}`);
    if (!opts.dryRun)
      say(`apply them with: sudo virt-gen host apply ${config}${root === '/' ? '' : ` --root ${root}`}`);
    return;
  }
  const result = await applyHostPlan(plan, root);
  for (const f of result.written) say(`wrote ${f}`);
  for (const b of result.backups) say(`backup of the original: ${b}`);
  if (plan.apparmor.action === 'write' && plan.apparmor.changed) {
    const { readAppArmorState } = await import('../../host/apparmor.js');
    const { reloadQemuProfiles } = await import('../../host/apparmor-reload.js');
    const reload = await reloadQemuProfiles(root, (await readAppArmorState(root)).enabled);
    for (const r of reload.runs) if (!r.ok) warn(`apparmor_parser ${r.args.join(' ')}: ${r.message}`);
  }
  for (const n of plan.notes) say(`note: ${n}`);
}
