/**
 * The runtime hook for real: installed in the real /etc/libvirt/hooks/qemu.d/, called by the sandbox's
 * libvirtd while a TCG domain (`vg-runtime-*`, 64 MiB on 2M hugepages, `allocateHugepages`) starts and
 * stops; the 2M pool is checked before, during and after.
 *
 * libvirt looks for QEMU hooks only when it starts, and restarting the shared sandbox libvirtd would
 * break the other suites' running tests. So this runs only with VG_REAL_HOOK=1, set by whoever has
 * restarted libvirtd after installing the hook (`bash scripts/sandbox.sh` has no restart: stop and
 * start it between suites). Without a restart the test fails with that instruction, never passes
 * silently. The hook file is removed afterwards.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { chmodSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { stampElement } from '../../src/define/stamp.js';
import { writeXml } from '../../src/domain/xml-write.js';
import { runtimePlanElement } from '../../src/hook/plan.js';
import { HOOK_PATH, hookScript } from '../../src/host/runtime-hook.js';
import { requireLibvirt, undefine, defineXml, virsh } from '../support/libvirt.js';

const NAME = `vg-runtime-hook-${process.pid}`;
const POOL = '/sys/kernel/mm/hugepages/hugepages-2048kB/nr_hugepages';
const PAGES = 32; // 64 MiB
const real = process.env.VG_REAL_HOOK === '1';
const pool = (): number => Number(readFileSync(POOL, 'utf8').trim());

function domainXml(): string {
  const metadata = {
    name: 'metadata',
    attrs: {},
    children: [
      stampElement({ config: '/dev/null', version: 'test', generated: '0'.repeat(64) }),
      runtimePlanElement({ hugepages: { sizeKiB: 2048, pages: [{ count: PAGES }] } }),
    ],
  };
  return `<domain type="qemu">
  <name>${NAME}</name>
  ${writeXml(metadata)}
  <memory unit="MiB">64</memory>
  <memoryBacking><hugepages><page size="2048" unit="KiB"/></hugepages></memoryBacking>
  <vcpu>1</vcpu>
  <os><type arch="x86_64" machine="q35">hvm</type></os>
  <devices><video><model type="none"/></video></devices>
</domain>`;
}

(real ? describe : describe.skip)('the runtime hook called by libvirtd (VG_REAL_HOOK=1)', () => {
  let installed = false;
  let madeDir = false;
  beforeAll(() => {
    requireLibvirt();
    if (!existsSync(HOOK_PATH)) {
      madeDir = !existsSync('/etc/libvirt/hooks/qemu.d');
      mkdirSync('/etc/libvirt/hooks/qemu.d', { recursive: true });
      writeFileSync(HOOK_PATH, hookScript('/'));
      chmodSync(HOOK_PATH, 0o755);
      installed = true;
    }
    defineXml(NAME, domainXml());
  });
  afterAll(() => {
    undefine(NAME);
    if (installed) rmSync(HOOK_PATH, { force: true });
    if (madeDir) rmSync('/etc/libvirt/hooks/qemu.d', { recursive: true, force: true });
  });

  it('prepare allocates the pages, the VM runs on them, release gives them back', () => {
    const before = pool();
    const start = virsh(['start', NAME]);
    if (start.status !== 0 && !existsSync(`/run/virt-gen/hook/${NAME}.json`)) {
      throw new Error(
        `libvirtd did not call ${HOOK_PATH} (${start.stderr.trim()}): it looks for QEMU hooks only when it ` +
          'starts; install the hook, restart libvirtd, and run this again',
      );
    }
    expect(start.stderr).toBe('');
    expect(pool()).toBeGreaterThanOrEqual(before);
    const state = JSON.parse(readFileSync(`/run/virt-gen/hook/${NAME}.json`, 'utf8')) as {
      pages: Array<{ file: string; added: number }>;
    };
    const added = state.pages.reduce((a, p) => a + p.added, 0);
    expect(pool()).toBe(before + added);
    expect(virsh(['destroy', NAME]).status).toBe(0);
    expect(pool()).toBe(before);
    expect(existsSync(`/run/virt-gen/hook/${NAME}.json`)).toBe(false);
  });
});
