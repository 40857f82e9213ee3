/**
 * The domain's resources before `<os>`: metadata, memory and its backing, vCPUs, tuning, NUMA
 * placement, SMBIOS data; and `<keywrap>`, which libvirt writes after the devices.
 */
import { attr, child, int, list, onOff, oneOf, shape, text, type Infer } from '../schema.js';
import { Empty, Sized } from './common.js';

/** `<metadata>` holds foreign-namespace elements only: kept whole in `$extra.children`. */
export const DomainMetadata = shape({});

/** `<memory>`: the guest's maximum memory; `dumpCore` says whether it goes into a core dump. */
export const DomainMemory = shape({ dumpCore: attr(onOff), unit: attr(), value: text(int) });

/** Memory hotplug: the most the guest can have, and the DIMM slots. */
export const DomainMaxMemory = shape({ slots: attr(int), unit: attr(), value: text(int) });

export const DomainMemoryBacking = shape({
  hugepages: child(shape({ page: list(shape({ size: attr(int), unit: attr(), nodeset: attr() })) })),
  nosharepages: child(Empty),
  locked: child(Empty),
  source: child(shape({ type: attr() })),
  access: child(shape({ mode: attr() })),
  allocation: child(shape({ mode: attr(), threads: attr(int) })),
  discard: child(Empty),
});
export type DomainMemoryBacking = Infer<typeof DomainMemoryBacking>;

export const DomainVCPU = shape({
  placement: attr(oneOf('static', 'auto')),
  cpuset: attr(),
  current: attr(int),
  value: text(int),
});

export const DomainCPUTune = shape({
  shares: child(shape({ value: text(int) })),
  vcpupin: list(shape({ vcpu: attr(int), cpuset: attr() })),
  emulatorpin: child(shape({ cpuset: attr() })),
  iothreadpin: list(shape({ iothread: attr(int), cpuset: attr() })),
  vcpusched: list(shape({ vcpus: attr(), scheduler: attr(), priority: attr(int) })),
});
export type DomainCPUTune = Infer<typeof DomainCPUTune>;

/** `<numatune>`: which host NUMA nodes back guest memory, as a whole and per guest cell. */
export const DomainNumaTune = shape({
  memory: child(
    shape({ mode: attr(oneOf('strict', 'preferred', 'interleave', 'restrictive')), nodeset: attr() }),
  ),
  memnode: list(shape({ cellid: attr(int), mode: attr(), nodeset: attr() })),
});
export type DomainNumaTune = Infer<typeof DomainNumaTune>;

export const DomainMemTune = shape({
  hard_limit: child(Sized),
  soft_limit: child(Sized),
});

const SysinfoEntry = shape({ name: attr(), value: text() });
const SysinfoBlock = shape({ entry: list(SysinfoEntry) });
/** A firmware config blob (`-fw_cfg name=…,string=…|file=…`): its text, or a host file QEMU reads. */
const FwcfgEntry = shape({ name: attr(), file: attr(), value: text() });
/** One `<sysinfo>`: `type='smbios'` has the tables, `type='fwcfg'` the entries; a domain may have both. */
export const DomainSysinfo = shape({
  type: attr(oneOf('smbios', 'fwcfg')),
  bios: child(SysinfoBlock),
  system: child(SysinfoBlock),
  baseBoard: child(SysinfoBlock),
  chassis: child(SysinfoBlock),
  entry: list(FwcfgEntry),
});
export type DomainSysinfo = Infer<typeof DomainSysinfo>;

/** s390 `<keywrap>`: which AES/DEA key-wrapping ciphers the guest has. */
export const DomainKeyWrap = shape({
  cipher: list(shape({ name: attr(oneOf('aes', 'dea')), state: attr(onOff) })),
});
export type DomainKeyWrap = Infer<typeof DomainKeyWrap>;
