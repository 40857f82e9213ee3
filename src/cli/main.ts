/**
 * Command-line entry: commander wiring only. Each command lives in its own module, imported when
 * that command runs, so `virt-gen xml` never pays for D-Bus or the QEMU argv parser. The shared
 * options (-c, --backend, --root, --json, -v) are declared once, on the program (options.ts).
 */
import { Command, Option, type OptionValues } from 'commander';
import { reportError } from './errors.js';
import { addGlobalOptions, checkGlobalOptions, type GlobalOptions } from './options.js';
import { VERSION } from './version.js';

const program = new Command('virt-gen')
  .description(
    'Typed configs for GPU-passthrough gaming VMs, turned into libvirt domains that run QEMU unprivileged.',
  )
  .version(VERSION)
  // Commander throws instead of exiting, so that reportError gives usage errors their exit code 2.
  .exitOverride()
  .showHelpAfterError('(run with --help for usage)')
  .configureHelp({ showGlobalOptions: true })
  .addHelpText(
    'after',
    `
Examples:
  virt-gen init                            a starter config (and tsconfig.json) in this folder
  virt-gen discover --config gaming.ts     a starter config for this host's GPU and CPU
  virt-gen doctor gaming.ts                is this host ready for it?
  sudo virt-gen define gaming.ts           configure the host and define the VM in libvirt
  virt-gen diff gaming.ts                  what define would change, and the edits it keeps
  virt-gen adopt win11 --config win11.ts   a VM made in virt-manager, managed by a config
  virt-gen xml gaming.ts                   only the domain XML, offline
  virt-gen import vm.args --config vm.ts   an existing QEMU command line as a domain and a config
  virt-gen -c qemu+ssh://host/system define gaming.ts   global options go before or after the command

Exit codes:
  0   done (doctor: ready)
  1   refused or failed; nothing was changed unless the message says so (doctor: not ready)
  2   usage: unknown command or option, bad option value, missing --root folder
  3   libvirt cannot be reached at the URI
  70  a bug in virt-gen (please report it, with VIRT_GEN_DEBUG=1 for the stack trace)

Environment:
  VIRT_GEN_CONFIG_TIMEOUT  seconds a config may take to evaluate (default 10); then exit 1
  VIRT_GEN_STATE_DIR       where define keeps what it applied per domain (default
                           /var/lib/virt-gen as root, else $XDG_STATE_HOME/virt-gen)
  VIRT_GEN_DEBUG=1         print the stack trace of an error
  LIBVIRT_DEFAULT_URI      the URI when -c is not given (else qemu:///system)

Docs: docs/ in the virt-gen repository.`,
  );
addGlobalOptions(program);
program.hook('preAction', (_program, command) =>
  checkGlobalOptions(command.optsWithGlobals(), command.name()),
);

/** The command's own options merged with the global ones. */
const all = <T>(cmd: Command): T & GlobalOptions => cmd.optsWithGlobals<T & GlobalOptions & OptionValues>();

program
  .command('init')
  .description('Write a starter config and a tsconfig.json that type-checks it against this virt-gen.')
  .argument('[dir]', 'the folder to write into (created if missing)', '.')
  .option('--name <name>', 'VM name in the starter config', 'win-gaming')
  .option('--force', 'replace existing files')
  .addHelpText(
    'after',
    `
Examples:
  virt-gen init                  gaming.ts and tsconfig.json here; open gaming.ts in your editor
  virt-gen init ~/vms/win        in another folder; then: npx tsc --noEmit -p ~/vms/win

The config comes from discover when this host has a GPU to pass through, else a commented template.
tsconfig.json points at the installed virt-gen: no npm link, no node_modules in the folder.`,
  )
  .action(async (dir: string, _o: OptionValues, cmd: Command) => {
    const { runInit } = await import('./commands/init.js');
    await runInit(dir, all<import('./commands/init.js').InitCommandOptions>(cmd));
  });

program
  .command('define')
  .description(
    'Check the host, make the qemu.conf/AppArmor changes the VM needs (as root), and define the VM in libvirt.',
  )
  .argument('<config>', 'the VM config')
  .option('--dry-run', 'show the XML diff and the host plan; change nothing (exit 1 if define would refuse)')
  .option(
    '--facts <source>',
    'read host facts from sysfs or libvirt (default: sysfs for a local URI, else libvirt)',
  )
  .option('--force', "overwrite everything: hand edits, another config's domain (the old XML is backed up)")
  .addOption(new Option('--theirs', 'on a conflict with a hand edit, keep the edit').conflicts('ours'))
  .addOption(new Option('--ours', 'on a conflict with a hand edit, apply the config').conflicts('theirs'))
  .option('--no-host-check', 'define even if the host lacks a PCI device the config names')
  .addHelpText(
    'after',
    `
Examples:
  sudo virt-gen define gaming.ts             configure the host and define the VM
  virt-gen define gaming.ts --dry-run        what would change, in libvirt and on the host
  virt-gen define gaming.ts --theirs         a field changed in both: keep the virt-manager edit
  virt-gen define gaming.ts --force          overwrite every hand edit
  virt-gen define gaming.ts -c qemu+ssh://host/system     on another host, checked and pinned for it
  virt-gen define gaming.ts -c qemu+ssh://a/system -c qemu+ssh://b/system   on each, with a summary

A remote host (-c qemu+ssh://…) is read through libvirt: its GPUs, IOMMU groups, CPU topology and
hugepages. libvirt cannot change its qemu.conf or AppArmor: define shows what that host needs and
the commands to run there. -c may be given several times (define only).

Edits made since in virt-manager or virsh are merged with the config's changes (devices matched
by identity); the same field changed differently on both sides is refused, listed, until --theirs
or --ours. A domain another config defined is refused unless --force. Re-defining keeps the UUID
and the MAC addresses.`,
  )
  .action(async (config: string, _o: OptionValues, cmd: Command) => {
    const { runDefine } = await import('./commands/define.js');
    await runDefine(config, all<import('./commands/define.js').DefineCommandOptions>(cmd));
  });

program
  .command('diff')
  .description('What define would change: the config changes and the hand edits, in the config terms.')
  .argument('<config>', 'the VM config')
  .addHelpText(
    'after',
    `
Examples:
  virt-gen diff gaming.ts     config changes since the last define, edits made in virt-manager, conflicts`,
  )
  .action(async (config: string, _o: OptionValues, cmd: Command) => {
    const { runDiff } = await import('./commands/diff.js');
    await runDiff(config, all<import('./commands/diff.js').DiffCommandOptions>(cmd));
  });

program
  .command('adopt')
  .description('Make a VM defined elsewhere (virt-manager, virt-install) a config that define manages.')
  .argument('<name>', 'the domain name in libvirt')
  .requiredOption('--config <file>', 'the config file to write')
  .option('--force', 'replace an existing config file; adopt a domain another config manages')
  .addHelpText(
    'after',
    `
Examples:
  virt-gen adopt win11 --config win11.ts    then edit win11.ts and: virt-gen define win11.ts

What the config cannot express stays in the domain as it is (listed in the config's header).`,
  )
  .action(async (name: string, _o: OptionValues, cmd: Command) => {
    const { runAdopt } = await import('./commands/adopt.js');
    await runAdopt(name, all<import('./commands/adopt.js').AdoptCommandOptions>(cmd));
  });

program
  .command('xml')
  .description(
    'Print the libvirt domain XML of a config. Offline: nothing on the host is read unless --root.',
  )
  .argument('<config>', 'the VM config (.ts, .mts, .js, .mjs)')
  .option('-o, --output <file>', 'write the XML to a file instead of stdout')
  .addHelpText(
    'after',
    `
Examples:
  virt-gen xml gaming.ts
  virt-gen xml gaming.ts -o gaming.xml && virt-xml-validate gaming.xml domain
  virt-gen xml gaming.ts --root /          with this host's facts: cpu.pin 'auto' pins, GPU functions`,
  )
  .action(async (config: string, _o: OptionValues, cmd: Command) => {
    const { runXml } = await import('./commands/xml.js');
    await runXml(config, all<import('./commands/xml.js').XmlCommandOptions>(cmd));
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
  .option('--force', 'replace an existing --config file')
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
  virt-gen import vm.args --json                   {"xml": ..., "warnings": [...]}

What libvirt generates itself (-S, its monitor, -sandbox, ...) is understood and left out; anything
without a libvirt element goes to <qemu:commandline>, listed in a warning: nothing is dropped silently.`,
  )
  .action(async (args: string, _o: OptionValues, cmd: Command) => {
    const { runImport } = await import('./commands/import.js');
    await runImport(args, all<import('./commands/import.js').ImportCommandOptions>(cmd));
  });

program
  .command('host')
  .description(
    'Show (plan), make (apply) or undo (revert) the host changes a VM needs: kernel command line, ' +
      'vfio-pci at boot, qemu.conf, AppArmor and the runtime hook.',
  )
  .argument('<action>', 'plan: show the changes as diffs; apply: make them (as root); revert: undo them all')
  .argument('[config]', 'the VM config (plan and apply)')
  .addOption(
    new Option('--apparmor <mode>', 'AppArmor rules: auto (when AppArmor is on), always, never')
      .choices(['auto', 'always', 'never'])
      .default('auto'),
  )
  .option('--dry-run', 'with apply: show the plan, write nothing')
  .addHelpText(
    'after',
    `
Examples:
  virt-gen host plan gaming.ts              the diffs: boot loader, modprobe.d, initramfs, qemu.conf, AppArmor
  sudo virt-gen host apply gaming.ts        make them (atomic, backed up, locked, rolled back on failure),
                                            rebuild initramfs and boot config (update-initramfs, update-grub, ...)
  sudo virt-gen host revert                 every file back as it was before virt-gen; says what to rebuild
  virt-gen host plan gaming.ts --root /mnt  for a chroot or an image being built (commands are printed)`,
  )
  .action(async (action: string, config: string | undefined, _o: OptionValues, cmd: Command) => {
    const { runHost } = await import('./commands/host.js');
    await runHost(action, config, all<import('./commands/host.js').HostCommandOptions>(cmd));
  });

program
  .command('doctor')
  .description('Check that this host is ready for GPU passthrough (exit 0 when ready, 1 when not).')
  .argument('[config]', 'the VM config: also check its GPU, hugepages, and the files and devices it uses')
  .option(
    '--facts <source>',
    'read host facts from sysfs or libvirt (default: sysfs for a local URI, else libvirt)',
  )
  .addHelpText(
    'after',
    `
Examples:
  virt-gen doctor                 IOMMU, KVM, libvirt, qemu.conf, AppArmor, OVMF
  virt-gen doctor gaming.ts       also the VM's GPU binding, IOMMU group, hugepages, disk images
  virt-gen doctor --json          for scripts
  virt-gen doctor gaming.ts -c qemu+ssh://host/system   another host, through libvirt`,
  )
  .action(async (config: string | undefined, _o: OptionValues, cmd: Command) => {
    const { runDoctorCommand } = await import('./commands/doctor.js');
    await runDoctorCommand(config, all<import('./commands/doctor.js').DoctorCommandOptions>(cmd));
  });

program
  .command('discover')
  .description(
    'Show the GPUs with their IOMMU groups, the CPU topology and hugepage pools; write a starter config.',
  )
  .option('--config <file>', 'write a starter config to FILE (- for stdout), and a tsconfig.json beside it')
  .option(
    '--facts <source>',
    'read host facts from sysfs or libvirt (default: sysfs for a local URI, else libvirt)',
  )
  .option('--name <name>', 'VM name in the starter config', 'win-gaming')
  .option('--force', 'replace an existing --config file')
  .addHelpText(
    'after',
    `
Examples:
  virt-gen discover
  virt-gen discover --config gaming.ts    a starter config for this host's GPU and CPU
  virt-gen discover -c qemu+ssh://gpu1/system --config gpu1.ts   the same for another host`,
  )
  .action(async (_o: OptionValues, cmd: Command) => {
    const { runDiscover } = await import('./commands/discover.js');
    await runDiscover(all<import('./commands/discover.js').DiscoverCommandOptions>(cmd));
  });

program
  .command('completion')
  .description('Print a shell completion script: bash, zsh or fish.')
  .argument('<shell>', 'bash | zsh | fish')
  .addHelpText(
    'after',
    `
Examples:
  virt-gen completion bash > /etc/bash_completion.d/virt-gen
  virt-gen completion zsh > "\${fpath[1]}/_virt-gen"
  virt-gen completion fish > ~/.config/fish/completions/virt-gen.fish`,
  )
  .action(async (shell: string) => {
    const { runCompletion } = await import('./commands/completion.js');
    runCompletion(shell, program);
  });

/**
 * A reader that stops early (`virt-gen define --help | head`) is no error of virt-gen's: the command
 * still finishes (a define is never cut short by a closed pipe) and its exit code stands; what it
 * prints after that goes nowhere, as with a closed terminal.
 */
for (const stream of [process.stdout, process.stderr]) {
  stream.on('error', (err: NodeJS.ErrnoException) => {
    if (err.code !== 'EPIPE' && err.code !== 'ERR_STREAM_DESTROYED') throw err;
  });
}

program.parseAsync(process.argv).catch((err: unknown) => {
  process.exitCode = reportError(err, program.opts<GlobalOptions>().json === true);
});
