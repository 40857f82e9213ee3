// Remote facts benchmark: reading a host's facts through libvirt over a remote connection, as
// virt-gen does it (the node devices in one virsh process: one connection) against the plain way
// (one `virsh nodedev-dumpxml` per device: one connection each), measured interleaved in the same
// run (median of N each), so the ratio holds on any machine. The connection is
// qemu+ext:///system?command=SCRIPT, SCRIPT exec'ing virt-ssh-helper (the far end of qemu+ssh)
// after --delay ms that stand for an ssh handshake (default 100). Needs the libvirt sandbox and a build.
// Usage: node bench/remote.mjs [--runs N] [--delay MS]
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const lib = (file) => import(path.join(repo, 'build', 'src', file));
const { VirshHostQuery } = await lib('libvirt/host-query.js');
const { readLibvirtFacts } = await lib('host/from-libvirt/facts.js');
const arg = (name, fallback) => {
  const i = process.argv.indexOf(name);
  return i > 0 ? Number(process.argv[i + 1]) : fallback;
};
const runs = arg('--runs', 7);
const delay = arg('--delay', 100);

const dir = mkdtempSync(path.join(os.tmpdir(), 'vg-bench-remote-'));
const script = path.join(dir, 'fake-ssh.sh');
writeFileSync(script, `#!/bin/sh\nsleep ${delay / 1000}\nexec virt-ssh-helper qemu:///system\n`, {
  mode: 0o700,
});
const uri = `qemu+ext:///system?command=${script}`;

const virsh = (...args) => {
  const r = spawnSync('virsh', ['-c', uri, ...args], {
    encoding: 'utf8',
    env: { ...process.env, LC_ALL: 'C' },
  });
  if (r.status !== 0) throw new Error(`virsh ${args.join(' ')}: ${r.stderr.trim()}`);
  return r.stdout;
};

/** The plain way: every call its own virsh process, every node device its own dumpxml. */
function oneByOne() {
  for (const cap of ['pci', 'usb_device']) {
    const names = virsh('nodedev-list', '--cap', cap)
      .split('\n')
      .filter((l) => l.trim() !== '');
    for (const n of names) virsh('nodedev-dumpxml', n.trim());
  }
  for (const cmd of [['capabilities'], ['freepages', '--all'], ['nodememstats']]) virsh(...cmd);
}

async function timed(fn) {
  const t = process.hrtime.bigint();
  await fn();
  return Number(process.hrtime.bigint() - t) / 1e6;
}
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

const devices = virsh('nodedev-list', '--cap', 'pci')
  .split('\n')
  .filter((l) => l.trim() !== '').length;
const samples = { 'virt-gen (batched)': [], 'one virsh per call': [] };
try {
  for (let i = 0; i < runs; i++) {
    samples['virt-gen (batched)'].push(await timed(() => readLibvirtFacts(new VirshHostQuery(uri))));
    samples['one virsh per call'].push(await timed(oneByOne));
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}
const base = median(samples['one virsh per call']);
console.log(
  `remote facts over qemu+ext (${delay} ms per connection, ${devices} PCI devices), median of ${runs}:`,
);
for (const [k, xs] of Object.entries(samples))
  console.log(
    `  ${k.padEnd(22)} ${median(xs).toFixed(0).padStart(6)} ms  ${(median(xs) / base).toFixed(2)}×`,
  );
