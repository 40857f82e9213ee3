/** `-c` and `--facts` as a user types them: bad combinations get one clear message and change nothing. */
import { describe, expect, it } from '@jest/globals';
import path from 'node:path';
import { EXAMPLES } from '../../support/paths.js';
import { virtGen } from '../../support/run.js';

describe('-c / --facts on the command line', () => {
  it('an unknown --facts names the option and the choices', () => {
    const r = virtGen(['discover', '--facts', 'proc']);
    expect([r.status, r.stdout, r.stderr]).toEqual([
      2,
      '',
      'virt-gen: --facts proc: expected sysfs or libvirt\n',
    ]);
  });

  it('--root with a remote URI is refused before anything is read or defined', () => {
    const r = virtGen([
      'define',
      path.join(EXAMPLES, 'minimal.ts'),
      '-c',
      'qemu+ssh://gpu1/system',
      '--root',
      '/mnt',
    ]);
    expect(r.status).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toBe(
      "virt-gen: --root /mnt reads this machine's files; qemu+ssh://gpu1/system is another host\n",
    );
  });

  it('the same host twice in one define is refused', () => {
    const r = virtGen([
      'define',
      path.join(EXAMPLES, 'minimal.ts'),
      '-c',
      'qemu+ssh://a/system',
      '-c',
      'qemu+ssh://a/system',
    ]);
    expect([r.status, r.stderr]).toEqual([
      2,
      'virt-gen: -c qemu+ssh://a/system is given twice: each host once\n',
    ]);
  });

  it('-c more than once is for define only', () => {
    const r = virtGen(['discover', '-c', 'qemu+ssh://a/system', '-c', 'qemu+ssh://b/system']);
    expect([r.status, r.stderr]).toEqual([
      2,
      'virt-gen: -c is given 2 times: only define takes several hosts\n',
    ]);
  });

  it.each(['discover', 'doctor', 'define'])('%s --help documents -c and --facts', (cmd) => {
    const help = virtGen([cmd, '--help']).stdout;
    expect(help).toContain('-c, --connect <uri>');
    expect(help).toContain('--facts <source>');
  });
});
