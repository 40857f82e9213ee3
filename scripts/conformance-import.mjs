#!/usr/bin/env node
// Conformance of `virt-gen import` against libvirt's own argv <-> XML test pairs.
//
// For every pair in ../shared/corpus/libvirt-tests/ (argv2xml/, xml2argv/*/), imports NAME.args and
// compares the domain with libvirt's NAME.xml feature by feature, as sets of facts ("what the command
// line carries": memory, vCPUs and topology, machine, CPU mode, Hyper-V, kvm hidden, memory backing,
// hostdevs, disks with cache/io/discard, NICs, sound, audio, video, evdev, shmem, iothreads). A feature
// scores |expected ∩ imported| / |expected ∪ imported|; a directory, the sum over its pairs. Every
// imported document is also checked with virt-xml-validate.
//
// The corpus is GPL test data: it is read from its directory, never copied into this repository.
// Needs `npx tsc -p .` first (imports build/). Usage: node scripts/conformance-import.mjs [--verbose] [--json]

import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const root = resolve(here, '..');
const corpus = resolve(root, '../shared/corpus/libvirt-tests');
const { importArgs } = await import(join(root, 'build/src/import/index.js'));
const { parseDomainXml, writeDomainXml } = await import(join(root, 'build/src/domain/document.js'));

const verbose = process.argv.includes('--verbose');
const asJson = process.argv.includes('--json');

/** Directories and their targets (percent of facts reproduced). */
const GROUPS = [
  { name: 'xml2argv', dirs: ['xml2argv/v10.7.0-json', 'xml2argv/v7.9.0-classic'], target: 95 },
  { name: 'argv2xml', dirs: ['argv2xml'], target: 90 },
];

// ---- facts ------------------------------------------------------------------------------------------

const num = (v) =>
  v === undefined
    ? undefined
    : typeof v === 'number'
      ? v
      : parseInt(String(v), String(v).startsWith('0x') ? 16 : 10);
const UNIT = {
  b: 1 / 1024,
  bytes: 1 / 1024,
  k: 1,
  kib: 1,
  kb: 1000 / 1024,
  m: 1024,
  mib: 1024,
  mb: 1e6 / 1024,
  g: 1024 ** 2,
  gib: 1024 ** 2,
  gb: 1e9 / 1024,
};

/** Memory in MiB rounded up: libvirt aligns guest RAM to 1 MiB on x86, so argv cannot carry finer. */
function mib(sized) {
  if (!sized?.value) return undefined;
  const kib = sized.value * (UNIT[(sized.unit ?? 'KiB').toLowerCase()] ?? 1);
  return Math.ceil(kib / 1024);
}

function machineFamily(machine) {
  if (!machine) return 'default';
  if (machine === 'pc' || machine.startsWith('pc-i440fx-') || /^pc-\d/.test(machine)) return 'pc';
  if (machine === 'q35' || machine.startsWith('pc-q35-')) return 'q35';
  // `pseries` is QEMU's alias for the newest pseries-X.Y, as `pc` is for pc-i440fx-X.Y.
  return machine.replace(/-\d+(\.\d+)*$/, '');
}

const DEFAULT_CPU = { x86_64: 'qemu64', i686: 'qemu32' };
const ON_POLICIES = new Set(['require', 'force', 'optional']);

function attrsOf(obj, skip = []) {
  if (!obj) return '';
  const out = [];
  for (const [k, v] of Object.entries(obj)) {
    if (k === '$extra' || skip.includes(k) || v === undefined) continue;
    out.push(typeof v === 'object' ? `${k}{${attrsOf(v)}}` : `${k}=${v}`);
  }
  for (const [k, v] of Object.entries(obj.$extra?.attrs ?? {})) out.push(`${k}=${v}`);
  return out.sort().join(',');
}

const FEATURES = {
  memory: (d) => (d.memory ? [`memory:${mib(d.memory)}MiB`] : []),
  vcpus: (d) => {
    const max = d.vcpu?.value ?? 1;
    const t = d.cpu?.topology;
    const clusters = t?.clusters ?? 1;
    const topo = t
      ? `${t.sockets ?? 1}/${t.dies ?? 1}/${clusters}/${t.cores ?? 1}/${t.threads ?? 1}`
      : `${max}/1/1/1/1`;
    return [`vcpus:${max}`, `current:${d.vcpu?.current ?? max}`, `topology:${topo}`];
  },
  machine: (d) => [`arch:${d.os?.type?.arch}`, `machine:${machineFamily(d.os?.type?.machine)}`],
  cpuMode: (d) => {
    const cpu = d.cpu ?? {};
    const arch = d.os?.type?.arch;
    const mode = cpu.mode ?? (cpu.model ? 'custom' : undefined);
    const facts =
      mode && mode !== 'custom'
        ? [`mode:${mode}`]
        : [`mode:custom:${cpu.model?.value ?? DEFAULT_CPU[arch] ?? 'default'}`];
    for (const f of cpu.feature ?? [])
      facts.push(`feature:${f.name}:${ON_POLICIES.has(f.policy ?? 'require') ? 'on' : 'off'}`);
    return facts;
  },
  hyperv: (d) => {
    const hv = d.features?.hyperv;
    const facts = [];
    if (hv) {
      facts.push(`mode:${hv.mode ?? 'custom'}`);
      for (const [k, v] of Object.entries(hv)) {
        if (k === 'mode' || k === '$extra') continue;
        facts.push(`${k}:${attrsOf(v)}`);
      }
      for (const c of hv.$extra?.children ?? [])
        facts.push(`${c.name}:${Object.entries(c.attrs).sort().join(',')}`);
    }
    for (const t of d.clock?.timer ?? [])
      if (t.name === 'hypervclock') facts.push(`timer:hypervclock:${t.present ?? true}`);
    return facts;
  },
  kvmHidden: (d) => (d.features?.kvm?.hidden ? [`hidden:${d.features.kvm.hidden.state}`] : []),
  memoryBacking: (d) => {
    const mb = d.memoryBacking;
    if (!mb) return [];
    const facts = [];
    if (mb.hugepages) facts.push('hugepages');
    if (mb.nosharepages) facts.push('nosharepages');
    if (mb.locked) facts.push('locked');
    if (mb.source) facts.push(`source:${mb.source.type}`);
    if (mb.access) facts.push(`access:${mb.access.mode}`);
    // libvirt always preallocates hugepage-backed memory: with hugepages, immediate is implied.
    const allocation = mb.allocation?.mode ?? (mb.hugepages ? 'immediate' : undefined);
    if (allocation) facts.push(`allocation:${allocation}`);
    return facts;
  },
  hostdevs: (d) =>
    (d.devices?.hostdev ?? []).map((h) => {
      const s = h.source ?? {};
      if (h.type === 'usb' && s.vendor) return `usb:${num(s.vendor.id)}:${num(s.product?.id)}`;
      if (h.type === 'usb') return `usb:${num(s.address?.bus)}.${num(s.address?.device)}`;
      const a = s.address ?? {};
      return `${h.type}:${num(a.domain)}:${num(a.bus)}:${num(a.slot)}.${num(a.function)}`;
    }),
  disks: (d) =>
    (d.devices?.disk ?? []).map((k) => {
      const s = k.source ?? {};
      const hosts = (s.host ?? []).map((h) => h.socket ?? `${h.name}:${h.port ?? ''}`).join(';');
      const where = s.protocol ? `${s.protocol}:${s.name ?? ''}@${hosts}` : (s.file ?? s.dev ?? s.dir ?? '');
      const dr = k.driver ?? {};
      return `${k.type}|${k.device ?? 'disk'}|${k.target?.bus}|${where}|cache=${dr.cache ?? ''}|io=${dr.io ?? ''}|discard=${dr.discard ?? ''}`;
    }),
  nics: (d) =>
    (d.devices?.interface ?? []).map(
      (i) => `${i.type}|${i.mac?.address ?? ''}|${i.model?.type ?? 'default'}`,
    ),
  sound: (d) =>
    (d.devices?.sound ?? []).map((s) => {
      const codecs =
        (s.codec ?? []).map((c) => c.type).join('+') || (/^ich[69]$/.test(s.model) ? 'duplex' : '');
      return `${s.model}|${codecs}|${attrsOf({ $extra: s.$extra })}`;
    }),
  audio: (d) =>
    (d.devices?.audio ?? [])
      .filter((a) => a.type !== 'none') // libvirt's default backend: the same as none given
      .map((a) => `${a.type}|${attrsOf(a, ['id', 'type'])}`),
  video: (d) => (d.devices?.video ?? []).map((v) => v.model?.type).filter((t) => t && t !== 'none'),
  evdev: (d) =>
    (d.devices?.input ?? []).filter((i) => i.type === 'evdev').map((i) => `evdev|${attrsOf(i.source)}`),
  shmem: (d) =>
    (d.devices?.shmem ?? []).map((s) => {
      const size = s.size
        ? mib({ unit: s.size.unit === 'M' ? 'MiB' : s.size.unit, value: s.size.value * 1024 }) / 1024
        : 4;
      return `${s.name}|${s.model?.type}|${size}M|${s.role ?? ''}|${s.server ? (s.server.path ?? 'default') : ''}`;
    }),
  iothreads: (d) => {
    const facts = d.iothreads?.value ? [`iothreads:${d.iothreads.value}`] : [];
    for (const c of d.devices?.controller ?? [])
      if (c.driver?.iothread) facts.push(`${c.type}${c.index}:iothread${c.driver.iothread}`);
    // Disk target names are libvirt's choice, not the command line's: the bus identifies the disk.
    for (const k of d.devices?.disk ?? [])
      if (k.driver?.iothread) facts.push(`${k.target?.bus}-disk:iothread${k.driver.iothread}`);
    return facts;
  },
};

/** Multiset intersection and union sizes. */
function compare(expected, actual) {
  const count = (list) => list.reduce((m, x) => m.set(x, (m.get(x) ?? 0) + 1), new Map());
  const e = count(expected);
  const a = count(actual);
  let matched = 0;
  let total = 0;
  for (const key of new Set([...e.keys(), ...a.keys()])) {
    matched += Math.min(e.get(key) ?? 0, a.get(key) ?? 0);
    total += Math.max(e.get(key) ?? 0, a.get(key) ?? 0);
  }
  const missing = [...e.keys()].filter((k) => (e.get(k) ?? 0) > (a.get(k) ?? 0));
  const extra = [...a.keys()].filter((k) => (a.get(k) ?? 0) > (e.get(k) ?? 0));
  return { matched, total, missing, extra };
}

// ---- the run ----------------------------------------------------------------------------------------

function validate(xml, dir) {
  const file = join(dir, 'domain.xml');
  writeFileSync(file, xml);
  try {
    execFileSync('virt-xml-validate', [file, 'domain'], { stdio: 'pipe', timeout: 30000 });
    return { valid: true };
  } catch (err) {
    return {
      valid: false,
      message: String(err.stderr ?? err.message)
        .trim()
        .split('\n')
        .slice(0, 3)
        .join(' | '),
    };
  }
}

function pairsOf(dir) {
  const abs = join(corpus, dir);
  return readdirSync(abs)
    .filter((f) => f.endsWith('.args'))
    .sort()
    .map((f) => ({
      name: basename(f, '.args'),
      args: join(abs, f),
      xml: join(abs, f.replace(/\.args$/, '.xml')),
    }));
}

const tmp = mkdtempSync(join(tmpdir(), 'virt-gen-conformance-'));
const unmapped = new Map();
const report = { groups: [], invalid: [], errors: [] };

function runPair(pair) {
  const expected = parseDomainXml(readFileSync(pair.xml, 'utf8'));
  let domain;
  try {
    const result = importArgs(readFileSync(pair.args, 'utf8'), { fileName: pair.args });
    domain = result.domain;
    for (const w of result.warnings) {
      const m = /^(-[\w-]+)\b.*kept in <qemu:commandline>$/.exec(w);
      if (m) unmapped.set(m[1], [...(unmapped.get(m[1]) ?? []), pair.name]);
    }
  } catch (err) {
    report.errors.push({ pair: pair.name, message: err.message });
    domain = {};
  }
  const features = {};
  for (const [feature, facts] of Object.entries(FEATURES)) {
    const c = compare(facts(expected), facts(domain));
    if (c.total) features[feature] = c;
  }
  const v = domain.name ? validate(writeDomainXml(domain), tmp) : { valid: false, message: 'import failed' };
  if (!v.valid) report.invalid.push({ pair: pair.name, message: v.message });
  return { name: pair.name, features, valid: v.valid };
}

function summarize(results) {
  const byFeature = {};
  let matched = 0;
  let total = 0;
  for (const r of results) {
    for (const [f, c] of Object.entries(r.features)) {
      const s = (byFeature[f] ??= { matched: 0, total: 0 });
      s.matched += c.matched;
      s.total += c.total;
      matched += c.matched;
      total += c.total;
    }
  }
  return { matched, total, percent: total ? (100 * matched) / total : 100, byFeature };
}

const pct = (s) => `${((100 * s.matched) / (s.total || 1)).toFixed(1)}% (${s.matched}/${s.total})`;
let failed = false;

for (const group of GROUPS) {
  const all = [];
  for (const dir of group.dirs) {
    const results = pairsOf(dir).map(runPair);
    all.push(...results);
    const s = summarize(results);
    const valid = results.filter((r) => r.valid).length;
    report.groups.push({ dir, pairs: results.length, valid, ...s });
    if (!asJson) {
      console.log(
        `\n${dir}: ${results.length} pairs, ${pct(s)} of facts, ${valid}/${results.length} schema-valid`,
      );
      for (const [f, fs] of Object.entries(s.byFeature)) console.log(`  ${f.padEnd(14)} ${pct(fs)}`);
    }
    if (verbose && !asJson) {
      for (const r of results) {
        for (const [f, c] of Object.entries(r.features)) {
          if (c.matched === c.total) continue;
          console.log(
            `    ${r.name} ${f}: missing ${JSON.stringify(c.missing)} extra ${JSON.stringify(c.extra)}`,
          );
        }
      }
    }
  }
  const s = summarize(all);
  const ok = s.percent >= group.target;
  if (!ok) failed = true;
  report.groups.push({ dir: group.name, pairs: all.length, target: group.target, ok, ...s });
  if (!asJson)
    console.log(`\n== ${group.name}: ${pct(s)} (target >= ${group.target}%) ${ok ? 'OK' : 'MISSED'}`);
}

if (report.invalid.length || report.errors.length) failed = true;
if (asJson) {
  console.log(JSON.stringify({ ...report, unmapped: Object.fromEntries(unmapped) }, null, 2));
} else {
  for (const e of report.errors) console.log(`import error: ${e.pair}: ${e.message}`);
  for (const i of report.invalid) console.log(`schema-invalid: ${i.pair}: ${i.message}`);
  console.log(
    `\nschema: ${report.invalid.length ? `${report.invalid.length} invalid` : 'every output valid'}`,
  );
  console.log('\nkept in <qemu:commandline> (option: pairs):');
  for (const [opt, pairs] of [...unmapped].sort())
    console.log(`  ${opt}: ${pairs.length} (${[...new Set(pairs)].join(', ')})`);
}
rmSync(tmp, { recursive: true, force: true });
process.exit(failed ? 1 : 0);
