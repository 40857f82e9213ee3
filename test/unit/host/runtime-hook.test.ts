/**
 * The runtime layer of the host plan and its doctor check, through the built CLI on a fixture root:
 * the hook is planned only for a config with `runtime`, written once (mode 755), and doctor fails
 * until it is there. Generation's notes show in doctor's findings as in `xml`.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { virtGen } from '../../support/run.js';
import { cleanRoots, hostRoot, tempRoot } from './helpers/roots.js';

let root: string;
let dir: string;
const config = (runtime: string, cores = 4): string => {
  const file = path.join(dir, `vm-${cores}-${runtime.length}.ts`);
  writeFileSync(
    file,
    `import { defineVm } from 'virt-gen';\nexport default defineVm({ name: 'vg-runtime-plan', memory: 4096, ` +
      `cpu: { cores: ${cores}, threads: 2, pin: 'auto' }, gpu: { host: '81:00.0' }${runtime} });\n`,
  );
  return file;
};
const finding = (json: string, id: string) =>
  (JSON.parse(json) as { findings: Array<{ id: string; status: string; what: string }> }).findings.find(
    (f) => f.id === id,
  );

beforeAll(async () => {
  root = await hostRoot('numa-gpu1');
  dir = await tempRoot('vg-runtime-plan-');
});
afterAll(cleanRoots);

describe('the runtime hook in host plan, apply and doctor', () => {
  it('a config without runtime plans no hook', () => {
    const r = virtGen(['host', 'plan', config(''), '--root', root, '--json']);
    expect(r.status).toBe(0);
    expect(r.stdout).not.toContain('hooks/qemu.d');
  });

  it('with runtime: planned (new, mode 755), doctor fails until applied, then ok; a second plan is empty', () => {
    const file = config(", runtime: { governor: 'performance' }");
    const plan = virtGen(['host', 'plan', file, '--root', root, '--json']);
    const parsed = JSON.parse(plan.stdout) as {
      changes: Array<{ path: string; diff: string }>;
      notes: string[];
    };
    const hook = parsed.changes.find((c) => c.path === '/etc/libvirt/hooks/qemu.d/virt-gen');
    expect(hook?.diff).toContain(`+#!${process.execPath}`);
    expect(parsed.notes).toContain(
      'runtime hook: reload libvirtd after apply (systemctl reload libvirtd, or virtqemud): libvirt looks for QEMU hooks when it starts or reloads',
    );
    const before = virtGen(['doctor', file, '--root', root, '--json']);
    expect(finding(before.stdout, 'runtime-hook')).toMatchObject({ status: 'fail' });
    expect(virtGen(['host', 'apply', file, '--root', root]).status).toBe(0);
    const after = virtGen(['doctor', file, '--root', root, '--json']);
    expect(finding(after.stdout, 'runtime-hook')).toMatchObject({ status: 'ok' });
    const again = JSON.parse(
      virtGen(['host', 'plan', file, '--root', root, '--json']).stdout,
    ) as typeof parsed;
    expect(again.changes.find((c) => c.path.includes('hooks'))).toBeUndefined();
    expect(again.notes).toContain('runtime hook: /etc/libvirt/hooks/qemu.d/virt-gen is installed');
  });

  it("doctor shows generation's warnings as findings naming the field (a guest larger than the GPU's node)", () => {
    const r = virtGen(['doctor', config('', 10), '--root', root, '--json']);
    const f = finding(r.stdout, 'config:cpu.pin');
    expect(f?.status).toBe('warn');
    expect(f?.what).toContain("node 1 (the GPU's) has 7 beside the host's");
    const xml = virtGen(['xml', config('', 10), '--root', root]);
    expect(xml.stderr).toContain(`warning: cpu.pin: ${f?.what.replace('cpu.pin: ', '') ?? ''}`);
  });
});
