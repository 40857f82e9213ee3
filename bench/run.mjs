// Start-up benchmark: `virt-gen xml examples/gaming.ts` as a whole process against `node -e 0`,
// measured alternately in the same run, so the ratio holds on any machine.
// Usage: node bench/run.mjs [--runs N] [--max-ratio R] [--compare DIR]   (exits 1 when the ratio is above R)
//   --compare DIR  also measures DIR's bin/virt-gen (another checkout, built), interleaved with this
//                  one: a before/after in one run, under the same load.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const option = (name) => {
  const i = process.argv.indexOf(name);
  return i > 0 ? process.argv[i + 1] : undefined;
};
const runs = Number(option('--runs') ?? 15);
const maxRatio = Number(option('--max-ratio') ?? 2);
const compare = option('--compare');

/** Wall time of one run of [command, ...args], in ms. */
function time([cmd, ...args], { env = process.env, cwd = repo } = {}) {
  const t = process.hrtime.bigint();
  const r = spawnSync(cmd, args, { cwd, encoding: 'utf8', env });
  const ms = Number(process.hrtime.bigint() - t) / 1e6;
  if (r.status !== 0) throw new Error(`${args.join(' ')} failed: ${r.stderr}`);
  return ms;
}

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
};

const node = process.execPath;
const xmlOf = (dir) => [node, path.join(dir, 'bin', 'virt-gen'), 'xml', 'examples/gaming.ts'];
const BASE = 'node -e 0';
const XML = 'virt-gen xml examples/gaming.ts';
const cases = { [BASE]: { argv: [node, '-e', '0'] }, [XML]: { argv: xmlOf(repo) } };
if (compare) {
  const dir = path.resolve(compare);
  cases[`the same, ${dir}`] = { argv: xmlOf(dir), cwd: dir };
}
// The peer: virt-install --print-xml for the closest VM it can express (it has no vendor id, no
// hostdev without the device, no pinning by topology). Measured only where it is installed.
const VIRT_INSTALL = 'virt-install --print-xml';
if (spawnSync('virt-install', ['--version'], { encoding: 'utf8' }).status === 0) {
  cases[VIRT_INSTALL] = {
    argv: [
      'virt-install',
      ...['--connect', 'qemu:///system', '--print-xml', '--name', 'vg-bench', '--memory', '4000'],
      ...['--vcpus', '8,sockets=1,cores=4,threads=2', '--cpu', 'host-passthrough', '--machine', 'q35'],
      ...['--boot', 'uefi', '--disk', 'none', '--network', 'none', '--graphics', 'none', '--osinfo', 'win10'],
      ...['--features', 'kvm_hidden=on,hyperv.relaxed.state=on,hyperv.vapic.state=on'],
    ],
  };
}
const samples = Object.fromEntries(Object.keys(cases).map((k) => [k, []]));
for (const c of Object.values(cases)) time(c.argv, c); // warm the page cache once
for (let i = 0; i < runs; i++) for (const [k, c] of Object.entries(cases)) samples[k].push(time(c.argv, c));

// The first run of a new or edited config also strips its types (sucrase): an empty cache each time.
const firstRuns = [];
for (let i = 0; i < Math.min(runs, 10); i++) {
  const cache = mkdtempSync(path.join(os.tmpdir(), 'vg-bench-cache-'));
  firstRuns.push(time(cases[XML].argv, { env: { ...process.env, XDG_CACHE_HOME: cache } }));
  rmSync(cache, { recursive: true, force: true });
}

const base = median(samples[BASE]);
const line = (k, ms) => `${k.padEnd(33)} median ${ms.toFixed(1)} ms (${runs} runs)`;
console.log(line(BASE, base));
for (const k of Object.keys(cases).filter((k) => k !== BASE && k !== VIRT_INSTALL)) {
  const ms = median(samples[k]);
  console.log(`${line(k, ms)}: ratio ${(ms / base).toFixed(2)}`);
}
console.log(
  `  first run of a changed config    median ${median(firstRuns).toFixed(1)} ms (${firstRuns.length} runs, ratio ${(median(firstRuns) / base).toFixed(2)})`,
);
if (cases[VIRT_INSTALL]) {
  const vi = median(samples[VIRT_INSTALL]);
  const xml = median(samples[XML]);
  console.log(`${line(VIRT_INSTALL, vi)}; virt-gen xml takes ${((xml / vi) * 100).toFixed(0)}% of it`);
}
const ratio = median(samples[XML]) / base;
console.log(`ratio ${ratio.toFixed(2)} (target <= ${maxRatio})`);
process.exitCode = ratio <= maxRatio ? 0 : 1;
