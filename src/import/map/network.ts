/**
 * Network interfaces: a NIC device (`-device virtio-net-pci,netdev=…`) over its `-netdev`, the
 * combined `-nic`, and the legacy `-net nic` + `-net tap|user|bridge` pairs (matched by `vlan`).
 *
 * A tap with an ifup script (the guide's `script=./qemu-ifup`, which adds the tap to a bridge) becomes
 * a bridge interface: libvirt attaches the tap itself. The argv does not name the bridge, so the
 * `bridge` import option (default `br0`) is used, with a warning.
 */
import type { DomainInterface } from '../../domain/model.js';
import type { Opt } from '../argv.js';
import type { ImportContext } from '../context.js';
import type { Props } from '../options.js';
import { ignoreCommon, type DeviceHandler, type DeviceOpt } from './devices.js';
import { pciAddress } from './pci.js';

const DEFAULT_BRIDGE = 'br0';

/** QEMU NIC driver -> libvirt `<model type>`. */
const NIC_MODELS: Record<string, string> = {
  'virtio-net-pci': 'virtio',
  'virtio-net': 'virtio',
  'virtio-net-device': 'virtio',
  'virtio-net-pci-transitional': 'virtio-transitional',
  'virtio-net-pci-non-transitional': 'virtio-non-transitional',
  e1000: 'e1000',
  'e1000-82540em': 'e1000',
  e1000e: 'e1000e',
  igb: 'igb',
  rtl8139: 'rtl8139',
  vmxnet3: 'vmxnet3',
  ne2k_pci: 'ne2k_pci',
  pcnet: 'pcnet',
  i82559er: 'i82559er',
  'spapr-vlan': 'spapr-vlan',
  'usb-net': 'usb-net',
};

/** Fills type, source, target and scripts from a backend's properties; false when unmappable. */
function backendInto(ctx: ImportContext, p: Props, iface: DomainInterface, what: string): boolean {
  const type = p.str('type');
  p.ignore('id', 'name', 'vlan');
  switch (type) {
    case 'user':
      iface.type = 'user';
      return true;
    case 'bridge':
      iface.type = 'bridge';
      iface.source = { bridge: p.str('br') ?? DEFAULT_BRIDGE };
      p.ignore('helper');
      return true;
    case 'tap':
      tap(ctx, p, iface, what);
      return true;
    case 'vhost-user':
      return vhostUser(ctx, p, iface);
  }
  return false;
}

function tap(ctx: ImportContext, p: Props, iface: DomainInterface, what: string): void {
  // Linux interface names: at most 15 bytes (IFNAMSIZ), no '/' or white space.
  const ifname = p.matching('ifname', /^[^/\s]{1,15}$/, 'an interface name of at most 15 characters');
  const script = p.str('script');
  const downscript = p.str('downscript');
  if (p.bool('vhost')) iface.driver = { name: 'vhost' };
  const queues = p.int('queues');
  if (queues !== undefined) iface.driver = { ...iface.driver, queues };
  // Descriptors libvirt opened for QEMU: libvirt opens them again.
  p.ignore('fd', 'fds', 'vhostfd', 'vhostfds');
  if (script && script !== 'no') {
    const bridge = ctx.options.bridge ?? DEFAULT_BRIDGE;
    iface.type = 'bridge';
    iface.source = { bridge };
    ctx.warn(
      `${what}: tap with script '${script}' imported as a bridge interface on '${bridge}'` +
        (ctx.options.bridge ? '' : ' (assumed: pass --bridge NAME)') +
        `; libvirt adds the tap to the bridge itself, the script${downscript ? ' and downscript are' : ' is'} not used`,
    );
    if (ifname) iface.target = { dev: ifname };
    return;
  }
  iface.type = 'ethernet';
  if (ifname) iface.target = { dev: ifname, ...(script === 'no' ? { managed: false } : {}) };
  if (downscript && downscript !== 'no') iface.downscript = { path: downscript };
}

function vhostUser(ctx: ImportContext, p: Props, iface: DomainInterface): boolean {
  const chardevId = p.str('chardev');
  const chardev = chardevId === undefined ? undefined : ctx.lookup(['-chardev'], 'id', chardevId);
  if (!chardev) return false;
  const c = ctx.props(chardev);
  const path = c.str('path');
  if (c.str('backend') !== 'socket' || !path) return false;
  chardev.consumed = true;
  iface.type = 'vhostuser';
  iface.source = { type: 'unix', path, mode: c.bool('server') ? 'server' : 'client' };
  c.ignore('id', 'backend', 'path', 'server', 'wait');
  ctx.reportUnused(chardev, c);
  return true;
}

/** `mac`, `romfile`/`rombar`, `bootindex` and the guest address of a NIC device. */
function frontendInto(ctx: ImportContext, dev: DeviceOpt, iface: DomainInterface, macKey = 'mac'): void {
  const p = dev.props;
  const mac = p.matching(
    macKey,
    /^([0-9a-f]{2}:){5}[0-9a-f]{2}$/i,
    'a MAC address such as 52:54:00:12:34:56',
  );
  if (mac && parseInt(mac.slice(0, 2), 16) & 1)
    throw ctx.error(dev.opt, `mac=${mac} is a multicast address, which no NIC can have (libvirt refuses it)`);
  if (mac) iface.mac = { address: mac.toLowerCase() };
  const model = NIC_MODELS[dev.driver] ?? (dev.driver === 'nic' ? undefined : dev.driver);
  if (model) iface.model = { type: model };
  const rombar = p.int('rombar');
  const bar = rombar === undefined ? undefined : rombar !== 0;
  const romfile = p.str('romfile');
  if (bar !== undefined || romfile !== undefined) {
    iface.rom = {
      ...(bar !== undefined ? { bar } : {}),
      ...(romfile !== undefined ? { file: romfile } : {}),
    };
  }
  const boot = p.bootIndex();
  if (boot !== undefined) iface.boot = { order: boot };
  const address = pciAddress(ctx, dev);
  if (address) iface.address = address;
  p.ignore('netdev', 'mq', 'vectors');
}

function nicDevice(dev: DeviceOpt, ctx: ImportContext): boolean {
  const netdevId = dev.props.str('netdev');
  const netdev = netdevId === undefined ? undefined : ctx.lookup(['-netdev'], 'id', netdevId);
  if (!netdev) return false;
  const iface: DomainInterface = {};
  const np = ctx.props(netdev);
  if (!backendInto(ctx, np, iface, `-netdev ${netdevId}`)) return false;
  netdev.consumed = true;
  ctx.reportUnused(netdev, np);
  ignoreCommon(dev.props);
  frontendInto(ctx, dev, iface);
  ctx.add('interface', iface);
  return true;
}

/** `-nic tap,model=virtio-net-pci,mac=…,ifname=…` */
export function mapNic(ctx: ImportContext): void {
  for (const opt of ctx.find('-nic')) {
    const p = ctx.props(opt);
    if (p.str('type') === 'none') {
      opt.consumed = true;
      continue;
    }
    const iface: DomainInterface = {};
    if (!backendInto(ctx, p, iface, `-nic ${opt.value}`)) continue;
    const driver = p.str('model') ?? 'nic';
    frontendInto(ctx, { opt, props: p, driver: driver === 'virtio' ? 'virtio-net-pci' : driver }, iface);
    opt.consumed = true;
    ctx.add('interface', iface);
    ctx.reportUnused(opt, p);
  }
}

/**
 * QEMU's implicit NIC: without `-nodefaults` and without any `-net`, `-netdev` or `-nic` (vl.c clears
 * default_net for each), the guest gets a user-mode NIC of the machine's default model: e1000e on
 * q35, e1000 on i440fx (default_nic of pc_q35.c and pc_piix.c).
 */
export function mapDefaultNic(ctx: ImportContext): void {
  if (ctx.given('-nodefaults', '-net', '-netdev', '-nic') || ctx.list('interface').length) return;
  // Other architectures have other defaults (spapr-vlan on pseries): left to the user there.
  if (!/^(x86_64|i686)$/.test(ctx.domain.os?.type?.arch ?? '')) return;
  const model = ctx.q35 ? 'e1000e' : 'e1000';
  ctx.add('interface', { type: 'user', model: { type: model } });
  ctx.warn(
    `no network option: QEMU gives the guest a user-mode ${model} NIC then, and so does the import ` +
      '(-nodefaults or -net none leaves it out)',
  );
}

/** `-net nic,…,vlan=N` with the `-net tap|user|bridge,…,vlan=N` on the same hub; `-net none`. */
export function mapLegacyNet(ctx: ImportContext): void {
  const nets = ctx.find('-net');
  const backends = new Map<string, Opt>();
  for (const opt of nets) {
    const p = ctx.props(opt);
    const type = p.str('type');
    if (type === 'none') opt.consumed = true;
    else if (type !== 'nic') backends.set(p.str('vlan') ?? '0', opt);
  }
  for (const opt of nets) {
    const p = ctx.props(opt);
    if (p.str('type') !== 'nic') continue;
    const backend = backends.get(p.str('vlan') ?? '0');
    const iface: DomainInterface = {};
    if (backend && !backendInto(ctx, ctx.props(backend), iface, `-net ${backend.value}`)) continue;
    if (!backend) iface.type = 'user'; // QEMU's default network backend
    const model = p.str('model');
    frontendInto(
      ctx,
      { opt, props: p, driver: model === 'virtio' ? 'virtio-net-pci' : (model ?? 'nic') },
      iface,
      'macaddr',
    );
    p.ignore('vlan', 'name', 'type');
    opt.consumed = true;
    ctx.add('interface', iface);
    ctx.reportUnused(opt, p);
    if (backend) {
      backend.consumed = true;
      ctx.reportUnused(backend);
    }
  }
}

export const networkHandlers: Record<string, DeviceHandler> = Object.fromEntries(
  Object.keys(NIC_MODELS).map((d) => [d, nicDevice]),
);
