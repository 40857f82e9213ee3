/**
 * The tools that decide, in the tests, whether virt-gen's output is right: libvirt's own config parser,
 * augtool with libvirt's qemu.conf lens, and apparmor_parser. All spawned with argument arrays.
 */
import { execa } from 'execa';
import { chmod, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';

export interface AugtoolResult {
  /** Values of /files/etc/libvirt/qemu.conf/cgroup_device_acl[1]/*, in order. */
  acl: string[];
  /** `print /augeas//error` output: empty when the lens parsed the file. */
  errors: string;
  /** `print /files/etc/libvirt/qemu.conf`: the whole tree, to compare settings. */
  tree: string;
}

const AUG_FILE = '/files/etc/libvirt/qemu.conf';

/** Parses `<root>/etc/libvirt/qemu.conf` with libvirt's Libvirtd_qemu lens. */
export async function augtool(root: string): Promise<AugtoolResult> {
  const commands = [
    'set /augeas/load/Libvirtd_qemu/lens Libvirtd_qemu.lns',
    'set /augeas/load/Libvirtd_qemu/incl /etc/libvirt/qemu.conf',
    'load',
    'print /augeas//error',
    'get /augeas/root',
    `match ${AUG_FILE}/cgroup_device_acl[1]/*`,
    'get /augeas/root',
    `print ${AUG_FILE}`,
  ].join('\n');
  const { stdout } = await execa('augtool', ['-r', root, '--noautoload'], {
    input: commands + '\n',
    timeout: 30_000,
  });
  // `get /augeas/root` prints one known line: it separates the three outputs.
  const [errors = '', match = '', tree = ''] = stdout.split(/^\/augeas\/root = .*$/m);
  const acl = match
    .split('\n')
    .map((l) => /^\S+ = (.*)$/.exec(l.trim())?.[1])
    .filter((v): v is string => v !== undefined);
  return { acl, errors: errors.trim(), tree: tree.trim() };
}

/**
 * Asks libvirt's own parser (virconf.c, the one that reads qemu.conf) whether it accepts `text`: virsh
 * reads its client config `$XDG_CONFIG_HOME/libvirt/libvirt.conf` with the same parser and flags before
 * connecting to the test driver. Run as an unprivileged user (root reads /etc/libvirt/libvirt.conf).
 */
export async function libvirtAccepts(text: string): Promise<{ ok: boolean; message: string }> {
  const dir = await mkdtemp(path.join(tmpdir(), 'virt-gen-virconf-'));
  try {
    await mkdir(path.join(dir, 'cfg', 'libvirt'), { recursive: true });
    await writeFile(path.join(dir, 'cfg', 'libvirt', 'libvirt.conf'), text);
    for (const d of [dir, path.join(dir, 'cfg'), path.join(dir, 'cfg', 'libvirt')]) await chmod(d, 0o755);
    await chmod(path.join(dir, 'cfg', 'libvirt', 'libvirt.conf'), 0o644);
    const env = { HOME: dir, XDG_CONFIG_HOME: path.join(dir, 'cfg'), PATH: '/usr/bin:/bin:/usr/sbin:/sbin' };
    const virsh = ['virsh', '-c', 'test:///default', 'uri'];
    const [cmd, args] =
      process.getuid?.() === 0
        ? ['setpriv', ['--reuid=65534', '--regid=65534', '--clear-groups', ...virsh]]
        : [virsh[0] as string, virsh.slice(1)];
    const r = await execa(cmd as string, args as string[], {
      env,
      extendEnv: false,
      reject: false,
      timeout: 30_000,
    });
    return {
      ok: r.exitCode === 0 && r.stdout.trim() === 'test:///default',
      message: `${r.stdout}\n${r.stderr}`.trim(),
    };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** `apparmor_parser -Q -K -I <root>/etc/apparmor.d <root>/etc/apparmor.d/libvirt/TEMPLATE.qemu`. */
export async function apparmorParse(root: string): Promise<{ ok: boolean; message: string }> {
  const base = path.join(root, 'etc/apparmor.d');
  const r = await execa(
    'apparmor_parser',
    ['-Q', '-K', '-I', base, path.join(base, 'libvirt/TEMPLATE.qemu')],
    {
      reject: false,
      timeout: 30_000,
    },
  );
  return { ok: r.exitCode === 0, message: r.stderr };
}

/** The TEMPLATE.qemu profile with every include expanded (`apparmor_parser -p`): shows which rules it gets. */
export async function apparmorExpand(root: string): Promise<string> {
  const base = path.join(root, 'etc/apparmor.d');
  const r = await execa('apparmor_parser', ['-p', '-I', base, path.join(base, 'libvirt/TEMPLATE.qemu')], {
    timeout: 30_000,
  });
  return r.stdout;
}
