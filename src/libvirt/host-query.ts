/**
 * What a host looks like, asked of libvirt rather than read from /sys: the node devices (PCI and USB,
 * with their IOMMU groups), the capabilities (CPU topology, caches, hugepage pools per cell), the
 * free hugepages and the domain capabilities (VFIO, firmware). This is how virt-gen learns about a
 * remote host (`qemu+ssh://host/system`), where the local /sys says nothing about it
 * (research/libvirt-host-facts.md §5).
 *
 * Only virsh carries it: libvirt-dbus serves local URIs only (§4.3) and has no free-pages call
 * (§1.2). Over ssh every virsh process is a new connection, so the node devices are read in one
 * batch: one virsh process running many commands, separated by an `echo` of a random marker.
 */
import { randomBytes } from 'node:crypto';
import { resolveTimeoutMs } from './backend.js';
import { LibvirtError } from './errors.js';
import { openVirshBackend, type VirshBackend } from './virsh.js';

/** The libvirt calls the libvirt facts source makes; a fixture host implements it from files. */
export interface HostQuery {
  /** The URI asked, for messages. */
  readonly uri: string;
  /** `virsh nodedev-list --cap CAP`: node device names. */
  listNodeDevices(cap: 'pci' | 'usb_device'): Promise<string[]>;
  /** `virsh nodedev-dumpxml NAME` of each name, in order. */
  nodeDeviceXml(names: readonly string[]): Promise<string[]>;
  /** `virsh capabilities` */
  capabilities(): Promise<string>;
  /** `virsh freepages --all`: free pages of every size on every NUMA cell. */
  freePages(): Promise<string>;
  /** `virsh nodememstats`: the host's memory totals (/proc/meminfo on that host). */
  memoryStats(): Promise<string>;
  /** `virsh domcapabilities --virttype kvm`, or undefined when the host has no KVM. */
  domainCapabilities(): Promise<string | undefined>;
}

/** Node device names are `pci_0000_00_01_0`, `usb_1_2`: safe as words of a virsh command string. */
const SAFE_WORD = /^[A-Za-z0-9_.:-]+$/;

export class VirshHostQuery implements HostQuery {
  private readonly virsh: VirshBackend;

  constructor(
    readonly uri: string,
    timeoutMs = resolveTimeoutMs(),
  ) {
    this.virsh = openVirshBackend({ uri, timeoutMs });
  }

  async listNodeDevices(cap: 'pci' | 'usb_device'): Promise<string[]> {
    const out = await this.virsh.run(['nodedev-list', '--cap', cap], 'other');
    return out
      .split('\n')
      .map((l) => l.trim())
      .filter((l) => l !== '');
  }

  async nodeDeviceXml(names: readonly string[]): Promise<string[]> {
    if (names.length === 0) return [];
    const bad = names.find((n) => !SAFE_WORD.test(n));
    if (bad !== undefined)
      throw new LibvirtError(
        'other',
        `libvirt at ${this.uri} listed a node device named ${JSON.stringify(bad)}`,
      );
    const marker = `virt-gen-split-${randomBytes(8).toString('hex')}`;
    // One argument: virsh parses it as its own command string (not a shell), `;` between commands.
    const script = names.map((n) => `nodedev-dumpxml ${n}`).join(`; echo ${marker}; `);
    const parts = (await this.virsh.run([script], 'other')).split(`${marker}\n`);
    if (parts.length !== names.length || parts.some((p) => !p.includes('<device>'))) {
      throw new LibvirtError(
        'other',
        `libvirt at ${this.uri} answered ${parts.length} node device descriptions for ${names.length} devices`,
      );
    }
    return parts;
  }

  capabilities(): Promise<string> {
    return this.virsh.run(['capabilities'], 'other');
  }

  freePages(): Promise<string> {
    return this.virsh.run(['freepages', '--all'], 'other');
  }

  memoryStats(): Promise<string> {
    return this.virsh.run(['nodememstats'], 'other');
  }

  async domainCapabilities(): Promise<string | undefined> {
    try {
      return await this.virsh.run(['domcapabilities', '--virttype', 'kvm'], 'other');
    } catch (err) {
      // No KVM on that host: libvirt has no kvm domain type to describe. Anything else is an error.
      if (err instanceof LibvirtError && /virttype|kvm/i.test(err.detail ?? '')) return undefined;
      throw err;
    }
  }
}
