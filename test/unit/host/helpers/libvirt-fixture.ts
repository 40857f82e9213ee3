/**
 * A HostQuery that answers from test/fixtures/libvirt-hosts/<name>/: what virsh would print on that
 * fake host. Only the transport is replaced; the libvirt facts source parses the answers as it
 * parses real ones (the integration test remote-host.test.ts asks a real libvirt).
 */
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import type { HostQuery } from '../../../../src/libvirt/host-query.js';

export const LIBVIRT_HOSTS = path.resolve('test/fixtures/libvirt-hosts');

export function fixtureQuery(host: string): HostQuery & { calls: string[] } {
  const dir = path.join(LIBVIRT_HOSTS, host);
  const read = (p: string): Promise<string> => readFile(path.join(dir, p), 'utf8');
  const calls: string[] = [];
  return {
    uri: `qemu+ssh://${host}/system`,
    calls,
    async listNodeDevices(cap) {
      calls.push(`nodedev-list --cap ${cap}`);
      const prefix = cap === 'pci' ? 'pci_' : 'usb_';
      return (await readdir(path.join(dir, 'nodedev')))
        .filter((f) => f.startsWith(prefix))
        .map((f) => f.replace(/\.xml$/, ''))
        .sort();
    },
    async nodeDeviceXml(names) {
      calls.push(`nodedev-dumpxml ×${names.length}`);
      return Promise.all(names.map((n) => read(`nodedev/${n}.xml`)));
    },
    capabilities: () => read('capabilities.xml'),
    freePages: () => read('freepages.txt'),
    memoryStats: () => read('nodememstats.txt'),
    domainCapabilities: () => read('domcapabilities.xml'),
  };
}
