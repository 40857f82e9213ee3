/**
 * Managed in virt-manager afterwards, on the real libvirt through the built CLI: hand edits made
 * the way virt-manager makes them (virsh desc --title, attach-device --config, setmaxmem/setmem
 * --config, define of an edited dumpxml) survive a define that applies a config change; a field
 * changed on both sides is refused, listed in the config's terms, until --theirs/--ours; and VMs
 * made by virt-install are adopted and re-defined from their config with nothing lost.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseXml } from '../../src/domain/index.js';
import { domainHash } from '../../src/define/stamp.js';
import { dumpInactive, requireLibvirt, undefine, URI, virsh, virshOk } from '../support/libvirt.js';
import { EXAMPLES, REPO } from '../support/paths.js';
import { run, virtGen } from '../support/run.js';

const dir = mkdtempSync(path.join(os.tmpdir(), 'vg-define-merge-'));
const env = { VIRT_GEN_STATE_DIR: path.join(dir, 'state') };
const root = path.join(dir, 'root');
const names: string[] = [];

beforeAll(() => {
  requireLibvirt();
  cpSync(path.join(REPO, 'test', 'fixtures', 'hosts', 'guide'), root, { recursive: true });
});
afterAll(() => {
  names.forEach(undefine);
  rmSync(dir, { recursive: true, force: true });
});

const vg = (...args: string[]) => virtGen([...args, '--root', root], { env });
const xmlFile = (name: string, xml: string): string => {
  const file = path.join(dir, `${name}-${Date.now()}.xml`);
  writeFileSync(file, xml);
  return file;
};
/** libvirt's definition without virt-gen's stamp, as a hash: "nothing changed but the stamp". */
const content = (name: string) => domainHash(parseXml(dumpInactive(name)));

describe('hand edits made as virt-manager makes them survive a define', () => {
  const name = 'vg-define-merge';
  const config = path.join(dir, `${name}.ts`);
  const write = (edit: (s: string) => string = (s) => s) =>
    writeFileSync(
      config,
      edit(
        readFileSync(path.join(EXAMPLES, 'minimal.ts'), 'utf8').replace(/name: '[^']*'/, `name: '${name}'`),
      ),
    );

  it('keeps a title, an attached device, a max/current memory change and an edited dumpxml under a config change', () => {
    names.push(name);
    undefine(name);
    write();
    expect(vg('define', config).status).toBe(0);
    virshOk(['desc', name, '--config', '--title', 'Gaming rig']);
    const cdrom = "<disk type='file' device='cdrom'><target dev='sdz' bus='sata'/><readonly/></disk>";
    virshOk(['attach-device', name, xmlFile('cdrom', cdrom), '--config']);
    virshOk(['setmaxmem', name, '512M', '--config']);
    virshOk(['setmem', name, '384M', '--config']);
    virshOk([
      'define',
      xmlFile(
        'edited',
        dumpInactive(name).replace(/<on_crash>\w+<\/on_crash>/, '<on_crash>restart</on_crash>'),
      ),
    ]);

    write((s) => s.replace('cpu: { cores: 1 }', 'cpu: { cores: 2 }'));
    const diff = vg('diff', config);
    expect(diff.status).toBe(0);
    expect(diff.stdout).toContain('config changes (define applies them):\n  cpu (vCPUs): 1 -> 2\n');
    expect(diff.stdout).toContain('  title: (none) -> Gaming rig\n');
    expect(diff.stdout).toContain('  memory: 256 MiB -> 512 MiB\n');
    expect(diff.stdout).toContain(
      'conflicts (define refuses; --theirs keeps the edit, --ours applies the config): none',
    );

    const r = vg('define', config);
    expect(r.stderr).not.toMatch(/^virt-gen:/m);
    expect(r.status).toBe(0);
    expect(r.stdout).toContain(`updated domain '${name}'`);
    expect(r.stdout).toContain('kept hand edit: title: (none) -> Gaming rig');
    const xml = dumpInactive(name);
    expect(xml).toContain('<title>Gaming rig</title>');
    expect(xml).toMatch(/<disk type='file' device='cdrom'>[\s\S]*<target dev='sdz' bus='sata'\/>/);
    expect(xml).toContain("<memory unit='KiB'>524288</memory>");
    expect(xml).toContain("<currentMemory unit='KiB'>393216</currentMemory>");
    expect(xml).toContain('<on_crash>restart</on_crash>');
    expect(xml).toMatch(/<vcpu placement='static'>2<\/vcpu>/);
    // the new base: nothing left to do
    expect(vg('define', config).stdout).toContain(`unchanged domain '${name}'`);
  });

  it('refuses a field changed on both sides, in the config terms, changing nothing; --theirs keeps the edit', () => {
    // the last define took the earlier edits into its base: this is a new one
    virshOk(['setmaxmem', name, '640M', '--config']);
    write((s) => s.replace('cpu: { cores: 1 }', 'cpu: { cores: 2 }').replace('memory: 256', 'memory: 1024'));
    const before = dumpInactive(name);
    const r = vg('define', config);
    expect(r.status).toBe(1);
    expect(r.stderr).toContain(`domain '${name}' was edited in libvirt where the config changed too:`);
    expect(r.stderr).toContain('  memory: config 1024 MiB, edited in libvirt to 640 MiB\n');
    expect(r.stderr).toContain('nothing was changed; run again with --theirs');
    expect(dumpInactive(name)).toBe(before);
    expect(vg('diff', config).stdout).toContain('  memory: config 1024 MiB, edited in libvirt to 640 MiB');
    const theirs = vg('define', config, '--theirs');
    expect(theirs.status).toBe(0);
    expect(dumpInactive(name)).toContain("<memory unit='KiB'>655360</memory>");
  });

  it('--ours lets the config win; --force overwrites every edit', () => {
    write((s) => s.replace('memory: 256', 'memory: 768'));
    virshOk(['setmaxmem', name, '700M', '--config']);
    const ours = vg('define', config, '--ours');
    expect(ours.stdout).toContain('conflict settled by --ours: memory: config 768 MiB');
    expect(ours.status).toBe(0);
    const xml = dumpInactive(name);
    expect(xml).toContain("<memory unit='KiB'>786432</memory>");
    expect(xml).toContain('<title>Gaming rig</title>'); // not in conflict: kept
    expect(vg('define', config, '--force').status).toBe(0);
    expect(dumpInactive(name)).not.toContain('<title>');
  });

  it('adopt refuses a domain virt-gen already manages, and an existing config file, changing nothing', () => {
    const name = 'vg-define-merge';
    const config = path.join(dir, 'other.ts');
    const r = vg('adopt', name, '--config', config);
    expect(r.status).toBe(1);
    expect(r.stderr).toContain(
      `domain '${name}' is already managed by ${path.join(dir, `${name}.ts`)}: nothing was changed`,
    );
    expect(virsh(['domstate', 'vg-define-none']).status).not.toBe(0);
    const missing = vg('adopt', 'vg-define-none', '--config', config);
    expect(missing.status).toBe(1);
    expect(missing.stderr).toContain("no domain 'vg-define-none'");
  });
});

describe("virt-manager's own code path (virtinst, headless)", () => {
  it('its edits (title, current allocation, a USB tablet) survive a define that changes the vCPUs', () => {
    const name = 'vg-define-virtinst';
    names.push(name);
    undefine(name);
    const config = path.join(dir, `${name}.ts`);
    const src = readFileSync(path.join(EXAMPLES, 'minimal.ts'), 'utf8').replace(
      /name: '[^']*'/,
      `name: '${name}'`,
    );
    writeFileSync(config, src);
    expect(vg('define', config).status).toBe(0);
    // /usr/bin/python3: the interpreter virt-manager runs under, with python3-libvirt
    const edit = run('/usr/bin/python3', [path.join(REPO, 'test', 'support', 'virtinst-edit.py'), URI, name]);
    expect(edit.stderr).toBe('');
    writeFileSync(config, src.replace('cpu: { cores: 1 }', 'cpu: { cores: 2 }'));
    const r = vg('define', config);
    expect(r.status).toBe(0);
    expect(r.stdout).toContain('kept hand edit: title: (none) -> Edited in virt-manager');
    const xml = dumpInactive(name);
    expect(xml).toContain('<title>Edited in virt-manager</title>');
    expect(xml).toContain("<currentMemory unit='KiB'>204800</currentMemory>");
    expect(xml).toMatch(/<input type='tablet' bus='usb'>/);
    expect(xml).toMatch(/<vcpu placement='static'>2<\/vcpu>/);
  });
});

/** virt-install --print-xml (its own define path needs storage pools absent here), then virsh define. */
function virtInstall(name: string, args: string[], edit: (xml: string) => string = (x) => x): void {
  names.push(name);
  undefine(name);
  const common = ['--connect', URI, '--print-xml', '--name', name, '--osinfo', 'win10', '--graphics', 'none'];
  const r = run('virt-install', [...common, ...args]);
  if (r.status !== 0) throw new Error(`virt-install failed: ${r.stderr}`);
  virshOk(['define', xmlFile(name, edit(r.stdout))]);
}

const USB_HOSTDEV =
  "<hostdev mode='subsystem' type='usb' managed='yes'><source><vendor id='0x046d'/><product id='0xc52b'/></source></hostdev>";

describe.each([
  {
    shape: 'uefi-q35-hugepages-passthrough-hostdevs',
    args: [
      ...['--memory', '1024', '--vcpus', '2', '--machine', 'q35', '--boot', 'uefi'],
      ...['--cpu', 'host-passthrough', '--memorybacking', 'hugepages=on', '--disk', 'none'],
      ...['--network', 'none', '--hostdev', 'pci_0000_00_03_0'],
    ],
    edit: (xml: string) => xml.replace('</devices>', `${USB_HOSTDEV}</devices>`),
  },
  {
    shape: 'bios-disk-nic',
    args: [
      ...['--memory', '512', '--vcpus', '1', '--boot', 'hd', '--network', 'user,model=e1000e'],
      ...['--disk', 'path=/var/lib/libvirt/images/vg-define-adopt.img,format=raw,bus=sata,size=1'],
    ],
    edit: (xml: string) => xml,
  },
])('adopt a VM virt-install made: $shape', ({ shape, args, edit }) => {
  const name = `vg-define-adopt-${shape.slice(0, 4)}`;
  const config = path.join(dir, `${name}.ts`);

  it('becomes a config, is stamped, re-defines with nothing lost, and later config changes merge', () => {
    virtInstall(name, args, edit);
    const uuid = virshOk(['domuuid', name]).trim();
    const before = content(name);
    const r = vg('adopt', name, '--config', config);
    expect(r.stderr).not.toMatch(/^virt-gen:/m);
    expect(r.status).toBe(0);
    expect(r.stdout).toContain(`adopted domain '${name}' (uuid ${uuid})`);
    const source = readFileSync(config, 'utf8');
    expect(source).toContain(`Adopted by \`virt-gen adopt ${name}\``);
    expect(content(name)).toBe(before); // only the stamp was added
    expect(dumpInactive(name)).toContain(`<vg:config>${config}</vg:config>`);

    const again = vg('define', config, '--no-host-check');
    expect(again.stderr).not.toMatch(/^virt-gen:/m);
    expect(again.stdout).toContain(`unchanged domain '${name}' (uuid ${uuid})`);
    expect(content(name)).toBe(before);

    writeFileSync(config, source.replace(/memory: \d+,/, 'memory: 2048,'));
    const changed = vg('define', config, '--no-host-check');
    expect(changed.stderr).not.toMatch(/^virt-gen:/m);
    expect(changed.status).toBe(0);
    const after = dumpInactive(name);
    expect(after).toContain("<memory unit='KiB'>2097152</memory>");
    expect(virshOk(['domuuid', name]).trim()).toBe(uuid);
    // everything else is as virt-install made it
    const withoutMemory = (xml: string) =>
      domainHash(parseXml(xml.replace(/<(memory|currentMemory) unit='KiB'>\d+</g, '<$1 unit="KiB">0<')));
    writeFileSync(config, source);
    expect(withoutMemory(after)).toBe(withoutMemory(beforeXml(name, before)));
  }, 120_000);
});

/** The definition as it was before the memory change: from the first backup define made. */
function beforeXml(name: string, hash: string): string {
  const backups = path.join(env.VIRT_GEN_STATE_DIR, 'backups');
  const files = run('ls', [backups])
    .stdout.split('\n')
    .filter((f) => f.startsWith(name));
  const xml = readFileSync(path.join(backups, files[files.length - 1] as string), 'utf8');
  expect(domainHash(parseXml(xml))).toBe(hash);
  return xml;
}
