// Define benchmark: defining a domain through virt-gen's D-Bus and virsh backends, each against
// `virsh define` of the same XML measured in the same run (interleaved, median of N each), so the
// ratios hold on any machine. Needs the libvirt sandbox (scripts/sandbox.sh) and a build (npm run build).
// Usage: node bench/define.mjs [--runs N]
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const lib = (file) => import(path.join(repo, 'build', 'src', file));
const { openDbusBackend } = await lib('libvirt/dbus.js');
const { openVirshBackend } = await lib('libvirt/virsh.js');
const { defineDomain } = await lib('define/define.js');

const i = process.argv.indexOf('--runs');
const runs = Math.max(10, i > 0 ? Number(process.argv[i + 1]) : 15);
const uri = 'qemu:///system';
const name = `vg-bench-define-${process.pid}`;
const uuid = '7f1c7d9e-0b6a-4c38-9a57-3b3f3d0e5a01';
const xml = `<domain type='kvm'>
  <name>${name}</name>
  <uuid>${uuid}</uuid>
  <memory unit='MiB'>128</memory>
  <vcpu>1</vcpu>
  <os><type arch='x86_64' machine='q35'>hvm</type></os>
  <devices><video><model type='none'/></video></devices>
</domain>`;
const dir = mkdtempSync(path.join(os.tmpdir(), 'vg-bench-define-'));
const file = path.join(dir, 'domain.xml');
writeFileSync(file, xml);

const virsh = (...args) => {
  const r = spawnSync('virsh', ['-c', uri, ...args], {
    encoding: 'utf8',
    env: { ...process.env, LC_ALL: 'C' },
  });
  if (r.status !== 0) throw new Error(`virsh ${args.join(' ')}: ${r.stderr.trim()}`);
  return r.stdout;
};

async function timed(fn) {
  const t = process.hrtime.bigint();
  await fn();
  return Number(process.hrtime.bigint() - t) / 1e6;
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

const dbusOpen = await openDbusBackend({ uri });
const cases = {
  'virsh define FILE (process)': async () => virsh('define', file),
  'dbus backend: open + define + close': async () => {
    const b = await openDbusBackend({ uri });
    await b.define(xml);
    await b.close();
  },
  'dbus backend: define (open connection)': async () => dbusOpen.define(xml),
  'virsh backend: define': async () => openVirshBackend({ uri }).define(xml),
};
// The whole safe define (lookup, read, backup, two defines, read back, survival check), with a
// real change every time (the memory size alternates), and with nothing to do.
let flip = 0;
const changed = () => xml.replace('128', ++flip % 2 ? '256' : '128');
// An update forces (no base to merge with in this state dir); "unchanged" must not: --force always
// redefines, so it would measure an update.
const orchestrated =
  (backend, next, force = true) =>
  () =>
    defineDomain({ xml: next(), configPath: '/bench.ts', backend: backend(), stateDir: dir, force });
const safe = {
  'defineDomain via dbus, update': orchestrated(() => dbusOpen, changed),
  'defineDomain via virsh, update': orchestrated(() => openVirshBackend({ uri }), changed),
  'defineDomain via dbus, unchanged': orchestrated(
    () => dbusOpen,
    () => xml,
    false,
  ),
  'defineDomain via virsh, unchanged': orchestrated(
    () => openVirshBackend({ uri }),
    () => xml,
    false,
  ),
};

try {
  virsh('define', file);
  for (const fn of Object.values(cases)) await fn(); // warm up: libvirt-dbus activation, caches
  const samples = Object.fromEntries(Object.keys(cases).map((k) => [k, []]));
  for (let n = 0; n < runs; n++)
    for (const [k, fn] of Object.entries(cases)) samples[k].push(await timed(fn));
  const safeSamples = Object.fromEntries(Object.keys(safe).map((k) => [k, []]));
  // Updates first; then one forced define of the base XML, so that the "unchanged" runs find
  // exactly what they would define (interleaved, every update would make the next one a change).
  const [updates, unchangedRuns] = [
    Object.entries(safe).filter(([k]) => k.endsWith('update')),
    Object.entries(safe).filter(([k]) => k.endsWith('unchanged')),
  ];
  for (let n = 0; n < runs; n++) for (const [k, fn] of updates) safeSamples[k].push(await timed(fn));
  await orchestrated(
    () => dbusOpen,
    () => xml,
  )();
  for (let n = 0; n < runs; n++) for (const [k, fn] of unchangedRuns) safeSamples[k].push(await timed(fn));

  const base = median(samples['virsh define FILE (process)']);
  const width = Math.max(...[...Object.keys(cases), ...Object.keys(safe)].map((k) => k.length));
  const line = (k, ms) =>
    console.log(
      `${k.padEnd(width)}  median ${ms.toFixed(1).padStart(6)} ms  ratio ${(ms / base).toFixed(2)}`,
    );
  console.log(`define of the same domain, ${runs} runs each, interleaved (ratio: against virsh define)`);
  for (const [k, xs] of Object.entries(samples)) line(k, median(xs));
  for (const [k, xs] of Object.entries(safeSamples)) line(k, median(xs));
} finally {
  await dbusOpen.close();
  spawnSync('virsh', ['-c', uri, 'undefine', '--nvram', name], { encoding: 'utf8' });
  rmSync(dir, { recursive: true, force: true });
}
