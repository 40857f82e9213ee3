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
  virt-gen xml examples/gaming.ts          print the domain XML of a config
  virt-gen xml gaming.ts -o gaming.xml     write it to a file
  virt-gen define gaming.ts                check the host, configure it, define the VM in libvirt
  virt-gen import vm.args --config vm.ts   convert a QEMU command line to a domain and a config

Docs: docs/ in the virt-gen repository.`,
  );

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

program.parseAsync(process.argv).catch((err: unknown) => {
  process.exitCode = reportError(err);
});
