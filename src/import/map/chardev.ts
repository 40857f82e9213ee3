/**
 * Character devices: `-serial`/`-parallel` specs (`pty`, `file:…`, `tcp:…,server,nowait`, `udp:…@…`,
 * `unix:…`, `/dev/ttyS2`), `-chardev` backends with `isa-serial`/`pci-serial`, virtio-serial channels
 * (`virtserialport` for the guest agent and SPICE agent) and SPICE USB redirection.
 *
 * A chardev becomes the model's shared chardev fields (domain/model/chardev.ts): the backend `type`,
 * its `<source>`s and `<protocol>`; each device adds its own `<target>`.
 */
import type { ChardevSource, DomainChardev } from '../../domain/model.js';
import type { ImportContext } from '../context.js';
import type { Props } from '../options.js';
import { splitCommas } from '../options.js';
import { ignoreCommon, type DeviceHandler, type DeviceOpt } from './devices.js';

/** A chardev as libvirt spells it: `type`, `<source>`s and `<protocol>`. */
export type CharSpec = DomainChardev & { type: string };

const at = (source: ChardevSource): Pick<DomainChardev, 'source'> => ({ source: [source] });

/** `host:port` / `[v6]:port` / `:port` */
function hostService(text: string): { host?: string; service: string } {
  const m = /^(?:\[([^\]]*)\]|([^:]*)):(\d+)$/.exec(text);
  if (!m) return { service: text };
  const host = m[1] ?? m[2];
  return { ...(host ? { host } : {}), service: m[3] as string };
}

/** A `-serial`/`-parallel` spec; undefined for one libvirt has no form for. */
export function parseCharSpec(spec: string): CharSpec | undefined {
  const [head = '', ...flags] = splitCommas(spec);
  const server = flags.includes('server') || flags.includes('server=on');
  const mode = server ? 'bind' : 'connect';
  const simple = ['pty', 'vc', 'null', 'stdio'];
  if (simple.includes(head)) return { type: head };
  const colon = head.indexOf(':');
  const kind = colon < 0 ? '' : head.slice(0, colon);
  const rest = colon < 0 ? head : head.slice(colon + 1);
  switch (kind) {
    case 'file':
    case 'pipe':
      return { type: kind, ...at({ path: rest }) };
    case 'unix':
      return { type: 'unix', ...at({ mode, path: rest }) };
    case 'tcp':
    case 'telnet':
      return {
        type: 'tcp',
        ...at({ mode, ...hostService(rest) }),
        protocol: { type: kind === 'tcp' ? 'raw' : 'telnet' },
      };
    case 'udp':
      return udpSpec(rest);
  }
  if (head.startsWith('/dev/')) return { type: 'dev', ...at({ path: head }) };
  return undefined;
}

/** `udp:[remote]:port[@[local]:port]`; libvirt writes the bind end first. */
function udpSpec(rest: string): CharSpec {
  const [remote = '', local] = rest.split('@');
  const source: ChardevSource[] = [{ mode: 'connect', ...hostService(remote) }];
  if (local !== undefined) source.unshift({ mode: 'bind', ...hostService(local) });
  return { type: 'udp', source };
}

/** A `-chardev` backend; undefined for one libvirt has no form for. */
export function chardevSpec(p: Props): CharSpec | undefined {
  const backend = p.str('backend');
  p.ignore('id', 'logfile', 'logappend');
  const path = p.str('path');
  switch (backend) {
    case 'pty':
    case 'vc':
    case 'null':
    case 'stdio':
      p.ignore('signal', 'mux');
      return { type: backend };
    case 'file':
    case 'pipe':
      return path === undefined ? undefined : { type: backend, ...at({ path }) };
    case 'serial':
    case 'tty':
      return path === undefined ? undefined : { type: 'dev', ...at({ path }) };
    case 'socket':
      return socketSpec(p, path);
    case 'spicevmc':
    case 'spiceport':
      p.ignore('name');
      return { type: backend };
  }
  return undefined;
}

function socketSpec(p: Props, path: string | undefined): CharSpec {
  const mode = p.bool('server') ? 'bind' : 'connect';
  p.ignore('wait', 'nowait', 'fd', 'reconnect');
  if (path !== undefined || p.has('fd')) return { type: 'unix', ...(path ? at({ mode, path }) : {}) };
  const host = p.str('host');
  const port = p.str('port') ?? '';
  const telnet = p.bool('telnet');
  return {
    type: 'tcp',
    ...at({ mode, ...(host ? { host } : {}), service: port }),
    protocol: { type: telnet ? 'telnet' : 'raw' },
  };
}

/** `-serial SPEC`, `-parallel SPEC` (`none` is taken by internal.ts). */
export function mapSerialParallel(ctx: ImportContext): void {
  for (const opt of ctx.find('-serial', '-parallel')) {
    const spec = parseCharSpec(opt.value ?? '');
    if (!spec) continue;
    opt.consumed = true;
    const kind = opt.name === '-serial' ? 'serial' : 'parallel';
    ctx.add(kind, { ...spec, target: { port: ctx.list(kind).length } });
  }
}

/** The `-chardev` a device names, taken with it; undefined when absent or unmappable. */
function chardevOf(ctx: ImportContext, dev: DeviceOpt): CharSpec | undefined {
  const id = dev.props.str('chardev');
  const opt = id === undefined ? undefined : ctx.lookup(['-chardev'], 'id', id);
  if (!opt) return undefined;
  const p = ctx.props(opt);
  const spec = chardevSpec(p);
  if (!spec) return undefined;
  opt.consumed = true;
  ctx.reportUnused(opt, p);
  return spec;
}

function serialDevice(dev: DeviceOpt, ctx: ImportContext): boolean {
  const spec = chardevOf(ctx, dev);
  if (!spec) return false;
  ignoreCommon(dev.props);
  const port = dev.props.int('index') ?? ctx.list('serial').length;
  const type = dev.driver === 'pci-serial' ? 'pci-serial' : 'isa-serial';
  ctx.add('serial', { ...spec, target: { type, port, model: { name: dev.driver } } });
  return true;
}

/** `virtserialport,name=org.qemu.guest_agent.0` -> `<channel>`; the socket libvirt opens is its own. */
function channelDevice(dev: DeviceOpt, ctx: ImportContext): boolean {
  const spec = chardevOf(ctx, dev);
  if (!spec) return false;
  const p = dev.props;
  ignoreCommon(p);
  p.ignore('bus', 'nr');
  const name = p.str('name');
  const source = spec.source?.[0];
  ctx.add('channel', {
    type: spec.type,
    ...(source?.path && spec.type === 'unix' ? { source: [{ mode: source.mode, path: source.path }] } : {}),
    target: { type: 'virtio', ...(name ? { name } : {}) },
  });
  return true;
}

/** `usb-redir` over a spicevmc chardev -> `<redirdev bus='usb' type='spicevmc'/>`. */
function redirDevice(dev: DeviceOpt, ctx: ImportContext): boolean {
  const spec = chardevOf(ctx, dev);
  if (!spec) return false;
  ignoreCommon(dev.props);
  dev.props.ignore('bus', 'port');
  ctx.add('redirdev', { bus: 'usb', ...spec });
  return true;
}

export const chardevHandlers: Record<string, DeviceHandler> = {
  'isa-serial': serialDevice,
  'pci-serial': serialDevice,
  virtserialport: channelDevice,
  'usb-redir': redirDevice,
};
