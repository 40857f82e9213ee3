/**
 * Command-line entry: commander wiring only. Each command lives in its own module, imported when
 * that command runs, so `virt-gen xml` never pays for D-Bus or the QEMU argv parser.
 */
import { Command } from 'commander';
import { reportError } from './errors.js';
import { VERSION } from './version.js';

const program = new Command('virt-gen')
  .description(
    'Typed configs for GPU-passthrough gaming VMs, turned into libvirt domains that run QEMU unprivileged.',
  )
  .version(VERSION)
  .showHelpAfterError('(run with --help for usage)')
  .addHelpText(
    'after',
    `
Examples:
  virt-gen discover --config gaming.ts     a starter config for this host's GPU and CPU
  virt-gen doctor gaming.ts                is this host ready for it?
  sudo virt-gen define gaming.ts           configure the host and define the VM in libvirt
  virt-gen xml gaming.ts                   only the domain XML, offline
  virt-gen import vm.args --config vm.ts   an existing QEMU command line as a domain and a config

Docs: docs/ in the virt-gen repository.`,
  );

program
  .command('define')
  .description(
    'Check the host, make the qemu.conf/AppArmor changes the VM needs (as root), and define the VM in libvirt.',
  )
  .argument('<config>', 'the VM config')
  .option('-c, --connect <uri>', 'libvirt URI (default: LIBVIRT_DEFAULT_URI, else qemu:///system)')
  .option('--backend <name>', 'auto (D-Bus when org.libvirt answers, else virsh) | dbus | virsh', 'auto')
  .option('--root <dir>', 'read and change host files under DIR', '/')
  .option('--dry-run', 'show the XML diff and the host plan; change nothing')
  .option('--force', 'overwrite a domain edited since virt-gen defined it (the old XML is backed up)')
  .option('--no-host-check', 'define even if the host lacks a PCI device the config names')
  .option('-v, --verbose', 'say which backend ran and why')
  .addHelpText(
    'after',
    `
Examples:
  sudo virt-gen define gaming.ts             configure the host and define the VM
  virt-gen define gaming.ts --dry-run        what would change, in libvirt and on the host
  virt-gen define gaming.ts -c qemu+ssh://host/system --backend virsh
  virt-gen define gaming.ts --force          after a hand edit in virt-manager: overwrite it

A domain changed since virt-gen defined it (virt-manager, virsh edit) is refused, with the
difference shown, unless --force. Re-defining keeps the UUID and the MAC addresses.`,
  )
  .action(async (config: string, opts: import('./commands/define.js').DefineCommandOptions) => {
    const { runDefine } = await import('./commands/define.js');
    await runDefine(config, opts);
  });

program
  .command('xml')
  .description('Print the libvirt domain XML of a config. Offline: nothing on the host is touched.')
  .argument('<config>', 'the VM config (.ts, .mts, .js, .mjs)')
  .option('-o, --output <file>', 'write the XML to a file instead of stdout')
  .option('--root <dir>', "read host facts (for cpu.pin: 'auto' and GPU functions) under DIR", undefined)
  .addHelpText(
    'after',
    `
Examples:
  virt-gen xml gaming.ts
  virt-gen xml gaming.ts -o gaming.xml && virt-xml-validate gaming.xml domain`,
  )
  .action(async (config: string, opts: { output?: string; root?: string }) => {
    const { runXml } = await import('./commands/xml.js');
    await runXml(config, opts);
  });

program
  .command('import')
  .description('Convert a QEMU command line (vm.args, or - for stdin) to a libvirt domain; never runs it.')
  .argument(
    '<args>',
    'a file with the QEMU command line (one line, or libvirt style with \\ continuations), or -',
  )
  .option('-o, --output <file>', 'write the domain XML to FILE instead of stdout')
  .option('--name <name>', 'domain name (default: -name, else the file name)')
  .option('--config <file>', 'also write a virt-gen config that generates this domain')
  .option('--bridge <name>', 'host bridge for a tap interface set up by an ifup script', 'br0')
  .option('--pwd <dir>', "what $(pwd) stands for in a start script (default: the script's folder)")
  .addHelpText(
    'after',
    `
Examples:
  virt-gen import vm.args                          the domain XML on stdout, warnings on stderr
  virt-gen import vm.args -o vm.xml --config vm.ts keep managing it as code: virt-gen define vm.ts
  virt-gen import qemu-start.sh                    a start script: its OPTS=... lines are followed, never run
  ps -o args= -C qemu-system-x86_64 | virt-gen import -

What libvirt generates itself (-S, its monitor, -sandbox, ...) is understood and left out; anything
without a libvirt element goes to <qemu:commandline>, listed in a warning: nothing is dropped silently.`,
  )
  .action(async (args: string, opts: import('./commands/import.js').ImportCommandOptions) => {
    const { runImport } = await import('./commands/import.js');
    await runImport(args, opts);
  });

program
  .command('host')
  .description(
    'Show (plan), make (apply) or undo (revert) the host changes a VM needs: kernel command line, ' +
      'vfio-pci at boot, qemu.conf and AppArmor.',
  )
  .argument('<action>', 'plan: show the changes as diffs; apply: make them (as root); revert: undo them all')
  .argument('[config]', 'the VM config (plan and apply)')
  .option('--root <dir>', 'read and write host files under DIR', '/')
  .option('--apparmor <mode>', 'auto | always | never', 'auto')
  .option('--dry-run', 'with apply: show the plan, write nothing')
  .option('--json', 'print the plan as JSON')
  .addHelpText(
    'after',
    `
Examples:
  virt-gen host plan gaming.ts              the diffs: boot loader, modprobe.d, initramfs, qemu.conf, AppArmor
  sudo virt-gen host apply gaming.ts        make them (atomic, backed up, locked), rebuild initramfs and
                                            boot config (update-initramfs, update-grub, ...); then reboot
  sudo virt-gen host revert                 every file back as it was before virt-gen; says what to rebuild
  virt-gen host plan gaming.ts --root /mnt  for a chroot or an image being built (commands are printed)`,
  )
  .action(
    async (
      action: string,
      config: string | undefined,
      opts: import('./commands/host.js').HostCommandOptions,
    ) => {
      const { runHost } = await import('./commands/host.js');
      await runHost(action, config, opts);
    },
  );

program
  .command('doctor')
  .description('Check that this host is ready for GPU passthrough (exit 0 when ready, 1 when not).')
  .argument('[config]', 'the VM config: also check its GPU, hugepages, device nodes and ROM')
  .option('--root <dir>', 'check the host under DIR', '/')
  .option('-c, --connect <uri>', 'libvirt URI (default: LIBVIRT_DEFAULT_URI, else qemu:///system)')
  .option('--backend <name>', 'auto | dbus | virsh', 'auto')
  .option('--json', 'print the findings as JSON')
  .addHelpText(
    'after',
    `
Examples:
  virt-gen doctor                 IOMMU, KVM, libvirt, qemu.conf, AppArmor, OVMF
  virt-gen doctor gaming.ts       also the VM's GPU binding, IOMMU group, hugepages
  virt-gen doctor --json          for scripts`,
  )
  .action(async (config: string | undefined, opts: import('./commands/doctor.js').DoctorCommandOptions) => {
    const { runDoctorCommand } = await import('./commands/doctor.js');
    await runDoctorCommand(config, opts);
  });

program
  .command('discover')
  .description(
    'Show the GPUs with their IOMMU groups, the CPU topology and hugepage pools; write a starter config.',
  )
  .option('--root <dir>', 'read the host under DIR', '/')
  .option('--config <file>', 'write a starter config to FILE (- for stdout)')
  .option('--name <name>', 'VM name in the starter config', 'win-gaming')
  .option('--force', 'replace an existing --config file')
  .option('--json', 'print what was found as JSON')
  .addHelpText(
    'after',
    `
Examples:
  virt-gen discover
  virt-gen discover --config gaming.ts    a starter config for this host's GPU and CPU`,
  )
  .action(async (opts: import('./commands/discover.js').DiscoverCommandOptions) => {
    const { runDiscover } = await import('./commands/discover.js');
    await runDiscover(opts);
  });

program.parseAsync(process.argv).catch((err: unknown) => {
  process.exitCode = reportError(err);
});
