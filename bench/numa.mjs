// NUMA and runtime figures (issue 13), run after `npm run build`:
//   node bench/numa.mjs [--runs N]
// 1. The placement rule table per fixture host: virt-gen's domain (`virt-gen xml --root HOST`) against
//    the domain a hand-written `virt-install --print-xml` command gives for the same guest, both judged
//    by the same checker (test/support/placement-rules.ts) against the host's facts.
// 2. The runtime hook's wall time per operation, run as libvirtd runs it (argv + stdin) on a fixture
//    root, against `node -e 0` in the same run (the hook's own cost is the difference).
import { spawnSync } from 'node:child_process';
import { chmodSync, cpSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const b = (p) => import(path.join(repo, 'build', p));
const { readHostFacts } = await b('src/host/facts.js');
const { parseDomainXml } = await b('src/domain/read.js');
const { parsePciAddress } = await b('src/domain/address.js');
const { hostDeviceNode } = await b('src/host/generate-context.js');
const { checkRules } = await b('test/support/placement-rules.js');
const { withStamp } = await b('src/define/stamp.js');
const { parseXml } = await b('src/domain/xml-read.js');
const { writeXml } = await b('src/domain/xml-write.js');

const runs = Number(process.argv[process.argv.indexOf('--runs') + 1]) || 7;
const tmp = mkdtempSync(path.join(os.tmpdir(), 'vg-bench-numa-'));
const BIN = path.join(repo, 'bin', 'virt-gen');

function run(cmd, args, opts = {}) {
  const r = spawnSync(cmd, args, { encoding: 'utf8', timeout: 120_000, ...opts });
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')}: ${r.stderr}`);
  return r.stdout;
}

// host fixture, GPU, guest cores × threads
const HOSTS = [
  ['numa-gpu1', '81:00.0', 6, 2],
  ['numa-gpu0', '17:00.0', 6, 2],
  ['only-1g', '01:00.0', 4, 2],
  ['amd-2ccd', '0b:00.0', 8, 2],
  ['hybrid-intel', '01:00.0', 6, 2],
  ['guide', '02:00.0', 3, 2],
];

function virtGenDomain(host, gpu, cores, threads) {
  const file = path.join(tmp, `${host}.ts`);
  writeFileSync(
    file,
    `import { defineVm } from 'virt-gen';\nexport default defineVm({ name: 'vg-runtime-bench', memory: 8192, hugepages: true, ` +
      `cpu: { cores: ${cores}, threads: ${threads}, pin: 'auto' }, gpu: { host: '${gpu}' } });\n`,
  );
  return run(process.execPath, [BIN, 'xml', file, '--root', path.join(repo, 'test/fixtures/hosts', host)]);
}

// What a user writes by hand: the guest shape, host CPU, hugepages on. virt-install has no
// topology-aware pinning (research/virtinst.md row 10), so every pin would be spelled out by hand.
function virtInstallDomain(cores, threads) {
  return run('virt-install', [
    '--connect',
    'qemu:///system',
    '--name',
    'vg-runtime-bench-vi',
    '--memory',
    '8192',
    '--vcpus',
    `${cores * threads},sockets=1,cores=${cores},threads=${threads}`,
    '--cpu',
    'host-passthrough',
    '--memorybacking',
    'hugepages=on',
    '--import',
    '--disk',
    'none',
    '--osinfo',
    'win10',
    '--network',
    'none',
    '--graphics',
    'none',
    '--print-xml',
    '--dry-run',
  ]);
}

const RULES = [
  ['siblingsTogether', 'siblings together'],
  ['hostCoreKeptForEmulator', 'host core kept, emulator on it'],
  ['oneL3WhenItFits', 'one L3 when it fits'],
  ['vcpusOnGpuNode', "vCPUs on the GPU's node"],
  ['emulatorOnGpuNode', "emulator on the GPU's node"],
  ['memoryOnGpuNode', "memory on the GPU's node"],
  ['poolHoldsVm', 'a pool that holds the VM'],
];

console.log('## Placement rules: virt-gen / hand-written virt-install (8 GiB, hugepages on)\n');
console.log(`| host | guest | ${RULES.map(([, t]) => t).join(' | ')} |`);
console.log(`| --- | --- | ${RULES.map(() => '---').join(' | ')} |`);
for (const [host, gpu, cores, threads] of HOSTS) {
  const facts = await readHostFacts(path.join(repo, 'test/fixtures/hosts', host));
  const node = hostDeviceNode(facts, parsePciAddress(`0000:${gpu}`));
  const ours = checkRules(facts, parseDomainXml(virtGenDomain(host, gpu, cores, threads)), node);
  const theirs = checkRules(facts, parseDomainXml(virtInstallDomain(cores, threads)), node);
  const cells = RULES.map(([k]) => `${ours[k]} / ${theirs[k]}`);
  console.log(`| ${host} | ${cores}×${threads} | ${cells.join(' | ')} |`);
}

// ---- the hook's time per operation ----
const root = path.join(tmp, 'root');
cpSync(path.join(repo, 'test/fixtures/hosts/numa-gpu1'), root, { recursive: true, verbatimSymlinks: true });
for (const p of [
  '/proc/sys/vm/drop_caches',
  '/proc/sys/vm/compact_memory',
  '/sys/fs/cgroup/cgroup.controllers',
]) {
  mkdirSync(path.dirname(path.join(root, p)), { recursive: true });
  writeFileSync(path.join(root, p), '');
}
mkdirSync(path.join(tmp, 'stub'));
writeFileSync(
  path.join(tmp, 'stub', 'systemctl'),
  `#!${process.execPath}\nif (process.argv[2] === '--version') console.log('systemd 252');\n`,
);
chmodSync(path.join(tmp, 'stub', 'systemctl'), 0o755);
const cfg = path.join(tmp, 'rt.ts');
writeFileSync(
  cfg,
  `import { defineVm } from 'virt-gen';\nexport default defineVm({ name: 'vg-runtime-bench', memory: 8192, hugepages: '2M', ` +
    `cpu: { cores: 6, threads: 2, pin: 'auto' }, gpu: { host: '81:00.0' }, runtime: { isolateCpus: true, allocateHugepages: true, governor: 'performance' } });\n`,
);
run(process.execPath, [BIN, 'host', 'apply', cfg, '--root', root]);
const stamp = { config: cfg, version: '0', generated: '0'.repeat(64) };
const xml = writeXml(withStamp(parseXml(run(process.execPath, [BIN, 'xml', cfg, '--root', root])), stamp));
const hook = path.join(root, 'etc/libvirt/hooks/qemu.d/virt-gen');
const env = { ...process.env, PATH: `${tmp}/stub:${process.env.PATH}` };
const time = (cmd, args, input) => {
  const t = process.hrtime.bigint();
  const r = spawnSync(cmd, args, { input, env, encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`${args.join(' ')}: ${r.stderr}`);
  return Number(process.hrtime.bigint() - t) / 1e6;
};
const median = (xs) => [...xs].sort((a, c) => a - c)[Math.floor(xs.length / 2)];
const samples = { node: [], prepare: [], started: [], release: [], foreign: [] };
for (let i = 0; i < runs; i++) {
  samples.node.push(time(process.execPath, ['-e', '0']));
  samples.prepare.push(time(hook, ['vg-runtime-bench', 'prepare', 'begin', '-'], xml));
  samples.started.push(time(hook, ['vg-runtime-bench', 'started', 'begin', '-'], xml));
  samples.release.push(time(hook, ['vg-runtime-bench', 'release', 'end', '-'], xml));
  samples.foreign.push(time(hook, ['other-vm', 'prepare', 'begin', '-'], '<domain/>'));
}
const base = median(samples.node);
console.log(`\n## Runtime hook, median of ${runs} (fixture root; systemctl a stub), ms\n`);
console.log('| operation | wall | × `node -e 0` |\n| --- | --- | --- |');
for (const k of ['prepare', 'started', 'release', 'foreign']) {
  const m = median(samples[k]);
  console.log(`| ${k} | ${m.toFixed(0)} | ${(m / base).toFixed(2)} |`);
}
console.log(`| \`node -e 0\` | ${base.toFixed(0)} | 1.00 |`);
rmSync(tmp, { recursive: true, force: true });
