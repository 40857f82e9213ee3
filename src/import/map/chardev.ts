/**
 * Character devices: `-serial`/`-parallel` specs (`pty`, `file:…`, `tcp:…,server,nowait`, `udp:…@…`,
 * `unix:…`, `/dev/ttyS2`), `-chardev` backends with `isa-serial`/`pci-serial`, virtio-serial channels
 * (`virtserialport` for the guest agent and SPICE agent) and SPICE USB redirection.
 *
 * The model has `<channel>` only: serial, parallel and redirdev elements are built as XML and kept
 * in `<devices>`' extra children (libvirt's schema orders devices freely).
 */
import type { XmlElement } from '../../domain/xml-node.js';
import type { ImportContext } from '../context.js';
import type { Props } from '../options.js';
import { splitCommas } from '../options.js';
import { ignoreCommon, type DeviceHandler, type DeviceOpt } from './devices.js';

/** A chardev as libvirt spells it: `type` and the children of the element (`<source>`, `<protocol>`). */
export interface CharSpec {
  type: string;
  children: XmlElement[];
}

const el = (name: string, attrs: Record<string, string>): XmlElement => ({ name, attrs, children: [] });

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
  if (simple.includes(head)) return { type: head, children: [] };
  const colon = head.indexOf(':');
  const kind = colon < 0 ? '' : head.slice(0, colon);
  const rest = colon < 0 ? head : head.slice(colon + 1);
  switch (kind) {
    case 'file':
    case 'pipe':
      return { type: kind, children: [el('source', { path: rest })] };
    case 'unix':
      return { type: 'unix', children: [el('source', { mode, path: rest })] };
    case 'tcp':
    case 'telnet': {
      const hs = hostService(rest);
      return {
        type: 'tcp',
        children: [
          el('source', { mode, ...hs }),
          el('protocol', { type: kind === 'tcp' ? 'raw' : 'telnet' }),
        ],
      };
    }
    case 'udp':
      return udpSpec(rest);
  }
  if (head.startsWith('/dev/')) return { type: 'dev', children: [el('source', { path: head })] };
  return undefined;
}

/** `udp:[remote]:port[@[local]:port]` */
function udpSpec(rest: string): CharSpec {
  const [remote = '', local] = rest.split('@');
  const children = [el('source', { mode: 'connect', ...hostService(remote) })];
  if (local !== undefined) children.push(el('source', { mode: 'bind', ...hostService(local) }));
  return { type: 'udp', children };
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
      return { type: backend, children: [] };
    case 'file':
    case 'pipe':
      return path === undefined ? undefined : { type: backend, children: [el('source', { path })] };
    case 'serial':
    case 'tty':
      return path === undefined ? undefined : { type: 'dev', children: [el('source', { path })] };
    case 'socket':
      return socketSpec(p, path);
    case 'spicevmc':
    case 'spiceport':
      p.ignore('name');
      return { type: backend, children: [] };
  }
  return undefined;
}

function socketSpec(p: Props, path: string | undefined): CharSpec {
  const mode = p.bool('server') ? 'bind' : 'connect';
  p.ignore('wait', 'nowait', 'fd', 'reconnect');
  if (path !== undefined || p.has('fd'))
    return { type: 'unix', children: path ? [el('source', { mode, path })] : [] };
  const host = p.str('host');
  const port = p.str('port') ?? '';
  const telnet = p.bool('telnet');
  return {
    type: 'tcp',
    children: [
      el('source', { mode, ...(host ? { host } : {}), service: port }),
      el('protocol', { type: telnet ? 'telnet' : 'raw' }),
    ],
  };
}

function addDeviceElement(ctx: ImportContext, element: XmlElement): void {
  const devices = (ctx.domain.devices ??= {});
  ((devices.$extra ??= {}).children ??= []).push(element);
}

function countOf(ctx: ImportContext, name: string): number {
  return ctx.domain.devices?.$extra?.children?.filter((c) => c.name === name).length ?? 0;
}

/** `-serial SPEC`, `-parallel SPEC` (`none` is taken by internal.ts). */
export function mapSerialParallel(ctx: ImportContext): void {
  for (const opt of ctx.find('-serial', '-parallel')) {
    const spec = parseCharSpec(opt.value ?? '');
    if (!spec) continue;
    opt.consumed = true;
    const tag = opt.name === '-serial' ? 'serial' : 'parallel';
    const port = String(countOf(ctx, tag));
    addDeviceElement(ctx, {
      name: tag,
      attrs: { type: spec.type },
      children: [...spec.children, el('target', { port })],
    });
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
  const port = dev.props.str('index') ?? String(countOf(ctx, 'serial'));
  const target = el('target', { type: dev.driver === 'pci-serial' ? 'pci-serial' : 'isa-serial', port });
  target.children.push(el('model', { name: dev.driver }));
  addDeviceElement(ctx, { name: 'serial', attrs: { type: spec.type }, children: [...spec.children, target] });
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
  const source = spec.children.find((c) => c.name === 'source');
  ctx.add('channel', {
    type: spec.type,
    ...(source?.attrs.path && spec.type === 'unix'
      ? { source: { mode: source.attrs.mode, path: source.attrs.path } }
      : {}),
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
  addDeviceElement(ctx, {
    name: 'redirdev',
    attrs: { bus: 'usb', type: spec.type },
    children: spec.children,
  });
  return true;
}

export const chardevHandlers: Record<string, DeviceHandler> = {
  'isa-serial': serialDevice,
  'pci-serial': serialDevice,
  virtserialport: channelDevice,
  'usb-redir': redirDevice,
};
