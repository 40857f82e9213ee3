/**
 * The virsh backend: one `virsh --connect URI …` process per call, through execa with an argument
 * array (never a shell), LC_ALL=C so that the messages we classify read the same on every host,
 * and a time limit on each process. It serves any URI virsh does, remote ones included.
 */
import { execa } from 'execa';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseXml, type XmlElement } from '../domain/index.js';
import {
  resolveTimeoutMs,
  normalizeUuid,
  versionFromText,
  type Backend,
  type DomainCapabilitiesQuery,
  type DomainInfo,
  type DomainRef,
  type DefineXmlOptions,
  type GetXmlOptions,
  type LibvirtVersion,
  type UndefineOptions,
} from './backend.js';
import { fromLibvirtText, LibvirtError, timeoutError, type CallContext } from './errors.js';

export interface VirshOptions {
  uri: string;
  /** Limit for each virsh process; default VIRT_GEN_TIMEOUT_MS, else 10 s. */
  timeoutMs?: number;
  /** The virsh executable; default `virsh` from PATH. */
  virsh?: string;
}

export function openVirshBackend(options: VirshOptions): VirshBackend {
  return new VirshBackend(options.uri, options.timeoutMs ?? resolveTimeoutMs(), options.virsh ?? 'virsh');
}

export class VirshBackend implements Backend {
  readonly name = 'virsh' as const;

  constructor(
    readonly uri: string,
    private readonly timeoutMs: number,
    private readonly binary: string,
  ) {}

  async version(): Promise<LibvirtVersion> {
    const out = await this.run(['version', '--daemon'], 'connect');
    // The daemon's version is what decides what a definition may contain; the library line is the
    // fallback for drivers that have no daemon (test:///default).
    const text =
      /^Running against daemon:\s*(\S+)/m.exec(out)?.[1] ?? /^Using library: libvirt\s+(\S+)/m.exec(out)?.[1];
    const version = text === undefined ? undefined : versionFromText(text);
    if (!version)
      throw new LibvirtError(
        'other',
        `cannot read the libvirt version from \`virsh version\`: ${out.trim()}`,
      );
    return version;
  }

  capabilities(): Promise<string> {
    return this.run(['capabilities'], 'other');
  }

  domainCapabilities(query: DomainCapabilitiesQuery = {}): Promise<string> {
    const args = ['domcapabilities'];
    if (query.virttype) args.push('--virttype', query.virttype);
    if (query.emulator) args.push('--emulatorbin', query.emulator);
    if (query.arch) args.push('--arch', query.arch);
    if (query.machine) args.push('--machine', query.machine);
    return this.run(args, 'other');
  }

  async listDomains(): Promise<string[]> {
    return parseNameList(await this.run(['list', '--all', '--name'], 'other'));
  }

  async lookup(name: string): Promise<DomainInfo | undefined> {
    let out: string;
    try {
      out = await this.run(['dominfo', '--domain', name], 'lookup');
    } catch (err) {
      if (err instanceof LibvirtError && err.kind === 'not-found') return undefined;
      throw err;
    }
    return parseDominfo(out, name);
  }

  async define(xml: string, options: DefineXmlOptions = {}): Promise<DomainRef> {
    const args = ['define', ...(options.validate ? ['--validate'] : []), '--file'];
    const out = await withXmlFile(xml, (file) => this.run([...args, file], 'define'));
    const root = parseXml(xml);
    const name = /^Domain '(.*)' defined from/m.exec(out)?.[1] ?? childText(root, 'name');
    if (name === undefined)
      throw new LibvirtError('other', `unexpected output of \`virsh define\`: ${out.trim()}`);
    // With a <uuid> in the XML libvirt keeps it as given; otherwise ask for the one it made up.
    const given = childText(root, 'uuid');
    const uuid = given !== undefined ? normalizeUuid(given) : undefined;
    return { name, uuid: uuid ?? (await this.run(['domuuid', '--domain', name], 'lookup')).trim() };
  }

  getXml(name: string, options: GetXmlOptions): Promise<string> {
    const args = ['dumpxml', '--domain', name];
    if (options.inactive) args.push('--inactive');
    if (options.secure) args.push('--security-info');
    return this.run(args, 'other');
  }

  async undefine(name: string, options: UndefineOptions): Promise<void> {
    // --keep-nvram rather than nothing: libvirt refuses to undefine a UEFI domain without either.
    await this.run(['undefine', '--domain', name, options.nvram ? '--nvram' : '--keep-nvram'], 'other');
  }

  async close(): Promise<void> {
    // one process per call: nothing stays open
  }

  private async run(args: string[], context: CallContext): Promise<string> {
    const result = await execa(this.binary, ['--connect', this.uri, ...args], {
      env: { LC_ALL: 'C' },
      stdin: 'ignore',
      timeout: this.timeoutMs,
      forceKillAfterDelay: 1000,
      reject: false,
      stripFinalNewline: false,
    });
    if (result.timedOut) throw timeoutError(`virsh ${args[0]} (${this.uri})`, this.timeoutMs);
    if (result.code === 'ENOENT') {
      throw new LibvirtError(
        'no-libvirt',
        `${this.binary} not found: install libvirt-clients (virsh), or use --backend dbus`,
        result.message,
      );
    }
    if (result.failed) {
      const stderr = String(result.stderr ?? '').trim();
      throw fromLibvirtText(
        stderr || (result.message ?? `virsh exited with ${result.exitCode}`),
        context,
        this.uri,
      );
    }
    return String(result.stdout ?? '');
  }
}

/**
 * Runs `fn` with the XML in a file only we can read, removed afterwards. (Not `/dev/stdin`: Node
 * gives a child a socket, not a pipe, as stdin, and opening /dev/stdin on a socket fails.)
 */
async function withXmlFile<T>(xml: string, fn: (file: string) => Promise<T>): Promise<T> {
  const dir = await mkdtemp(join(tmpdir(), 'virt-gen-')); // mode 0700
  try {
    const file = join(dir, 'domain.xml');
    await writeFile(file, xml, { mode: 0o600 });
    return await fn(file);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

export function parseNameList(out: string): string[] {
  return out
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l !== '');
}

/** `virsh dominfo`: "Key:   value" lines. An inactive domain has "Id: -". */
export function parseDominfo(out: string, name: string): DomainInfo {
  const fields = new Map<string, string>();
  for (const line of out.split('\n')) {
    const m = /^([^:]+):\s*(.*)$/.exec(line);
    if (m?.[1] !== undefined && m[2] !== undefined) fields.set(m[1].trim(), m[2].trim());
  }
  const uuid = fields.get('UUID');
  if (uuid === undefined)
    throw new LibvirtError('other', `unexpected output of \`virsh dominfo\`: ${out.trim()}`);
  const id = fields.get('Id');
  return { name: fields.get('Name') ?? name, uuid, active: id !== undefined && id !== '-' };
}

function childText(root: XmlElement, name: string): string | undefined {
  const el = root.children.find((c): c is XmlElement => typeof c !== 'string' && c.name === name);
  const text = el?.children.filter((c): c is string => typeof c === 'string').join('');
  return text === undefined || text === '' ? undefined : text.trim();
}
