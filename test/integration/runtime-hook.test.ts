/**
 * The runtime hook for real: installed in the real /etc/libvirt/hooks/qemu.d/, called by the sandbox's
 * libvirtd while a TCG domain (`vg-runtime-*`, 64 MiB on 2M hugepages, `allocateHugepages`) starts and
 * stops; the 2M pool is checked before, during and after.
 *
 * libvirt decides whether QEMU has hooks when it starts or reloads, so after installing the hook the
 * test reloads libvirtd with SIGHUP (what `systemctl reload libvirtd` sends; running domains are not
 * touched), and again after removing it. Needs root and the sandbox, as every integration test.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { execFileSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { stampElement } from '../../src/define/stamp.js';
import { writeXml } from '../../src/domain/xml-write.js';
import { runtimePlanElement } from '../../src/hook/plan.js';
import { HOOK_PATH, hookScript } from '../../src/host/runtime-hook.js';
import { requireLibvirt, undefine, defineXml, virsh } from '../support/libvirt.js';

const NAME = `vg-runtime-hook-${process.pid}`;
const POOL = '/sys/kernel/mm/hugepages/hugepages-2048kB/nr_hugepages';
const PAGES = 32; // 64 MiB
const pool = (): number => Number(readFileSync(POOL, 'utf8').trim());

/** `systemctl reload libvirtd` without systemd: SIGHUP to the daemon, then wait until it answers again. */
function reloadLibvirtd(): void {
  for (const pid of execFileSync('pgrep', ['-x', 'libvirtd'], { encoding: 'utf8' }).trim().split('\n')) {
    process.kill(Number(pid), 'SIGHUP');
  }
  for (let i = 0; i < 50 && virsh(['version']).status !== 0; i++) execFileSync('sleep', ['0.2']);
}

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

describe('the runtime hook called by libvirtd', () => {
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
    reloadLibvirtd();
    defineXml(NAME, domainXml());
  });
  afterAll(() => {
    undefine(NAME);
    if (installed) rmSync(HOOK_PATH, { force: true });
    if (madeDir) rmSync('/etc/libvirt/hooks/qemu.d', { recursive: true, force: true });
    if (installed) reloadLibvirtd();
  });

  it('prepare allocates the pages, the VM runs on them, release gives them back', () => {
    const before = pool();
    const start = virsh(['start', NAME]);
    if (start.status !== 0 && !existsSync(`/run/virt-gen/hook/${NAME}.json`)) {
      throw new Error(`libvirtd did not call ${HOOK_PATH} after a reload (${start.stderr.trim()})`);
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
