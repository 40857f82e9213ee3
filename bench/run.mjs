// Start-up benchmark: `virt-gen xml examples/gaming.ts` as a whole process against `node -e 0`,
// measured alternately in the same run (median of N each), so the ratio holds on any machine.
// Usage: node bench/run.mjs [--runs N] [--max-ratio R]   (exits 1 when the ratio is above R)
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const arg = (name, fallback) => {
  const i = process.argv.indexOf(name);
  return i > 0 ? Number(process.argv[i + 1]) : fallback;
};
const runs = arg('--runs', 15);
const maxRatio = arg('--max-ratio', 2);

/** Wall time of one run of [command, ...args], in ms. */
function time([cmd, ...args], env = process.env) {
  const t = process.hrtime.bigint();
  const r = spawnSync(cmd, args, { cwd: repo, encoding: 'utf8', env });
  const ms = Number(process.hrtime.bigint() - t) / 1e6;
  if (r.status !== 0) throw new Error(`${args.join(' ')} failed: ${r.stderr}`);
  return ms;
}

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
};

const node = process.execPath;
const xmlArgs = [node, path.join(repo, 'bin', 'virt-gen'), 'xml', 'examples/gaming.ts'];
const cases = {
  'node -e 0': [node, '-e', '0'],
  'virt-gen xml examples/gaming.ts': xmlArgs,
};
// The peer: virt-install --print-xml for the closest VM it can express (it has no vendor id, no
// hostdev without the device, no pinning by topology). Measured only where it is installed.
const virtInstall = spawnSync('virt-install', ['--version'], { encoding: 'utf8' }).status === 0;
if (virtInstall) {
  cases['virt-install --print-xml'] = [
    'virt-install',
    ...['--connect', 'qemu:///system', '--print-xml', '--name', 'vg-bench', '--memory', '4000'],
    ...['--vcpus', '8,sockets=1,cores=4,threads=2', '--cpu', 'host-passthrough', '--machine', 'q35'],
    ...['--boot', 'uefi', '--disk', 'none', '--network', 'none', '--graphics', 'none', '--osinfo', 'win10'],
    ...['--features', 'kvm_hidden=on,hyperv.relaxed.state=on,hyperv.vapic.state=on'],
  ];
}
const samples = Object.fromEntries(Object.keys(cases).map((k) => [k, []]));
for (const args of Object.values(cases)) time(args); // warm the page cache once
for (let i = 0; i < runs; i++) for (const [k, args] of Object.entries(cases)) samples[k].push(time(args));

// The first run of a new or edited config also strips its types (sucrase): an empty cache each time.
const firstRuns = [];
for (let i = 0; i < Math.min(runs, 10); i++) {
  const cache = mkdtempSync(path.join(os.tmpdir(), 'vg-bench-cache-'));
  firstRuns.push(time(xmlArgs, { ...process.env, XDG_CACHE_HOME: cache }));
  rmSync(cache, { recursive: true, force: true });
}

const base = median(samples['node -e 0']);
const xml = median(samples['virt-gen xml examples/gaming.ts']);
const ratio = xml / base;
console.log(`node -e 0                        median ${base.toFixed(1)} ms (${runs} runs)`);
console.log(`virt-gen xml examples/gaming.ts  median ${xml.toFixed(1)} ms (${runs} runs)`);
console.log(
  `  first run of a changed config    median ${median(firstRuns).toFixed(1)} ms (${firstRuns.length} runs, ratio ${(median(firstRuns) / base).toFixed(2)})`,
);
if (virtInstall) {
  const vi = median(samples['virt-install --print-xml']);
  console.log(
    `virt-install --print-xml          median ${vi.toFixed(1)} ms (${runs} runs; virt-gen xml takes ${((xml / vi) * 100).toFixed(0)}% of it)`,
  );
}
console.log(`ratio ${ratio.toFixed(2)} (target <= ${maxRatio})`);
process.exitCode = ratio <= maxRatio ? 0 : 1;
