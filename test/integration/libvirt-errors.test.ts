/**
 * The failures a user meets, provoked for real: no bus, a bus that never answers, a bus without
 * libvirt-dbus, no libvirtd behind a URI, and a user outside the libvirt group. Each must end in
 * the right LibvirtError kind with its fix, quickly: never a hang.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { openDbusBackend } from '../../src/libvirt/dbus.js';
import { LibvirtError } from '../../src/libvirt/errors.js';
import { openBackend } from '../../src/libvirt/select.js';
import { openVirshBackend } from '../../src/libvirt/virsh.js';
import { REPO } from '../support/paths.js';
import { requireLibvirt, URI } from '../support/libvirt.js';

const tmp = mkdtempSync(path.join(os.tmpdir(), 'vg-lv-errors-'));

beforeAll(() => requireLibvirt());
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

/** Runs `fn` with DBUS_SYSTEM_BUS_ADDRESS pointing elsewhere (dbus-next reads it when connecting). */
async function withSystemBus<T>(address: string, fn: () => Promise<T>): Promise<T> {
  const saved = process.env.DBUS_SYSTEM_BUS_ADDRESS;
  process.env.DBUS_SYSTEM_BUS_ADDRESS = address;
  try {
    return await fn();
  } finally {
    if (saved === undefined) delete process.env.DBUS_SYSTEM_BUS_ADDRESS;
    else process.env.DBUS_SYSTEM_BUS_ADDRESS = saved;
  }
}

async function failure(p: Promise<unknown>): Promise<{ err: LibvirtError; ms: number }> {
  const t0 = performance.now();
  const err = await p.then(
    () => {
      throw new Error('expected a failure');
    },
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(LibvirtError);
  return { err: err as LibvirtError, ms: performance.now() - t0 };
}

describe('D-Bus', () => {
  it('no bus socket: no-bus at once, not a hang', async () => {
    const { err, ms } = await withSystemBus('unix:path=/nonexistent/system_bus_socket', () =>
      failure(openDbusBackend({ uri: URI, timeoutMs: 2000 })),
    );
    expect(err.kind).toBe('no-bus');
    expect(err.message).toBe(
      'cannot reach the D-Bus system bus (connect ENOENT /nonexistent/system_bus_socket): start dbus, or use --backend virsh',
    );
    expect(ms).toBeLessThan(2000);
  });

  it('a bus that accepts and never answers: timeout within the limit', async () => {
    const socket = path.join(tmp, 'silent-bus');
    const server = net.createServer(() => undefined).listen(socket);
    try {
      const { err, ms } = await withSystemBus(`unix:path=${socket}`, () =>
        failure(openDbusBackend({ uri: URI, timeoutMs: 500 })),
      );
      expect(err.kind).toBe('timeout');
      expect(err.message).toContain('the D-Bus system bus did not answer within 500 ms');
      expect(ms).toBeGreaterThanOrEqual(450);
      expect(ms).toBeLessThan(1500);
    } finally {
      server.close();
    }
  });

  describe('a bus without libvirt-dbus', () => {
    let daemon: ChildProcess;
    const socket = path.join(tmp, 'empty-bus');

    beforeAll(async () => {
      // A bus that can activate nothing: no service directories at all.
      const config = path.join(tmp, 'empty-bus.conf');
      writeFileSync(
        config,
        `<!DOCTYPE busconfig PUBLIC "-//freedesktop//DTD D-Bus Bus Configuration 1.0//EN"
 "http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd">
<busconfig>
  <type>session</type>
  <listen>unix:path=${socket}</listen>
  <auth>EXTERNAL</auth>
  <policy context="default">
    <allow send_destination="*" eavesdrop="true"/>
    <allow eavesdrop="true"/>
    <allow own="*"/>
  </policy>
</busconfig>`,
      );
      daemon = spawn(
        'dbus-daemon',
        [`--config-file=${config}`, '--nofork', '--nopidfile', '--nosyslog', '--print-address=1'],
        {
          stdio: ['ignore', 'pipe', 'ignore'],
        },
      );
      await new Promise<void>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error('dbus-daemon did not start within 5 s')), 5000);
        daemon.stdout?.once('data', () => {
          clearTimeout(timer);
          resolve();
        });
        daemon.once('error', reject);
      });
    });
    afterAll(() => {
      daemon?.kill();
    });

    it('says libvirt-dbus is missing', async () => {
      await withSystemBus(`unix:path=${socket}`, async () => {
        const backend = await openDbusBackend({ uri: URI, timeoutMs: 2000 });
        try {
          const { err } = await failure(backend.version());
          expect(err.kind).toBe('no-bus');
          expect(err.message).toBe(
            'org.libvirt is not on the D-Bus system bus (libvirt-dbus is not installed): install libvirt-dbus, or use --backend virsh',
          );
        } finally {
          await backend.close();
        }
      });
    });

    it('auto falls back to virsh and says why', async () => {
      await withSystemBus(`unix:path=${socket}`, async () => {
        const { backend, reason } = await openBackend({ uri: URI });
        expect(backend.name).toBe('virsh');
        expect(reason).toMatch(
          /^virsh: org\.libvirt not on the bus \(The name org\.libvirt was not provided/,
        );
        expect((await backend.version()).major).toBeGreaterThanOrEqual(9);
      });
    });
  });

  it('auto falls back to virsh when there is no bus at all', async () => {
    await withSystemBus('unix:path=/nonexistent/system_bus_socket', async () => {
      const { backend, reason } = await openBackend({ uri: URI });
      expect(backend.name).toBe('virsh');
      expect(reason).toBe(
        'virsh: org.libvirt not on the bus (connect ENOENT /nonexistent/system_bus_socket)',
      );
    });
  });
});

describe('virsh', () => {
  it('no libvirtd behind the URI: no-libvirt with the fix', async () => {
    const uri = 'qemu:///system?socket=/nonexistent/libvirt-sock';
    const { err, ms } = await failure(openVirshBackend({ uri, timeoutMs: 5000 }).version());
    expect(err.kind).toBe('no-libvirt');
    expect(err.message).toBe(
      `cannot reach libvirt at ${uri} (Failed to connect socket to '/nonexistent/libvirt-sock': No such file or directory): start libvirtd (or virtqemud), or pass the right URI with -c`,
    );
    expect(ms).toBeLessThan(5000);
  });

  it('no virsh: says which package to install', async () => {
    const { err } = await failure(openVirshBackend({ uri: URI, virsh: '/nonexistent/virsh' }).listDomains());
    expect(err.kind).toBe('no-libvirt');
    expect(err.message).toBe(
      '/nonexistent/virsh not found: install libvirt-clients (virsh), or use --backend dbus',
    );
  });
});

describe('a user who is not root and not in the libvirt group', () => {
  const user = 'vgtest-nogroup';
  let ids: { uid: string; gid: string };

  beforeAll(() => {
    if (process.getuid?.() !== 0)
      throw new Error('this test runs a command as another user: run the suite as root');
    if (spawnSync('id', [user]).status !== 0) {
      const r = spawnSync('useradd', ['-r', '-M', '-s', '/usr/sbin/nologin', user], { encoding: 'utf8' });
      if (r.status !== 0) throw new Error(`useradd ${user} failed: ${r.stderr}`);
    }
    const id = (flag: string) => spawnSync('id', [flag, user], { encoding: 'utf8' }).stdout.trim();
    ids = { uid: id('-u'), gid: id('-g') };
    expect(spawnSync('id', ['-nG', user], { encoding: 'utf8' }).stdout).not.toMatch(/\blibvirt\b/);
  });

  /**
   * Opens the backend as that user in a fresh node process and reports the error it got. On
   * failure the script deliberately does not close the backend: the process must still exit (an
   * error path in the CLI must not leave it hanging on an open bus connection).
   */
  function asUser(backend: 'dbus' | 'virsh'): { kind?: string; message?: string; ok?: boolean } {
    const select = path.join(REPO, 'build', 'src', 'libvirt', 'select.js');
    const script = `
      const { openBackend } = await import(${JSON.stringify(select)});
      try {
        const { backend } = await openBackend({ backend: ${JSON.stringify(backend)}, uri: ${JSON.stringify(URI)}, timeoutMs: 5000 });
        await backend.version();
        await backend.close();
        console.log(JSON.stringify({ ok: true }));
      } catch (e) {
        console.log(JSON.stringify({ kind: e.kind, message: e.message }));
      }`;
    const r = spawnSync(
      'setpriv',
      [
        '--reuid',
        ids.uid,
        '--regid',
        ids.gid,
        '--clear-groups',
        process.execPath,
        '--input-type=module',
        '-e',
        script,
      ],
      { encoding: 'utf8', timeout: 20_000, env: { ...process.env, HOME: '/nonexistent' }, cwd: '/' },
    );
    if (r.status !== 0) throw new Error(`node as ${user} failed: ${r.stderr}`);
    return JSON.parse(r.stdout) as { kind?: string; message?: string };
  }

  it.each(['dbus', 'virsh'] as const)('%s: access-denied, with the usermod fix', (backend) => {
    const result = asUser(backend);
    expect(result.kind).toBe('access-denied');
    expect(result.message).toContain(
      "not root and not in the 'libvirt' group: run as root, or `sudo usermod -aG libvirt $USER` and log in again",
    );
  });
});
