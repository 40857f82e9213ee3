/**
 * `virt-gen init [DIR]`: a starter config and the tsconfig.json that lets an editor check it against
 * the installed virt-gen. The config comes from `discover` when this host has a GPU to pass
 * through; otherwise it is a template whose every line says what to fill in.
 */
import { mkdir, stat } from 'node:fs/promises';
import path from 'node:path';
import { VirtGenError } from '../../util/errors.js';
import { tsconfigSource } from '../editor-setup.js';
import type { GlobalOptions } from '../options.js';
import { writeFileSafely } from '../../util/write-output.js';
import { Reporter } from '../reporter.js';

export interface InitCommandOptions extends GlobalOptions {
  name?: string;
  force?: boolean;
}

const CONFIG_FILE = 'gaming.ts';

export async function runInit(dir: string, opts: InitCommandOptions): Promise<void> {
  const name = opts.name ?? 'win-gaming';
  const config = path.join(dir, CONFIG_FILE);
  const tsconfig = path.join(dir, 'tsconfig.json');
  const files = [config, tsconfig];
  if (!opts.force) {
    const taken = (await Promise.all(files.map(async (f) => ((await exists(f)) ? f : undefined)))).filter(
      Boolean,
    );
    if (taken.length)
      throw new VirtGenError(`${taken.join(' and ')} exist: nothing written (--force replaces them)`);
  }
  const { source, from } = await starterSource(name, opts.root ?? '/');
  const tsconfigText = tsconfigSource();
  await mkdir(dir, { recursive: true });
  await writeFileSafely(config, source);
  await writeFileSafely(tsconfig, tsconfigText);
  const out = new Reporter(opts.json === true);
  out.merge({ config, tsconfig, from });
  out.note(
    `wrote ${config} (${from === 'discover' ? "from this host's GPU and CPU" : 'a template: fill it in'}) and ${tsconfig}`,
  );
  out.note(`next: open ${config} in your editor, then \`virt-gen doctor ${config}\``);
  out.finish();
}

/** The discovered config when a GPU other than the boot one is there; else the template. */
async function starterSource(
  name: string,
  root: string,
): Promise<{ source: string; from: 'discover' | 'template' }> {
  try {
    const { readHostFacts } = await import('../../host/facts.js');
    const { starterChoices, starterConfigSource } = await import('../../host/starter-config.js');
    const facts = await readHostFacts(root);
    const gpu = starterChoices(facts, name).gpu;
    if (gpu && !gpu.device.bootVga) return { source: starterConfigSource(facts, name), from: 'discover' };
  } catch (err) {
    // A host whose facts cannot be read (a container without sysfs) still gets the template.
    if (!(err instanceof VirtGenError)) throw err;
  }
  return { source: templateSource(name), from: 'template' };
}

async function exists(file: string): Promise<boolean> {
  return stat(file).then(
    () => true,
    () => false,
  );
}

/** A config for any host: every host-specific value is a placeholder with its explanation. */
export function templateSource(name: string): string {
  return `// A starter config written by \`virt-gen init\`. This host has no GPU to pass through, so the
// host-specific values are placeholders: \`virt-gen discover\` on the gaming host lists its GPUs,
// IOMMU groups and CPU topology. Hover a field in your editor for its documentation.
import { defineVm } from 'virt-gen';

export default defineVm({
  name: ${jsString(name)},
  memory: '16 GiB',
  cpu: {
    cores: 4,
    threads: 2,
    // pin: 'auto', // pin vCPUs to whole host cores; chosen on the host when the VM is defined
  },
  // gpu: { host: '01:00.0' }, // the PCI address of the GPU to pass through (virt-gen discover)
  disks: [
    { path: ${jsString(`/var/lib/libvirt/images/${name}.qcow2`)} },
    // { path: '/var/lib/libvirt/images/windows.iso', device: 'cdrom' },
  ],
  // usb: ['046d:c52b'], // USB devices to pass through, vendor:product as lsusb shows them
});
`;
}

/** A single-quoted JavaScript string literal. */
const jsString = (s: string): string => `'${s.replace(/[\\']/g, '\\$&').replace(/\n/g, '\\n')}'`;
