/**
 * The state of one import: the options still to map, the domain being built, and the warnings.
 *
 * Every mapper takes the options it understands (`take`) and leaves the rest; whatever no mapper took
 * ends in `<qemu:commandline>` with a warning (see index.ts). Backends (`-netdev`, `-drive`,
 * `-blockdev`, `-chardev`, `-object`, `-audiodev`) are looked up by id and taken by the device that
 * uses them, so a backend nobody uses is kept too.
 */
import { resolve } from 'node:path';
import type { Domain, DomainDeviceList } from '../domain/model.js';
import { describeOpt, whereOf, type Opt } from './argv.js';
import { ImportError } from './errors.js';
import { formatEntry, parseOptionValue, type Props } from './options.js';
import type { CommandLine } from './tokenize.js';

export interface ImportOptions {
  /** Domain name; overrides `-name`. */
  name?: string;
  /** The file read, for the name when there is no `-name`. */
  fileName?: string;
  /** The bridge a tap with an ifup script is assumed to join. Default `br0`. */
  bridge?: string;
  /** What `$(pwd)` stands for in a start script: the folder the script runs in. Default: the current folder. */
  pwd?: string;
}

/** The key a leading bare word stands for, per option (QEMU's implied_opt_name). */
const IMPLIED: Record<string, string> = {
  '-machine': 'type',
  '-cpu': 'model',
  '-smp': 'cpus',
  '-m': 'size',
  '-accel': 'accel',
  '-device': 'driver',
  '-object': 'qom-type',
  '-netdev': 'type',
  '-nic': 'type',
  '-net': 'type',
  '-audiodev': 'driver',
  '-chardev': 'backend',
  '-boot': 'order',
  '-display': 'type',
  '-vnc': 'vnc',
  '-tpmdev': 'type',
  '-name': 'guest',
  '-numa': 'type',
  '-fw_cfg': 'name',
  '-sandbox': 'enable',
  '-incoming': 'uri',
};

/** What a `bus=` name refers to: a controller (by libvirt index) and, for multi-bus ones, the bus. */
export interface BusRef {
  kind: 'pci' | 'ide' | 'sata' | 'scsi' | 'usb' | 'virtio-serial' | 'hda';
  controller: number;
  bus?: number;
  /** A PCIe port or downstream port: its one slot is 0. */
  port?: boolean;
}

type DeviceKey = {
  [K in keyof DomainDeviceList]-?: NonNullable<DomainDeviceList[K]> extends unknown[] ? K : never;
}[keyof DomainDeviceList];
type DeviceOf<K extends DeviceKey> = NonNullable<DomainDeviceList[K]>[number];

export class ImportContext {
  readonly domain: Domain = {};
  readonly warnings: string[] = [];
  /** Arguments and environment kept verbatim. */
  readonly qemuArgs: string[] = [];
  readonly qemuEnv: { name: string; value: string }[] = [];
  arch = 'x86_64';
  /** q35-family machine: `ide.N` is an AHCI port, devices plug into `pcie.0`. */
  q35 = false;
  /** Buses by QEMU name (`pci.0`, `root.1`, `scsi0.0`, `usb.0`). */
  readonly buses = new Map<string, BusRef>();
  /** I/O thread object ids -> libvirt's 1-based iothread numbers. */
  readonly iothreads = new Map<string, number>();
  /** Audiodev ids -> libvirt's `<audio id>` (only for backends carried over). */
  readonly audioIds = new Map<string, number>();
  private readonly propsCache = new Map<Opt, Props>();
  /** Environment variables a mapper read (the rest go to `<qemu:env>`). */
  private readonly envUsed = new Set<string>();

  constructor(
    readonly command: CommandLine,
    readonly opts: Opt[],
    readonly options: ImportOptions,
  ) {}

  /** Unconsumed options with one of these names, in order. */
  find(...names: string[]): Opt[] {
    return this.opts.filter((o) => !o.consumed && names.includes(o.name));
  }

  /** Like find, and marks them consumed. */
  take(...names: string[]): Opt[] {
    const found = this.find(...names);
    for (const o of found) o.consumed = true;
    return found;
  }

  /** True when any option of these names was given (consumed or not). */
  given(...names: string[]): boolean {
    return this.opts.some((o) => names.includes(o.name));
  }

  /** The parsed value of an option (cached: use tracking is per option). */
  props(opt: Opt): Props {
    let p = this.propsCache.get(opt);
    if (!p) {
      if (opt.value === undefined) throw new ImportError('expects a value', whereOf(opt));
      const implied = IMPLIED[opt.name];
      p = parseOptionValue(opt.value, { ...(implied ? { implied } : {}), where: whereOf(opt) });
      this.propsCache.set(opt, p);
    }
    return p;
  }

  /** The option among `names` whose `key` (e.g. `id`) equals `value`, unconsumed or not. */
  lookup(names: string[], key: string, value: string): Opt | undefined {
    return this.opts.find(
      (o) => names.includes(o.name) && o.value !== undefined && this.props(o).raw(key) === value,
    );
  }

  /** The value of an environment variable of the prefix, marked as read. */
  env(name: string): string | undefined {
    this.envUsed.add(name);
    return this.command.env.find((e) => e.name === name)?.value;
  }

  envWasUsed(name: string): boolean {
    return this.envUsed.has(name);
  }

  /**
   * A file path as libvirt takes it (absolute). QEMU opens a relative one in its working folder, which
   * is --pwd's (as for a start script), else the current folder; `$(pwd)` stands for that folder too.
   * Any other shell expansion would need the shell: refused.
   */
  absolutePath(opt: Opt, path: string): string {
    const folder = this.options.pwd ?? process.cwd();
    const expanded = path.replace(/^(\$\(pwd\)|`pwd`|\$\{PWD\}|\$PWD\b)/, folder);
    if (/[$`]/.test(expanded))
      throw this.error(opt, `'${path}' holds a shell expansion; write the path it stands for`);
    if (expanded.startsWith('/')) {
      if (expanded !== path) this.warn(`'${path}' read as ${expanded} (--pwd DIR to change)`);
      return expanded;
    }
    const absolute = resolve(folder, expanded);
    this.warn(`'${path}' is a relative path: read as ${absolute} (--pwd DIR to change)`);
    return absolute;
  }

  warn(message: string): void {
    if (!this.warnings.includes(message)) this.warnings.push(message);
  }

  /** Warns about the properties of `opt` that the mapping did not carry over. */
  reportUnused(opt: Opt, props: Props = this.props(opt)): void {
    const rest = props.unused();
    if (!rest.length) return;
    const what = rest.map(formatEntry).join(', ');
    this.warn(
      `${describeOpt(opt)} (argument ${opt.index}): ${what} not carried over (no libvirt equivalent known)`,
    );
  }

  error(opt: Opt, message: string): ImportError {
    return new ImportError(message, whereOf(opt));
  }

  /** Appends a device to its list in `<devices>`. */
  add<K extends DeviceKey>(kind: K, device: DeviceOf<K>): DeviceOf<K> {
    const devices = (this.domain.devices ??= {});
    const list = (devices[kind] ??= []) as DeviceOf<K>[];
    list.push(device);
    return device;
  }

  list<K extends DeviceKey>(kind: K): DeviceOf<K>[] {
    return (this.domain.devices?.[kind] ?? []) as DeviceOf<K>[];
  }
}
