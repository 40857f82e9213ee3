/**
 * doctor for a host reached through libvirt (`-c qemu+ssh://host/system`): the checks that libvirt
 * can answer (IOMMU, KVM, devices and groups, hugepages from HostFacts; VFIO and firmware from the
 * domain capabilities), and one finding that names what it cannot see (qemu.conf, AppArmor, the
 * kernel command line, mounts, tuning), with the command that checks it on that host
 * (research/libvirt-host-facts.md §2.3, §3.2).
 */
import { kid, kids, parseAnswer } from '../from-libvirt/xml.js';
import { textOf } from '../../domain/xml-node.js';
import type { HostFacts } from '../facts.js';
import type { HostNeeds } from '../needs.js';
import { checkPassthrough } from './devices.js';
import type { LibvirtStatus } from './env.js';
import { fail, ok, warn, type Finding } from './finding.js';
import { checkLibvirt } from './host.js';
import { checkIommu } from './iommu.js';
import { checkKvm } from './kvm.js';
import { checkHugepages } from './memory.js';

export interface DomainCapsFacts {
  /** `hostdev/enum[@name='pciBackend']` lists vfio: IOMMU groups and /dev/vfio/vfio exist. */
  vfio: boolean;
  /** `os/enum[@name='firmware']` values (`efi`, `bios`) and `os/loader/value` paths. */
  firmware: string[];
  loaders: string[];
}

export interface RemoteEnv {
  uri: string;
  /** Undefined when the host has no KVM (no kvm domain capabilities). */
  domcaps?: DomainCapsFacts;
  libvirt?: LibvirtStatus;
}

const enumValues = (el: ReturnType<typeof kid>, name: string): string[] =>
  kids(el, 'enum')
    .filter((e) => e.attrs.name === name)
    .flatMap((e) => kids(e, 'value').map((v) => textOf(v).trim()));

export function parseDomainCaps(xml: string): DomainCapsFacts {
  const caps = parseAnswer(xml, 'domain capabilities');
  const os = kid(caps, 'os');
  return {
    vfio: enumValues(kid(kid(caps, 'devices'), 'hostdev'), 'pciBackend').includes('vfio'),
    firmware: enumValues(os, 'firmware'),
    loaders: kids(kid(os, 'loader'), 'value').map((v) => textOf(v).trim()),
  };
}

function checkVfio(facts: HostFacts, env: RemoteEnv): Finding[] {
  if (facts.iommuGroups.length === 0 || !env.domcaps) return [];
  if (env.domcaps.vfio) return [ok('vfio', 'libvirt can pass PCI devices through with VFIO')];
  return [
    fail(
      'vfio',
      'libvirt reports no VFIO backend for PCI passthrough although the IOMMU is on',
      'libvirt offers VFIO only when /dev/vfio/vfio exists (the vfio-pci module is loaded)',
      'on that host: modprobe vfio-pci, and add vfio-pci to /etc/modules-load.d/',
    ),
  ];
}

function checkRemoteFirmware(env: RemoteEnv): Finding[] {
  if (!env.domcaps) return [];
  const uefi = env.domcaps.firmware.includes('efi') || env.domcaps.loaders.some((l) => /OVMF|edk2/i.test(l));
  if (uefi) return [ok('ovmf', `UEFI firmware is installed (${env.domcaps.loaders.join(', ') || 'efi'})`)];
  return [
    fail(
      'ovmf',
      'libvirt knows no UEFI firmware on that host',
      "a passed-through GPU needs UEFI boot (firmware: 'efi')",
      'on that host: apt-get install ovmf (Fedora: edk2-ovmf)',
    ),
  ];
}

/** What libvirt cannot show: the fix is doctor on the host itself. */
function notVisible(env: RemoteEnv, config: string | undefined): Finding {
  return warn(
    'remote-host-files',
    `not checked through ${env.uri}: qemu.conf, AppArmor, the kernel command line, hugetlbfs mounts, device resets, tuning`,
    'libvirt has no API that shows host files or boot options',
    `on that host: virt-gen doctor${config !== undefined ? ` ${config}` : ''}`,
  );
}

export function diagnoseRemote(
  facts: HostFacts,
  env: RemoteEnv,
  needs: HostNeeds | undefined,
  config?: string,
): Finding[] {
  return [
    ...checkIommu(facts),
    ...checkVfio(facts, env),
    ...checkKvm(facts, { live: false }),
    ...checkPassthrough(facts, needs),
    ...checkHugepages(facts, needs),
    ...checkRemoteFirmware(env),
    ...checkLibvirt(env),
    notVisible(env, config),
  ];
}
