/**
 * Picks the backend: `--backend dbus|virsh` as asked, or `auto`: D-Bus when the URI is one that
 * libvirt-dbus serves and org.libvirt answers quickly, virsh otherwise. The reason is returned so
 * that verbose output can say which one ran and why.
 */
import { resolveTimeoutMs, resolveUri, withTimeout, type Backend } from './backend.js';
import { LibvirtError } from './errors.js';

export type BackendChoice = 'auto' | 'dbus' | 'virsh';

export interface OpenBackendOptions {
  backend?: BackendChoice;
  /** Default: LIBVIRT_DEFAULT_URI, else qemu:///system. */
  uri?: string;
  /** Print the choice and its reason on stderr (through `log`). */
  verbose?: boolean;
  log?: (line: string) => void;
  /** Per-call limit; default VIRT_GEN_TIMEOUT_MS, else 10 s. */
  timeoutMs?: number;
  /** How long `auto` waits for org.libvirt before falling back to virsh; default 3 s. */
  probeTimeoutMs?: number;
}

export interface OpenedBackend {
  backend: Backend;
  /** e.g. "dbus: org.libvirt answered", "virsh: org.libvirt not on the bus (…)" */
  reason: string;
}

const DEFAULT_PROBE_MS = 3_000;

export async function openBackend(options: OpenBackendOptions = {}): Promise<OpenedBackend> {
  const uri = resolveUri(options.uri);
  const timeoutMs = options.timeoutMs ?? resolveTimeoutMs();
  const opened = await choose(options.backend ?? 'auto', uri, timeoutMs, options.probeTimeoutMs);
  if (options.verbose) (options.log ?? ((l) => process.stderr.write(`${l}\n`)))(`backend ${opened.reason}`);
  return opened;
}

async function choose(
  choice: BackendChoice,
  uri: string,
  timeoutMs: number,
  probeTimeoutMs = Math.min(DEFAULT_PROBE_MS, timeoutMs),
): Promise<OpenedBackend> {
  if (choice === 'virsh') return { backend: await virsh(uri, timeoutMs), reason: 'virsh: asked for' };
  const { dbusTarget, openDbusBackend } = await import('./dbus.js');
  if (choice === 'dbus') {
    const backend = await openDbusBackend({ uri, timeoutMs });
    return { backend, reason: 'dbus: asked for' };
  }
  if (!dbusTarget(uri)) {
    return { backend: await virsh(uri, timeoutMs), reason: `virsh: libvirt-dbus does not serve ${uri}` };
  }
  try {
    const backend = await openDbusBackend({ uri, timeoutMs, connectTimeoutMs: probeTimeoutMs });
    await probe(backend, probeTimeoutMs);
    return { backend, reason: 'dbus: org.libvirt answered' };
  } catch (err) {
    const why = err instanceof LibvirtError ? fallbackReason(err) : String(err);
    return { backend: await virsh(uri, timeoutMs), reason: `virsh: ${why}` };
  }
}

/** A call that needs both libvirt-dbus (activating it if needed) and libvirtd behind it. */
async function probe(backend: Backend, ms: number): Promise<void> {
  try {
    await withTimeout(backend.version(), ms, 'org.libvirt');
  } catch (err) {
    await backend.close();
    throw err;
  }
}

function fallbackReason(err: LibvirtError): string {
  switch (err.kind) {
    case 'no-bus':
      return `org.libvirt not on the bus (${err.detail ?? err.message})`;
    case 'timeout':
      return `org.libvirt did not answer in time`;
    case 'access-denied':
      return 'the bus refused our call to org.libvirt (not root, not in the libvirt group)';
    default:
      return `org.libvirt failed (${err.detail ?? err.message})`;
  }
}

async function virsh(uri: string, timeoutMs: number): Promise<Backend> {
  const { openVirshBackend } = await import('./virsh.js');
  return openVirshBackend({ uri, timeoutMs });
}
