/**
 * The sandbox libvirt (scripts/sandbox.sh) as tests use it: virsh with argument arrays, and a
 * clear failure when the daemon is not there (CI starts it; a test never silently skips).
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { run, type RunResult } from './run.js';

export const URI = 'qemu:///system';

export function virsh(args: string[], input?: string): RunResult {
  return run('virsh', ['-c', URI, ...args], input === undefined ? {} : { input });
}

/** Like virsh(), but throws with libvirt's message when the command fails. */
export function virshOk(args: string[]): string {
  const r = virsh(args);
  if (r.status !== 0) throw new Error(`virsh ${args.join(' ')} failed: ${r.stderr.trim()}`);
  return r.stdout;
}

export function requireLibvirt(): void {
  const r = virsh(['version']);
  if (r.status !== 0) {
    throw new Error(
      `libvirt is not reachable at ${URI} (${r.stderr.trim()}). Start the sandbox: bash scripts/sandbox.sh start`,
    );
  }
}

const tmp = mkdtempSync(path.join(os.tmpdir(), 'vg-libvirt-'));

/** Defines a domain from XML text (replacing any earlier test domain of that name). */
export function defineXml(name: string, xml: string): void {
  undefine(name);
  const file = path.join(tmp, `${name}.xml`);
  writeFileSync(file, xml);
  virshOk(['define', file]);
}

export function undefine(name: string): void {
  if (virsh(['domstate', name]).status !== 0) return;
  virsh(['destroy', name]);
  virsh(['undefine', '--nvram', name]);
}

export function dumpInactive(name: string): string {
  return virshOk(['dumpxml', '--inactive', name]);
}

/** The QEMU command line libvirt would run for a defined domain, one argument per element. */
export function nativeArgv(name: string): string[] {
  const text = virshOk(['domxml-to-native', 'qemu-argv', '--domain', name]);
  // libvirt prints a shell-quoted line; JSON arguments are single-quoted without inner single quotes.
  return [...text.matchAll(/'([^']*)'|(\S+)/g)].map((m) => m[1] ?? (m[2] as string));
}

/**
 * `virsh start`, and where KVM refuses the domain's CPU (nested KVM on AMD: "failed to set MSR
 * 0x10a" for host-passthrough and host-model) the same domain re-defined on TCG with the named
 * model qemu64: who QEMU runs as is libvirt's choice, not the accelerator's.
 */
export function startPortably(name: string): void {
  const r = virsh(['start', name]);
  if (r.status === 0) return;
  if (!/kvm|MSR/i.test(r.stderr)) throw new Error(`virsh start ${name} failed: ${r.stderr.trim()}`);
  const tcg = dumpInactive(name)
    .replace(/^<domain type='kvm'/, "<domain type='qemu'")
    .replace(
      /<cpu\b[^>]*\/>|<cpu\b[\s\S]*?<\/cpu>/,
      "<cpu mode='custom' match='exact'><model>qemu64</model></cpu>",
    );
  const file = path.join(tmp, `${name}-tcg.xml`);
  writeFileSync(file, tcg);
  virshOk(['define', file]);
  virshOk(['start', name]);
}
