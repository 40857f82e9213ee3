/**
 * The D-Bus backend: libvirt-dbus's `org.libvirt` service, through dbus-next.
 *
 * Calls are plain method-call messages with explicit signatures (as cockpit-machines does) rather
 * than introspected proxies: one round trip less per object, and the signatures are written down
 * here instead of discovered at run time. API: research/dbus-aesthetics.md §1.
 *
 * dbus-next never times out and never fails a pending call when the socket dies (it only emits
 * 'error' on the bus), so every call is raced against both a timer and the bus's 'error' event.
 */
import type { Message as DbusMessage, MessageBus } from 'dbus-next';
import {
  resolveTimeoutMs,
  versionFromNumber,
  withTimeout,
  type Backend,
  type DomainCapabilitiesQuery,
  type DomainInfo,
  type DomainRef,
  type DefineXmlOptions,
  type GetXmlOptions,
  type LibvirtVersion,
  type UndefineOptions,
} from './backend.js';
import { checkSchema } from './schema-check.js';
import { ACCESS_DENIED_FIX, fromLibvirtText, LibvirtError, type CallContext } from './errors.js';

type DbusNext = typeof import('dbus-next');

const SERVICE = 'org.libvirt';
const CONNECT = 'org.libvirt.Connect';
const DOMAIN = 'org.libvirt.Domain';
const PROPERTIES = 'org.freedesktop.DBus.Properties';

// libvirt flag values (libvirt-domain.h; python3-libvirt 9.0 agrees).
const VIR_DOMAIN_XML_SECURE = 1;
const VIR_DOMAIN_XML_INACTIVE = 2;
const VIR_DOMAIN_DEFINE_VALIDATE = 1;
const VIR_DOMAIN_UNDEFINE_NVRAM = 4;
const VIR_DOMAIN_UNDEFINE_KEEP_NVRAM = 8;

export interface DbusTarget {
  bus: 'system' | 'session';
  /** libvirt-dbus's object for the QEMU driver on that bus. */
  path: string;
}

/**
 * libvirt-dbus serves exactly the local QEMU URIs: the bus says system or session, the path says
 * the driver. Any other URI (remote, query parameters, other drivers) is virsh's job.
 */
export function dbusTarget(uri: string): DbusTarget | undefined {
  if (uri === 'qemu:///system') return { bus: 'system', path: '/org/libvirt/QEMU' };
  if (uri === 'qemu:///session') return { bus: 'session', path: '/org/libvirt/QEMU' };
  return undefined;
}

export interface DbusOptions {
  uri: string;
  /** Limit for every call; default VIRT_GEN_TIMEOUT_MS, else 10 s. */
  timeoutMs?: number;
  /** Limit for connecting to the bus; default the call limit. */
  connectTimeoutMs?: number;
}

/** Connects to the bus (time-limited). It does not call org.libvirt yet: see `version()`. */
export async function openDbusBackend(options: DbusOptions): Promise<DbusBackend> {
  const { uri } = options;
  const target = dbusTarget(uri);
  if (!target) {
    throw new LibvirtError(
      'other',
      `the D-Bus backend serves only qemu:///system and qemu:///session, not ${uri}: use --backend virsh`,
    );
  }
  const timeoutMs = options.timeoutMs ?? resolveTimeoutMs();
  const dbus = await loadDbusNext();
  const bus = createBus(dbus, target.bus, uri);
  try {
    await connected(bus, options.connectTimeoutMs ?? timeoutMs, target.bus);
  } catch (err) {
    destroyBus(bus);
    throw mapDbusError(err, 'connect', uri, target.bus);
  }
  // An idle bus connection must not keep the process alive when a caller forgets close() (or
  // exits through an error path): pending calls are kept alive by their timers instead.
  streamOf(bus)?.unref?.();
  return new DbusBackend(dbus, bus, target, uri, timeoutMs);
}

// Loaded on first use only: commands that never talk to libvirt do not pay for dbus-next.
async function loadDbusNext(): Promise<DbusNext> {
  const mod = (await import('dbus-next')) as DbusNext & { default?: DbusNext };
  return mod.default ?? mod;
}

function createBus(dbus: DbusNext, which: 'system' | 'session', uri: string): MessageBus {
  let bus: MessageBus;
  try {
    // systemBus() reads DBUS_SYSTEM_BUS_ADDRESS (else the standard socket); sessionBus() reads
    // DBUS_SESSION_BUS_ADDRESS and throws when there is none.
    bus = which === 'system' ? dbus.systemBus() : dbus.sessionBus();
  } catch (err) {
    throw mapDbusError(err, 'connect', uri, which);
  }
  // An EventEmitter without an 'error' listener throws on 'error': always have one. Calls in
  // flight see the error through DbusBackend's busFailure.
  bus.on('error', () => undefined);
  return bus;
}

/** Resolves once the bus has answered Hello; rejects on a socket error or after `ms`. */
function connected(bus: MessageBus, ms: number, which: string): Promise<void> {
  const hello = new Promise<void>((resolve, reject) => {
    bus.once('connect', () => resolve());
    bus.once('error', reject);
  });
  return withTimeout(hello, ms, `the D-Bus ${which} bus`);
}

/**
 * dbus-next's disconnect() only half-closes the socket, which can keep Node running (dbus-next
 * issue #69): destroy the stream as well.
 */
function destroyBus(bus: MessageBus): void {
  try {
    bus.disconnect();
  } catch {
    // already closed
  }
  streamOf(bus)?.destroy();
}

/** dbus-next's socket (a private field; the library exposes no other handle on it). */
function streamOf(bus: MessageBus): { destroy(): void; unref?(): void } | undefined {
  return (bus as unknown as { _connection?: { stream?: { destroy(): void; unref?(): void } } })._connection
    ?.stream;
}

export class DbusBackend implements Backend {
  readonly name = 'dbus' as const;
  private closed = false;
  /** libvirt-dbus before 1.5 has no DomainDefineXMLFlags; known after the first try. */
  private defineFlags: boolean | undefined;
  private readonly busFailure: Promise<never>;

  constructor(
    private readonly dbus: DbusNext,
    private readonly bus: MessageBus,
    private readonly target: DbusTarget,
    readonly uri: string,
    private readonly timeoutMs: number,
  ) {
    this.busFailure = failureOf(bus);
  }

  async version(): Promise<LibvirtVersion> {
    const value = await this.property(this.target.path, CONNECT, 'LibVersion');
    return versionFromNumber(Number(value)); // 't' arrives as a BigInt
  }

  async capabilities(): Promise<string> {
    return (await this.connectCall('GetCapabilities', '', []))[0] as string;
  }

  async domainCapabilities(query: DomainCapabilitiesQuery = {}): Promise<string> {
    // libvirt-dbus maps "" to NULL, i.e. "libvirt's default".
    const { emulator = '', arch = '', machine = '', virttype = '' } = query;
    const body = [emulator, arch, machine, virttype, 0];
    return (await this.connectCall('GetDomainCapabilities', 'ssssu', body))[0] as string;
  }

  async listDomains(): Promise<string[]> {
    const paths = (await this.connectCall('ListDomains', 'u', [0]))[0] as string[];
    return Promise.all(paths.map(async (p) => String(await this.property(p, DOMAIN, 'Name'))));
  }

  async lookup(name: string): Promise<DomainInfo | undefined> {
    let path: string;
    try {
      path = await this.domainPath(name);
    } catch (err) {
      if (err instanceof LibvirtError && err.kind === 'not-found') return undefined;
      throw err;
    }
    const [uuid, active] = await Promise.all([
      this.property(path, DOMAIN, 'UUID'),
      this.property(path, DOMAIN, 'Active'),
    ]);
    return { name, uuid: String(uuid), active: active === true };
  }

  async define(xml: string, options: DefineXmlOptions = {}): Promise<DomainRef> {
    const path =
      (options.validate ? await this.defineValidated(xml, options.schemaCheck !== false) : undefined) ??
      ((await this.connectCall('DomainDefineXML', 's', [xml], 'define'))[0] as string);
    const [name, uuid] = await Promise.all([
      this.property(path, DOMAIN, 'Name'),
      this.property(path, DOMAIN, 'UUID'),
    ]);
    return { name: String(name), uuid: String(uuid) };
  }

  /**
   * DomainDefineXMLFlags with VALIDATE where libvirt-dbus has it. Where it does not, the XML is
   * checked against the local libvirt's schema (D-Bus is local only; unless `schemaCheck` is false)
   * and undefined is returned: the caller then defines without the flag.
   */
  private async defineValidated(xml: string, schemaCheck: boolean): Promise<string | undefined> {
    if (this.defineFlags !== false) {
      const path = await this.defineWithFlags(xml, VIR_DOMAIN_DEFINE_VALIDATE);
      if (path !== undefined) return path;
    }
    // Without xmllint or virt-xml-validate there is nothing to check with: `define` says so.
    if (schemaCheck) await checkSchema(xml);
    return undefined;
  }

  /** The object path, or undefined when this libvirt-dbus has no DomainDefineXMLFlags. */
  private async defineWithFlags(xml: string, flags: number): Promise<string | undefined> {
    try {
      const reply = await this.connectCall('DomainDefineXMLFlags', 'su', [xml, flags], 'define');
      this.defineFlags = true;
      return reply[0] as string;
    } catch (err) {
      if (!(err instanceof LibvirtError) || !/UnknownMethod|No such method/i.test(err.message)) throw err;
      this.defineFlags = false;
      return undefined;
    }
  }

  async getXml(name: string, options: GetXmlOptions): Promise<string> {
    const flags =
      (options.inactive ? VIR_DOMAIN_XML_INACTIVE : 0) | (options.secure ? VIR_DOMAIN_XML_SECURE : 0);
    const path = await this.domainPath(name);
    return (await this.call(path, DOMAIN, 'GetXMLDesc', 'u', [flags], 'other'))[0] as string;
  }

  async undefine(name: string, options: UndefineOptions): Promise<void> {
    // KEEP_NVRAM rather than 0: libvirt refuses to undefine a UEFI domain without either flag.
    const flags = options.nvram ? VIR_DOMAIN_UNDEFINE_NVRAM : VIR_DOMAIN_UNDEFINE_KEEP_NVRAM;
    const path = await this.domainPath(name);
    await this.call(path, DOMAIN, 'Undefine', 'u', [flags], 'other');
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    destroyBus(this.bus);
  }

  private async domainPath(name: string): Promise<string> {
    return (await this.connectCall('DomainLookupByName', 's', [name], 'lookup'))[0] as string;
  }

  private connectCall(member: string, signature: string, body: unknown[], context: CallContext = 'other') {
    return this.call(this.target.path, CONNECT, member, signature, body, context);
  }

  private async property(path: string, iface: string, prop: string): Promise<unknown> {
    const [variant] = await this.call(path, PROPERTIES, 'Get', 'ss', [iface, prop], 'other');
    return (variant as { value: unknown }).value;
  }

  private async call(
    path: string,
    iface: string,
    member: string,
    signature: string,
    body: unknown[],
    context: CallContext,
  ): Promise<unknown[]> {
    if (this.closed) throw new LibvirtError('other', 'the D-Bus connection is closed (a bug in virt-gen)');
    const message = new this.dbus.Message({
      destination: SERVICE,
      path,
      interface: iface,
      member,
      ...(signature ? { signature, body } : {}),
    });
    try {
      const reply = await this.guard(this.bus.call(message), `${SERVICE} (${member})`);
      return reply?.body ?? [];
    } catch (err) {
      throw mapDbusError(err, context, this.uri, this.target.bus);
    }
  }

  /** Races a pending call against the timer and against the bus failing under it. */
  private guard(call: Promise<DbusMessage | null>, what: string): Promise<DbusMessage | null> {
    return withTimeout(Promise.race([call, this.busFailure]), this.timeoutMs, what);
  }
}

/**
 * A promise that rejects with the bus's first 'error' after connecting (socket closed, daemon
 * gone). One per backend rather than one listener per call: listDomains runs many calls at once.
 */
function failureOf(bus: MessageBus): Promise<never> {
  const failure = new Promise<never>((_, reject) => bus.once('error', reject));
  failure.catch(() => undefined); // only ever observed through a race: never "unhandled"
  return failure;
}

interface DbusErrorLike {
  type: string;
  text: string;
}

function isDbusError(err: unknown): err is DbusErrorLike {
  return typeof err === 'object' && err !== null && typeof (err as DbusErrorLike).type === 'string';
}

const SOCKET_CODES = new Set(['ENOENT', 'ECONNREFUSED', 'EACCES', 'ENOTDIR', 'ECONNRESET', 'EPIPE']);

/** Maps whatever dbus-next threw or emitted to a LibvirtError with the fix in its message. */
export function mapDbusError(err: unknown, context: CallContext, uri: string, bus: string): LibvirtError {
  if (err instanceof LibvirtError) return err;
  if (isDbusError(err)) return fromDbusErrorName(err, context, uri, bus);
  // Duck typing, not instanceof: socket errors come from Node's realm, which is not always ours
  // (jest's VM modules, bundles).
  const { code, message } = (err ?? {}) as { code?: unknown; message?: unknown };
  const text = typeof message === 'string' ? message : String(err);
  if (typeof code === 'string' && SOCKET_CODES.has(code)) {
    return new LibvirtError(
      'no-bus',
      `cannot reach the D-Bus ${bus} bus (${text}): start dbus, or use --backend virsh`,
      text,
    );
  }
  if (context === 'connect') {
    return new LibvirtError(
      'no-bus',
      `cannot connect to the D-Bus ${bus} bus (${text}): use --backend virsh`,
      text,
    );
  }
  return new LibvirtError('other', `D-Bus call failed: ${text}`, text);
}

function fromDbusErrorName(err: DbusErrorLike, context: CallContext, uri: string, bus: string): LibvirtError {
  const { type, text } = err;
  if (type === 'org.libvirt.Error') return fromLibvirtText(text, context, uri);
  if (type.endsWith('.AccessDenied')) {
    return new LibvirtError(
      'access-denied',
      `the ${bus} bus refused to pass our call to ${SERVICE}: ${ACCESS_DENIED_FIX}`,
      text,
    );
  }
  if (type.endsWith('.ServiceUnknown') || type.endsWith('.NameHasNoOwner')) {
    return new LibvirtError(
      'no-bus',
      `${SERVICE} is not on the D-Bus ${bus} bus (libvirt-dbus is not installed): install libvirt-dbus, or use --backend virsh`,
      text,
    );
  }
  if (type.includes('.Spawn.')) {
    return new LibvirtError(
      'no-bus',
      `the ${bus} bus could not start libvirt-dbus (${text}): use --backend virsh`,
      text,
    );
  }
  if (type.endsWith('.NoReply') || type.endsWith('.Timeout') || type.endsWith('.TimedOut')) {
    return new LibvirtError(
      'timeout',
      `${SERVICE} did not reply (${text}): check libvirt-dbus and libvirtd`,
      text,
    );
  }
  return new LibvirtError('other', `${SERVICE} failed: ${type}: ${text}`, text);
}
