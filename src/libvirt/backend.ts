/**
 * The one interface virt-gen talks to libvirt through. Two implementations: D-Bus (dbus.ts, the
 * org.libvirt service) and virsh (virsh.ts, any URI). Everything here is time-limited: a missing
 * bus or a hung daemon must end in a LibvirtError of kind 'timeout', never in a CLI that hangs.
 */
import { timeoutError } from './errors.js';

export type BackendName = 'dbus' | 'virsh';

export interface LibvirtVersion {
  major: number;
  minor: number;
  micro: number;
  /** "9.0.0" */
  text: string;
}

export interface DomainRef {
  name: string;
  uuid: string;
}

export interface DomainInfo extends DomainRef {
  /** Running or paused (it has a live definition next to the persistent one). */
  active: boolean;
}

/** Parameters of virConnectGetDomainCapabilities; unset ones let libvirt pick its default. */
export interface DomainCapabilitiesQuery {
  emulator?: string;
  arch?: string;
  machine?: string;
  virttype?: string;
}

export interface GetXmlOptions {
  /** The persistent definition (what the next start uses), not the live one. */
  inactive: boolean;
  /** Include secrets such as graphics passwords. */
  secure?: boolean;
}

export interface DefineXmlOptions {
  /**
   * Ask libvirt to check the XML against its schema (VIR_DOMAIN_DEFINE_VALIDATE, `define --validate`)
   * and refuse it, rather than silently drop what it does not know.
   */
  validate?: boolean;
  /**
   * Where libvirt cannot validate (libvirt-dbus without DomainDefineXMLFlags), check the XML against
   * the local libvirt's schema before defining it (schema-check.ts). Default true; false only for a
   * document whose checked parts were already checked (define.ts: the stamp define).
   */
  schemaCheck?: boolean;
}

export interface UndefineOptions {
  /** Delete the UEFI variable store too; when false it is kept (and undefine still succeeds). */
  nvram: boolean;
}

export interface Backend {
  readonly name: BackendName;
  /** The URI this backend is connected to. */
  readonly uri: string;
  /** The version of libvirt serving the URI (the daemon's, not the client library's). */
  version(): Promise<LibvirtVersion>;
  capabilities(): Promise<string>;
  domainCapabilities(query?: DomainCapabilitiesQuery): Promise<string>;
  /** Names of every persistent and transient domain, active or not. */
  listDomains(): Promise<string[]>;
  lookup(name: string): Promise<DomainInfo | undefined>;
  define(xml: string, options?: DefineXmlOptions): Promise<DomainRef>;
  getXml(name: string, options: GetXmlOptions): Promise<string>;
  undefine(name: string, options: UndefineOptions): Promise<void>;
  /** Releases the connection so that the process can exit. Safe to call twice. */
  close(): Promise<void>;
}

export const DEFAULT_URI = 'qemu:///system';
export const DEFAULT_TIMEOUT_MS = 10_000;

/** `-c/--connect URI`, else LIBVIRT_DEFAULT_URI (as virsh does), else qemu:///system. */
export function resolveUri(explicit?: string, env: NodeJS.ProcessEnv = process.env): string {
  if (explicit !== undefined && explicit !== '') return explicit;
  const fromEnv = env.LIBVIRT_DEFAULT_URI;
  return fromEnv !== undefined && fromEnv !== '' ? fromEnv : DEFAULT_URI;
}

/** The per-call time limit: VIRT_GEN_TIMEOUT_MS when it is a positive integer, else 10 s. */
export function resolveTimeoutMs(env: NodeJS.ProcessEnv = process.env): number {
  const raw = env.VIRT_GEN_TIMEOUT_MS;
  if (raw === undefined || !/^\d+$/.test(raw.trim())) return DEFAULT_TIMEOUT_MS;
  const ms = Number(raw);
  return ms > 0 ? ms : DEFAULT_TIMEOUT_MS;
}

/** libvirt accepts a UUID with or without dashes, in any case; it prints it lowercase, 8-4-4-4-12. */
export function normalizeUuid(raw: string): string | undefined {
  const hex = raw.replace(/[-\s]/g, '').toLowerCase();
  if (!/^[0-9a-f]{32}$/.test(hex)) return undefined;
  return [hex.slice(0, 8), hex.slice(8, 12), hex.slice(12, 16), hex.slice(16, 20), hex.slice(20)].join('-');
}

/** libvirt's encoding: major * 1_000_000 + minor * 1_000 + micro. */
export function versionFromNumber(n: number): LibvirtVersion {
  const major = Math.floor(n / 1_000_000);
  const minor = Math.floor((n % 1_000_000) / 1_000);
  const micro = n % 1_000;
  return { major, minor, micro, text: `${major}.${minor}.${micro}` };
}

export function versionFromText(text: string): LibvirtVersion | undefined {
  const m = /^(\d+)\.(\d+)(?:\.(\d+))?$/.exec(text.trim());
  if (!m) return undefined;
  const [major, minor, micro] = [Number(m[1]), Number(m[2]), Number(m[3] ?? 0)];
  return { major, minor, micro, text: `${major}.${minor}.${micro}` };
}

/**
 * Settles like `promise`, or rejects with a 'timeout' LibvirtError after `ms`. The timer is cleared
 * as soon as the promise settles. It is deliberately not unref'd: when the call hangs on a dead
 * socket, the timer is the only thing that keeps Node alive long enough to report the error.
 */
export function withTimeout<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const expiry = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(timeoutError(what, ms)), ms);
  });
  return Promise.race([promise, expiry]).finally(() => clearTimeout(timer));
}
