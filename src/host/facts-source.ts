/**
 * Which source HostFacts come from. A host is read where it is: a local libvirt URI (or none) means
 * this machine, read from sysfs under `--root`; a remote URI (`qemu+ssh://host/system`, any
 * `+transport` other than unix, or a host name) means another machine, whose facts only libvirt
 * can tell (from-libvirt/). `--facts sysfs|libvirt` overrides the choice.
 */
import { resolveUri } from '../libvirt/backend.js';
import { UsageError } from '../util/errors.js';
import { readHostFacts, type HostFacts } from './facts.js';

export const FACT_SOURCES = ['sysfs', 'libvirt'] as const;
export type FactsSourceName = (typeof FACT_SOURCES)[number];

export interface FactsSourceOptions {
  /** `-c/--connect`; default LIBVIRT_DEFAULT_URI, else qemu:///system. */
  uri?: string;
  /** `--root` for the sysfs source. */
  root?: string;
  /** `--facts`: force a source. */
  facts?: string;
}

export interface FactsSource {
  name: FactsSourceName;
  /** For messages: `sysfs under /`, `libvirt at qemu+ssh://gpu1/system`. */
  describe: string;
  /** The libvirt URI the host is reached at. */
  uri: string;
  read(): Promise<HostFacts>;
}

/** `driver[+transport]://[user@][host][:port]/path[?params]` names another machine. */
export function isRemoteUri(uri: string): boolean {
  const m = /^([a-z0-9]+)(?:\+([a-z0-9]+))?:\/\/([^/?]*)/i.exec(uri);
  if (!m) return false;
  const transport = m[2]?.toLowerCase();
  const authority = m[3] ?? '';
  return authority !== '' || (transport !== undefined && transport !== 'unix');
}

export function chooseFactsSource(opts: FactsSourceOptions = {}): FactsSource {
  const uri = resolveUri(opts.uri);
  const root = opts.root ?? '/';
  if (opts.facts !== undefined && !(FACT_SOURCES as readonly string[]).includes(opts.facts)) {
    throw new UsageError(`--facts ${opts.facts}: expected sysfs or libvirt`);
  }
  const name = (opts.facts as FactsSourceName | undefined) ?? (isRemoteUri(uri) ? 'libvirt' : 'sysfs');
  if (name === 'libvirt' && root !== '/' && opts.facts === undefined) {
    throw new UsageError(`--root ${root} reads this machine's files; ${uri} is another host`);
  }
  if (name === 'sysfs')
    return { name, uri, describe: `sysfs under ${root}`, read: () => readHostFacts(root) };
  return {
    name,
    uri,
    describe: `libvirt at ${uri}`,
    read: async () => {
      const [{ VirshHostQuery }, { readLibvirtFacts }] = await Promise.all([
        import('../libvirt/host-query.js'),
        import('./from-libvirt/facts.js'),
      ]);
      return readLibvirtFacts(new VirshHostQuery(uri));
    },
  };
}
