/**
 * `doctor CONFIG` checks the files and devices the VM opens at start, as libvirt's QEMU user
 * (from the host's /etc/passwd) would: through the built CLI, on a recorded host under --root.
 * Also: a config finds files next to itself with import.meta (the loader gives it its file URL).
 */
import { afterAll, describe, expect, it } from '@jest/globals';
import { chmodSync, cpSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { REPO } from '../../support/paths.js';
import { run, virtGen } from '../../support/run.js';

const dir = mkdtempSync(path.join(tmpdir(), 'vg-cli-paths-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const root = path.join(dir, 'host');
cpSync(path.join(REPO, 'test', 'fixtures', 'hosts', 'guide'), root, {
  recursive: true,
  verbatimSymlinks: true,
});
mkdirSync(path.join(root, 'etc'), { recursive: true });
writeFileSync(
  path.join(root, 'etc', 'passwd'),
  'root:x:0:0::/root:/bin/bash\nlibvirt-qemu:x:64055:108::/var/lib/libvirt:/usr/sbin/nologin\n',
);
writeFileSync(path.join(root, 'etc', 'group'), 'root:x:0:\nkvm:x:108:libvirt-qemu\n');
mkdirSync(path.join(root, 'home', 'me', 'vms'), { recursive: true });
writeFileSync(path.join(root, 'home', 'me', 'vms', 'win.qcow2'), '');
chmodSync(path.join(root, 'home', 'me'), 0o700);
mkdirSync(path.join(root, 'images'), { mode: 0o755 });
writeFileSync(path.join(root, 'images', 'ok.qcow2'), '');

function config(body: string): string {
  const file = path.join(dir, `vm-${Math.random().toString(36).slice(2)}.ts`);
  writeFileSync(
    file,
    `import { defineVm } from 'virt-gen';\nexport default defineVm({ name: 'vg-cli-paths', memory: 256, cpu: { cores: 1 }, ${body} });\n`,
  );
  return file;
}

interface Finding {
  id: string;
  status: string;
  what: string;
}

function doctor(cfg: string): Finding[] {
  const r = virtGen(['doctor', cfg, '--root', root, '--json']);
  return (JSON.parse(r.stdout) as { findings: Finding[] }).findings;
}

describe('doctor CONFIG: the paths the VM opens', () => {
  it('a disk image in a folder the QEMU user cannot enter fails, naming the folder and the user', () => {
    const found = doctor(config("disks: [{ path: '/home/me/vms/win.qcow2' }]"));
    const f = found.find((x) => x.id === 'path:/home/me/vms/win.qcow2');
    expect(f?.status).toBe('fail');
    expect(f?.what).toContain("libvirt's QEMU user libvirt-qemu cannot enter /home/me (mode 0700");
  });

  it('a missing ISO fails; an image the user can reach is ok; a USB device not plugged in warns', () => {
    const found = doctor(
      config(
        "disks: [{ path: '/images/ok.qcow2' }, { path: '/images/win11.iso', device: 'cdrom' }], usb: ['dead:beef']",
      ),
    );
    expect(found.find((x) => x.id === 'path:/images/win11.iso')).toMatchObject({
      status: 'fail',
      what: 'CD-ROM image /images/win11.iso does not exist',
    });
    expect(found.find((x) => x.id === 'path:/images/ok.qcow2')).toBeUndefined();
    expect(found.find((x) => x.id === 'paths')).toMatchObject({ status: 'ok' });
    expect(found.find((x) => x.id === 'usb:dead:beef')?.status).toBe('warn');
  });
});

describe('doctor CONFIG: the devices the VM opens', () => {
  const here = '11111111-2222-4333-8444-555555555555';
  const gone = '4b20d080-1b54-4048-81ae-217846d8a1b4';
  mkdirSync(path.join(root, 'sys', 'bus', 'mdev', 'devices', here), { recursive: true });

  it('a mediated device the host has not created, and an absent entropy source, fail with their own fix', () => {
    const r = virtGen([
      'doctor',
      config(`mdev: ['${here}', '${gone}'], rng: { source: '/dev/hwrng' }`),
      '--root',
      root,
      '--json',
    ]);
    const found = (JSON.parse(r.stdout) as { findings: Array<Finding & { fix?: string }> }).findings;
    expect(found.find((x) => x.id === `path:/sys/bus/mdev/devices/${gone}`)).toMatchObject({
      status: 'fail',
      what: `mediated device /sys/bus/mdev/devices/${gone} does not exist`,
      fix: expect.stringContaining(`mdevctl start -u ${gone}`),
    });
    expect(found.find((x) => x.id === `path:/sys/bus/mdev/devices/${here}`)).toBeUndefined();
    expect(found.find((x) => x.id === 'path:/dev/hwrng')).toMatchObject({
      status: 'fail',
      what: 'entropy source /dev/hwrng does not exist',
    });
  });
});

describe('a config finds files next to itself', () => {
  it('import.meta.dirname, .filename and .url are the config file', () => {
    const sub = path.join(dir, 'sub');
    mkdirSync(sub);
    const file = path.join(sub, 'vm.ts');
    writeFileSync(
      file,
      `import { defineVm } from 'virt-gen';
export default defineVm({
  name: 'vg-cli-meta', memory: 256, cpu: { cores: 1 },
  disks: [
    { path: import.meta.dirname + '/a.qcow2' },
    { path: new URL('./b.qcow2', import.meta.url).pathname },
    { path: import.meta.filename + '.img' },
  ],
});
`,
    );
    const r = virtGen(['xml', file]);
    expect(r.stderr).toBe('');
    expect(r.stdout).toContain(`<source file="${sub}/a.qcow2"/>`);
    expect(r.stdout).toContain(`<source file="${sub}/b.qcow2"/>`);
    expect(r.stdout).toContain(`<source file="${file}.img"/>`);
  });
});

describe('discover --config', () => {
  it('writes a tsconfig.json beside the config, and tsc checks the starter config against this virt-gen', () => {
    const out = path.join(dir, 'discovered');
    mkdirSync(out);
    const host = path.join(REPO, 'test', 'fixtures', 'hosts', 'guide');
    const r = virtGen(['discover', '--root', host, '--config', path.join(out, 'gaming.ts')]);
    expect(r.status).toBe(0);
    expect(r.stderr).toContain(`and ${path.join(out, 'tsconfig.json')}`);
    const tsc = run(process.execPath, [
      path.join(REPO, 'node_modules', 'typescript', 'bin', 'tsc'),
      '--noEmit',
      '-p',
      out,
    ]);
    expect(tsc.stdout).toBe('');
    expect(tsc.status).toBe(0);
  });
});
