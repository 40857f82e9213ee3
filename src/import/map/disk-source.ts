/**
 * Where a disk's data lives: a local path (`<source file>` or `<source dev>` for `/dev/…`), or a
 * network image in QEMU's URI and pseudo-protocol spellings (`nbd:host:port:exportname=x`,
 * `nbd://[::1]:6000/x`, `rbd:pool/image@snap:mon_host=…`, `iscsi://host/iqn/lun`,
 * `gluster+unix:///vol/img?socket=…`, `sheepdog:host:port:image`, `http(s)://…`).
 */
import type { DomainDisk } from '../../domain/model.js';

export type DiskSource = NonNullable<DomainDisk['source']>;

/** What a network source names besides its servers: the rbd snapshot and client config file. */
export type SourceExtras = Pick<DiskSource, 'snapshot' | 'config'>;

export interface SourceInfo {
  type: 'file' | 'block' | 'network';
  source?: DiskSource;
  /** Something the source held that libvirt keeps elsewhere or not at all (e.g. a password). */
  note?: string;
}

export type NetHost = NonNullable<DiskSource['host']>[number];

/** A local path: block devices live under /dev. */
export function localSource(path: string, forceBlock = false): SourceInfo {
  if (forceBlock || path.startsWith('/dev/')) return { type: 'block', source: { dev: path } };
  return { type: 'file', source: { file: path } };
}

/** `<source protocol name><host…/>…</source>` */
export function networkSource(
  protocol: string,
  name: string | undefined,
  hosts: NetHost[],
  extras: SourceExtras = {},
): SourceInfo {
  const source: DiskSource = { protocol, ...(name !== undefined ? { name } : {}), ...extras };
  const host = hosts.map(definedOnly);
  if (host.length) source.host = host;
  return { type: 'network', source };
}

function definedOnly(h: NetHost): NetHost {
  return Object.fromEntries(Object.entries(h).filter(([, v]) => v !== undefined));
}

const URI_PROTOCOLS =
  /^(nbd|nbd\+unix|iscsi|gluster|gluster\+tcp|gluster\+unix|gluster\+rdma|https?|ftps?|tftp|ssh)(?::\/\/)/;

/** The source of a `-drive file=` value. */
export function parseFileSource(file: string, cephHosts: NetHost[] = []): SourceInfo {
  if (URI_PROTOCOLS.test(file)) return parseUri(file);
  if (file.startsWith('nbd:')) return parseNbdPseudo(file.slice(4));
  if (file.startsWith('rbd:')) return parseRbd(file.slice(4), cephHosts);
  if (file.startsWith('sheepdog:')) return parseSheepdog(file.slice(9));
  return localSource(file);
}

/** `[::1]:6000` / `host:6000` / `host` */
function splitHostPort(text: string): NetHost {
  const m = /^\[([^\]]*)\](?::(\d+))?$/.exec(text) ?? /^([^:]*)(?::(\d+))?$/.exec(text);
  if (!m) return { name: text };
  return { ...(m[1] ? { name: m[1] } : {}), ...(m[2] ? { port: m[2] } : {}) };
}

function parseUri(file: string): SourceInfo {
  const schemeEnd = file.indexOf('://');
  const scheme = file.slice(0, schemeEnd);
  const [protocol, transport] = scheme.split('+') as [string, string | undefined];
  const rest = file.slice(schemeEnd + 3);
  const slash = rest.indexOf('/');
  let authority = slash < 0 ? rest : rest.slice(0, slash);
  const pathAndQuery = slash < 0 ? '' : rest.slice(slash + 1);
  const [path, query = ''] = pathAndQuery.split('?') as [string, string | undefined];
  const params = new URLSearchParams(query);
  let note: string | undefined;
  const at = authority.lastIndexOf('@');
  if (at >= 0) {
    note = `the user and password in '${scheme}://…@' are not carried over: define a libvirt secret and add <auth> to the disk`;
    authority = authority.slice(at + 1);
  }
  const host: NetHost =
    transport === 'unix'
      ? { transport: 'unix', socket: params.get('socket') ?? '' }
      : splitHostPort(authority);
  if (transport && transport !== 'unix') host.transport = transport;
  let name: string | undefined = decodeURIComponent(path);
  if (protocol === 'iscsi' && name && !/\/\d+$/.test(name)) name += '/0';
  if (
    protocol === 'http' ||
    protocol === 'https' ||
    protocol === 'ftp' ||
    protocol === 'ftps' ||
    protocol === 'tftp'
  ) {
    name = '/' + name;
  }
  if (name === '') name = undefined;
  const info = networkSource(protocol, name, hasHost(host) ? [host] : []);
  return note ? { ...info, note } : info;
}

function hasHost(h: NetHost): boolean {
  return Object.values(h).some((v) => v !== undefined && v !== '');
}

/** `host:port[:exportname=x]` or `unix:/path[:exportname=x]` */
function parseNbdPseudo(rest: string): SourceInfo {
  const exportMatch = /:exportname=(.*)$/.exec(rest);
  const exportName = exportMatch?.[1];
  const target = exportMatch ? rest.slice(0, exportMatch.index) : rest;
  if (target.startsWith('unix:')) {
    return networkSource('nbd', exportName, [{ transport: 'unix', socket: target.slice(5) }]);
  }
  return networkSource('nbd', exportName, [splitHostPort(target)]);
}

/** `pool/image[@snap][:key=value…]` with `\:` and `\;` escapes; `mon_host` lists `host\:port` with `\;`. */
function parseRbd(rest: string, cephHosts: NetHost[]): SourceInfo {
  const [image = '', ...options] = splitRawColons(rest);
  const [name, snapshot] = unescape(image).split('@') as [string, string | undefined];
  let hosts: NetHost[] = cephHosts;
  const extras: SourceExtras = snapshot ? { snapshot: { name: snapshot } } : {};
  let note: string | undefined;
  for (const o of options) {
    const eq = o.indexOf('=');
    const key = o.slice(0, eq);
    const value = o.slice(eq + 1);
    if (key === 'mon_host') hosts = unescape(value).split(';').map(splitHostPort);
    else if (key === 'conf') extras.config = { file: unescape(value) };
    else if (key === 'id' || key === 'key') {
      note = 'the Ceph user and key are not carried over: define a libvirt secret and add <auth> to the disk';
    }
  }
  const info = networkSource('rbd', name, hosts, extras);
  return note ? { ...info, note } : info;
}

/** Splits on `:` not preceded by a backslash, keeping the escapes for the next level. */
function splitRawColons(text: string): string[] {
  const parts: string[] = [];
  let cur = '';
  for (let i = 0; i < text.length; i++) {
    const c = text[i] as string;
    if (c === '\\' && i + 1 < text.length) {
      cur += c + (text[++i] as string);
    } else if (c === ':') {
      parts.push(cur);
      cur = '';
    } else cur += c;
  }
  parts.push(cur);
  return parts;
}

function unescape(text: string): string {
  return text.replace(/\\(.)/g, '$1');
}

/** `[host:port:]image` */
function parseSheepdog(rest: string): SourceInfo {
  const parts = rest.split(':');
  if (parts.length >= 3) {
    const [host, port, ...image] = parts;
    return networkSource('sheepdog', image.join(':'), [{ name: host as string, port: port as string }]);
  }
  return networkSource('sheepdog', parts.join(':'), []);
}

/** `CEPH_ARGS='-m host:port,host:port'`: the monitors of rbd disks that name none. */
export function cephMonitors(cephArgs: string | undefined): NetHost[] {
  if (!cephArgs) return [];
  const m = /(?:^|\s)-m\s+(\S+)/.exec(cephArgs);
  return m ? (m[1] as string).split(',').map(splitHostPort) : [];
}
