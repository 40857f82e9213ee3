/**
 * The real-world set (test/fixtures/import-real/): command lines written the way users and tools
 * write them (start scripts, sudo/taskset/nice wrappers, qemu-kvm, Proxmox's `qm showcmd`, Looking
 * Glass, evdev, hugepages, mdev, old and new syntax), each with the facts, written by hand, that its
 * domain must carry. The share of facts carried is measured against the 97% target; docs/import.md has the figure.
 */
import { describe, expect, it } from '@jest/globals';
import { join } from 'node:path';
import { writeDomainXml } from '../../../src/domain/document.js';
import { importArgs } from '../../../src/import/index.js';
import { holds, realWorldCases } from '../../support/import-facts.js';
import { REPO } from '../../support/paths.js';

const cases = realWorldCases(join(REPO, 'test/fixtures/import-real'));

describe('the real-world set', () => {
  it('has at least 20 command lines', () => {
    expect(cases.length).toBeGreaterThanOrEqual(20);
  });

  it('imports every one and carries every one of their facts (the target is 97%)', () => {
    let carried = 0;
    let total = 0;
    const missing: string[] = [];
    for (const c of cases) {
      const xml = writeDomainXml(importArgs(c.text, { fileName: c.file, pwd: '/vm' }).domain);
      for (const fact of c.facts) {
        total++;
        if (holds(xml, fact)) carried++;
        else missing.push(`${c.name}: ${fact}`);
      }
    }
    // Every fact is carried (docs/import.md): a regression shows here by name.
    expect(missing).toEqual([]);
    expect(carried).toBe(total);
  });

  it('reads a second command on its own line as a second command, never as arguments', () => {
    expect(() => importArgs('qemu-system-x86_64 -m 1G\ntouch /tmp/x\n')).toThrow(
      /'touch' at line 2, column 1 starts a second command/,
    );
    expect(() => importArgs('qemu-system-x86_64 -m 1G\n-smp 2\n')).toThrow(/end line 1 with '\\'/);
  });

  it('drops wrappers before the binary, and a kvm binary means KVM', () => {
    const r = importArgs('sudo -u qemu nice -n 5 chrt -f 10 /usr/bin/kvm -m 1G', { name: 'w' });
    expect(r.domain.type).toBe('kvm');
    expect(r.warnings.join('\n')).toMatch(/'chrt -f 10' at line 1, column \d+ dropped/);
  });

  it('refuses values libvirt or QEMU would refuse, naming the argument', () => {
    const err = (args: string): string => {
      try {
        importArgs(`qemu-system-x86_64 ${args}`, { name: 'x' });
      } catch (e) {
        return String((e as Error).message);
      }
      return 'accepted';
    };
    expect(err('-smp 100000')).toMatch(/^-smp 100000 \(argument 1.*machine 'pc' takes at most 255/);
    expect(err('-vnc :70000')).toMatch(/^-vnc :70000 .*past the last TCP port/);
    expect(err("-machine 'weird<type>'")).toMatch(/not a machine name/);
    expect(err(`-device '{"driver":"e1000","a":${'['.repeat(2000)}${']'.repeat(2000)}}'`)).toMatch(
      /nested deeper than 1024/,
    );
  });
});
