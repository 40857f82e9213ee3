/** From a config to HostNeeds, and the generator's view of the host (GPU functions, auto pins). */
import { afterAll, describe, expect, it } from '@jest/globals';
import path from 'node:path';
import { loadVm } from '../../../src/config/index.js';
import { parsePciAddress, type PciAddress } from '../../../src/domain/address.js';
import { readHostFacts } from '../../../src/host/facts.js';
import { hostGenerateContext } from '../../../src/host/generate-context.js';
import { buildOnHost } from '../../../src/build-domain.js';
import { cleanRoots, hostFixture, putFile, tempRoot } from './helpers/roots.js';

afterAll(cleanRoots);

const pci = (s: string): PciAddress => parsePciAddress(s) as PciAddress;

describe('the needs of a VM on a host (buildOnHost)', () => {
  it("the guide's example: both GPU functions, 2000 pages of 2M", async () => {
    const { needs } = await buildOnHost(path.resolve('examples/gaming.ts'), hostFixture('guide'));
    expect(needs).toEqual({
      pciDevices: [pci('02:00.0'), pci('02:00.1')],
      deviceNodes: [],
      readFiles: [],
      hugepages: { sizeKiB: 2048, count: 2000 },
    });
  });

  it('every function the host has, ROM files, device nodes in extra QEMU arguments', async () => {
    const dir = await tempRoot();
    await putFile(
      dir,
      '/vm.ts',
      `import { defineVm } from 'virt-gen';
export default defineVm({
  name: 'lg', memory: '8 GiB', hugepages: '1G', cpu: { cores: 2, threads: 2 },
  gpu: { host: '0b:00.0', rom: '/var/lib/vbios/rx6800.rom' },
  qemuArgs: ['-object', 'memory-backend-file,id=lg,mem-path=/dev/kvmfr0,size=64M,share=yes'],
});
`,
    );
    // The config names only function 0: the host has a second one, and the domain takes both.
    const { needs, domain } = await buildOnHost(path.join(dir, 'vm.ts'), hostFixture('amd-2ccd'));
    expect(domain.devices?.hostdev?.map((h) => h.source?.address?.function)).toEqual(['0x0', '0x1']);
    expect(needs).toEqual({
      pciDevices: [pci('0b:00.0'), pci('0b:00.1')],
      deviceNodes: ['/dev/kvmfr0'],
      readFiles: ['/var/lib/vbios/rx6800.rom'],
      hugepages: { sizeKiB: 1048576, count: 8 },
    });
  });
});

describe('paths that become AppArmor rules every VM shares', () => {
  async function needsOf(fields: string) {
    const dir = await tempRoot();
    await putFile(
      dir,
      '/vm.ts',
      `import { defineVm } from 'virt-gen';\nexport default defineVm({ name: 'vm', memory: 1024, cpu: { cores: 2 }, ${fields} });\n`,
    );
    return buildOnHost(path.join(dir, 'vm.ts'), hostFixture('guide'));
  }

  it('mem-path=/dev/../etc/shadow is refused, naming qemuArgs[i], never granted', async () => {
    await expect(
      needsOf(`qemuArgs: ['-object', 'memory-backend-file,id=m,mem-path=/dev/../etc/shadow,size=64M']`),
    ).rejects.toThrow(
      'qemuArgs[1]: "/dev/../etc/shadow" is not a normalised absolute path (no "..", ".", "//" or control characters): write the path itself, e.g. "/etc/shadow"',
    );
    await expect(needsOf(`qemuArgs: ['-device', 'x,file=/dev//kvmfr0']`)).rejects.toThrow(
      'qemuArgs[1]: "/dev//kvmfr0" is not a normalised absolute path',
    );
  });

  it('a ROM path with .. is refused, naming the field', async () => {
    await expect(
      needsOf(`gpu: { host: '02:00.0', rom: '/usr/share/vgabios/../../../etc/shadow' }`),
    ).rejects.toThrow('gpu.rom: "/usr/share/vgabios/../../../etc/shadow" is not a normalised absolute path');
  });
});

describe('hostGenerateContext', () => {
  it('gives the generator the card functions and the auto pins as cpusets', async () => {
    const facts = await readHostFacts(hostFixture('guide'));
    const ctx = hostGenerateContext(facts);
    expect(ctx.gpuFunctions?.(pci('02:00.0'))).toEqual([0, 1]);
    expect(ctx.gpuFunctions?.(pci('05:00.0'))).toBeUndefined();
    const vm = await loadVm(path.resolve('examples/gaming.ts'));
    expect(ctx.autoPin?.({ ...vm.cpu, cores: 3 })).toEqual({
      vcpus: ['1', '5', '2', '6', '3', '7'],
      emulator: '0,4',
      iothread: '0,4',
      warnings: [],
    });
  });
});
