/**
 * `virt-gen define CONFIG`: check the host, configure it (as root), define the domain in libvirt.
 * The order is what keeps "an error changes nothing" true:
 *
 *   config + host facts -> domain XML -> host checks -> libvirt reached, version checked
 *     -> define prepared (ownership, hand edits: every refusal) -> libvirt's schema check
 *     -> host plan applied (as root) -> define -> AppArmor reload -> report
 *
 * A define libvirt refuses after the host files were written puts them back (define-host.ts).
 */
import path from 'node:path';
import { buildOnHost, type VmOnHost } from '../../build-domain.js';
import { formatPciAddress, type PciAddress } from '../../domain/address.js';
import { writeDomainXml } from '../../domain/write.js';
import { HostError } from '../../host/errors.js';
import type { Backend, BackendChoice } from '../../libvirt/index.js';
import type { DefineResult, PreparedDefine } from '../../define/index.js';
import {
  applyHostFor,
  planHostFor,
  printNotes,
  reloadAppArmorFor,
  undoHost,
  type HostStep,
} from './define-host.js';

export interface DefineCommandOptions {
  connect?: string;
  backend?: BackendChoice;
  root?: string;
  dryRun?: boolean;
  force?: boolean;
  /** Settle conflicts with hand edits: keep the edit (theirs) or apply the config (ours). */
  theirs?: boolean;
  ours?: boolean;
  /** commander's `--no-host-check` sets this to false. */
  hostCheck?: boolean;
  verbose?: boolean;
}

const say = (line: string): boolean => process.stdout.write(line + '\n');
const warn = (line: string): boolean => process.stderr.write(`warning: ${line}\n`);

export async function runDefine(config: string, opts: DefineCommandOptions): Promise<void> {
  const root = opts.root ?? '/';
  const onHost = await buildOnHost(config, root);
  if (opts.hostCheck !== false) await checkHost(onHost);
  else say('host check skipped (--no-host-check)');
  const forHost = opts.hostCheck === false ? presentOnly(onHost) : onHost;

  const { openBackend } = await import('../../libvirt/index.js');
  const { backend, reason } = await openBackend({
    ...(opts.backend ? { backend: opts.backend } : {}),
    ...(opts.connect ? { uri: opts.connect } : {}),
    verbose: opts.verbose === true,
  });
  try {
    await checkVersion(onHost, backend);
    const prepared = await prepare(config, onHost, backend, opts);
    const plan = await planHostFor(forHost, root);
    const step = await applyHostFor(config, plan, root, opts);
    const result = await commit(prepared, step);
    await reloadAppArmorFor(step);
    printNotes(step);
    printResult(result, `${backend.name} (${backend.uri})`);
    if (opts.verbose) say(`backend ${reason}`);
  } catch (err) {
    // A refused define carries the difference: show it before the one-line error.
    const diff = (err as { editDiff?: string; diff?: string }).editDiff ?? (err as { diff?: string }).diff;
    if (diff) process.stderr.write(diff.endsWith('\n') ? diff : diff + '\n');
    throw err;
  } finally {
    await backend.close();
  }
}

/** Every check that can refuse the define, before any host file is written. */
async function prepare(
  config: string,
  { domain }: VmOnHost,
  backend: Backend,
  opts: DefineCommandOptions,
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
    ...resolution(opts),
  });
  if (!prepared.options.dryRun && prepared.action !== 'unchanged') {
    const skipped = await checkSchema(writeXml(prepared.planned));
    if (skipped) warn(skipped);
  }
  return prepared;
}

function resolution(opts: DefineCommandOptions): { resolve?: 'ours' | 'theirs' } {
  return opts.ours ? { resolve: 'ours' } : opts.theirs ? { resolve: 'theirs' } : {};
}

/** The define; if libvirt refuses it, the host files this run wrote are put back first. */
async function commit(prepared: PreparedDefine, step: HostStep): Promise<DefineResult> {
  const { commitDefine } = await import('../../define/index.js');
  const { pauseForTest } = await import('../../define/fault-hook.js');
  if (step.written.length > 0) await pauseForTest('host-written');
  try {
    return await commitDefine(prepared);
  } catch (err) {
    const undone = await undoHost(step);
    if (undone && err instanceof Error) err.message = `${err.message}; ${undone}`;
    throw err;
  }
}

function printResult(result: DefineResult, via: string): void {
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
  printMerge(result);
  for (const l of result.lost) warn(`libvirt did not keep ${l}`);
  for (const w of result.warnings) warn(w);
  if (!result.dryRun && result.action !== 'unchanged') {
    say(
      `libvirt runs its QEMU as its own unprivileged user; manage it with virsh or virt-manager (virsh start ${result.name})`,
    );
  }
}

function printMerge({ merge }: DefineResult): void {
  if (!merge) return;
  for (const k of merge.kept) say(`kept hand edit: ${k}`);
  for (const c of merge.conflicts) {
    const won = merge.resolved === 'ours' ? `config ${c.config}` : `edit ${c.edited}`;
    say(`conflict settled by --${merge.resolved ?? '?'}: ${c.field}: ${won}`);
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
  if (unmet.length) throw new DefineError(`nothing was changed: ${unmet.join('; ')}`);
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
