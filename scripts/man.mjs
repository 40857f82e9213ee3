#!/usr/bin/env node
// Writes man/virt-gen.1 from the built CLI's own --help (the program's and each command's), so the
// manual says what the CLI accepts and cannot drift from it; FILES and SEE ALSO are written here.
// Run by `npm run build` after the bundle; the package ships man/ (package.json "man").
import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const version = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')).version;
const help = (...args) =>
  execFileSync(process.execPath, [join(root, 'bin/virt-gen'), ...args, '--help'], { encoding: 'utf8' });

/**
 * Text as roff reads it: backslashes, hyphens of options and a leading dot or quote escaped, and
 * every character beyond ASCII as its Unicode escape (groff reads its input as Latin-1).
 */
const esc = (text) =>
  text
    .replace(/\\/g, '\\e')
    .replace(/-/g, '\\-')
    .replace(/^([.'])/gm, '\\&$1')
    .replace(/\P{ASCII}/gu, (c) => `\\[u${c.codePointAt(0).toString(16).toUpperCase().padStart(4, '0')}]`);

/** The help's sections: the heading line ("Options:") -> its lines. */
function sections(text) {
  const out = new Map();
  let current = '';
  for (const line of text.split('\n')) {
    const heading = /^([A-Z][A-Za-z ]*):\s*$/.exec(line);
    if (heading) out.set((current = heading[1]), []);
    else if (current) out.get(current).push(line);
    else out.set('', [...(out.get('') ?? []), line]);
  }
  return out;
}

/**
 * `  -c, --connect <uri>   text` lines as .TP entries. commander wraps the text at 80 columns: a
 * line indented to the text's column continues the entry above it.
 */
function entries(lines) {
  const items = [];
  for (const line of lines.filter((l) => l.trim())) {
    const m = /^ {2}(\S.*?)\s{2,}(.*)$/.exec(line);
    if (m) items.push({ term: m[1], text: m[2] });
    else if (items.length && /^ {3,}/.test(line)) items[items.length - 1].text += ' ' + line.trim();
  }
  return items.map((i) => `.TP\n.B ${esc(i.term)}\n${esc(i.text)}`).join('\n');
}

const verbatim = (lines) =>
  `.nf\n${esc(
    lines
      .join('\n')
      .replace(/^\n+|\n+$/g, '')
      .replace(/^ {2}/gm, ''),
  )}\n.fi`;

const top = sections(help());
const description = (top.get('') ?? []).filter((l) => l.trim() && !l.startsWith('Usage:')).join(' ');
const commands = (top.get('Commands') ?? [])
  .map((l) => /^ {2}(\S+)/.exec(l)?.[1])
  .filter((c) => c && c !== 'help');

const out = [
  `.TH VIRT\\-GEN 1 "" "virt-gen ${version}" "User Commands"`,
  '.SH NAME',
  `virt\\-gen \\- ${esc(description.replace(/\.$/, ''))}`,
  '.SH SYNOPSIS',
  '.B virt\\-gen',
  '[\\fIglobal options\\fR] \\fIcommand\\fR [\\fIoptions\\fR] [\\fIarguments\\fR]',
  '.SH DESCRIPTION',
  'virt\\-gen turns one typed config file (\\fIgaming.ts\\fR) into a libvirt domain for a Windows',
  'gaming VM with a passed\\-through GPU, prepares the host for it (kernel command line, vfio\\-pci,',
  'qemu.conf, AppArmor, runtime tuning) and defines it so that libvirt runs QEMU unprivileged;',
  'virt\\-manager can manage the VM afterwards, and define keeps its hand edits. It also converts',
  'an existing QEMU command line (\\fBvirt\\-gen import\\fR). Other hosts are reached through libvirt',
  '(\\fB\\-c qemu+ssh://host/system\\fR).',
  '.SH GLOBAL OPTIONS',
  'These go before or after the command.',
  entries(top.get('Options') ?? []),
  '.SH COMMANDS',
];
for (const name of commands) {
  const s = sections(help(name));
  const usage = (s.get('') ?? []).find((l) => l.startsWith('Usage:')) ?? '';
  const text = (s.get('') ?? [])
    .filter((l) => l.trim() && !l.startsWith('Usage:'))
    .join(' ')
    .replace(/\s+/g, ' ');
  out.push(`.SS ${esc(usage.replace(/^Usage:\s*/, ''))}`, esc(text));
  if (s.get('Arguments')?.some((l) => l.trim())) out.push(entries(s.get('Arguments')));
  if (s.get('Options')?.some((l) => l.trim())) out.push(entries(s.get('Options')));
  for (const [heading, lines] of s) {
    if (['', 'Arguments', 'Options', 'Global Options'].includes(heading) || !lines.some((l) => l.trim()))
      continue;
    out.push(`.PP\n${esc(heading)}:`, verbatim(lines));
  }
}
const named = (heading, roff) => (top.get(heading) ? [roff, entries(top.get(heading))] : []);
out.push(
  ...named('Exit codes', '.SH EXIT STATUS'),
  ...named('Environment', '.SH ENVIRONMENT'),
  '.SH FILES',
  '.TP\n.I /etc/libvirt/qemu.conf\nthe lines virt\\-gen owns are marked; the first change keeps \\fIqemu.conf.virt\\-gen.bak\\fR',
  '.TP\n.I /etc/apparmor.d/abstractions/libvirt\\-qemu.d/virt\\-gen\nthe device rules the VM needs (or a marked block in \\fIlocal/abstractions/libvirt\\-qemu\\fR where the abstraction has no drop\\-in folder)',
  '.TP\n.I /etc/libvirt/hooks/qemu.d/virt\\-gen\nthe runtime hook (hugepages, CPU isolation, governor) that \\fBhost apply\\fR installs',
  '.TP\n.I /var/lib/virt\\-gen/\nwhat define last applied per domain (the base of the three\\-way merge; \\fBVIRT_GEN_STATE_DIR\\fR moves it), and \\fIhost\\-files.json\\fR, the record of host changes that \\fBhost revert\\fR puts back',
  '.TP\n.I /run/virt\\-gen/host.lock\nheld while host files change',
  '.SH EXAMPLES',
  verbatim(top.get('Examples') ?? []),
  '.SH SEE ALSO',
  '.BR virsh (1),',
  '.BR virt\\-manager (1),',
  '.BR virt\\-install (1),',
  '.BR libvirtd (8),',
  '.BR qemu (1)',
  '.PP',
  'The docs/ folder of the package: config.md (every config field), host.md, import.md, define.md.',
);
mkdirSync(join(root, 'man'), { recursive: true });
writeFileSync(join(root, 'man/virt-gen.1'), out.join('\n') + '\n');
