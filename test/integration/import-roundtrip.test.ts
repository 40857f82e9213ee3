/**
 * `virt-gen import` against the real libvirt: a domain with everything a passthrough VM's command
 * line carries is defined, `virsh domxml-to-native qemu-argv` turns it into QEMU's argv, the import
 * reads that text back, and the result is compared with libvirt's own `dumpxml`. The imported domain
 * must then define on libvirt and convert to the same argv again.
 *
 * Known limits (EQUIVALENCE.md): USB hostdevs by vendor:product and interface scripts are left out of
 * the domain; PCI hostdevs carry `<driver name='vfio'/>`. domxml-to-native writes every interface as a
 * tap on a file descriptor, so only MAC and model are compared for NICs.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { spawnSync } from 'node:child_process';
import { parseDomainXml, writeDomainXml } from '../../src/domain/document.js';
import type { Domain } from '../../src/domain/model.js';
import { importArgs } from '../../src/import/index.js';
import { defineXml, dumpInactive, undefine, URI, virshOk } from '../support/libvirt.js';

const NAME = 'vg-test-import-rt';
const AGAIN = 'vg-test-import-rt2';

const DOMAIN_XML = `<domain type='kvm'>
  <name>${NAME}</name>
  <memory unit='MiB'>4000</memory>
  <memoryBacking><hugepages/></memoryBacking>
  <vcpu placement='static'>8</vcpu>
  <iothreads>1</iothreads>
  <os>
    <type arch='x86_64' machine='q35'>hvm</type>
    <loader readonly='yes' type='pflash'>/usr/share/OVMF/OVMF_CODE_4M.fd</loader>
    <nvram template='/usr/share/OVMF/OVMF_VARS_4M.fd'/>
  </os>
  <features>
    <acpi/>
    <hyperv mode='custom'>
      <relaxed state='on'/>
      <vapic state='on'/>
      <spinlocks state='on' retries='8191'/>
      <vendor_id state='on' value='Nvidia43FIX'/>
    </hyperv>
    <kvm><hidden state='on'/></kvm>
  </features>
  <cpu mode='host-passthrough' check='none' migratable='off'>
    <topology sockets='1' dies='1' cores='4' threads='2'/>
  </cpu>
  <clock offset='localtime'><timer name='hypervclock' present='yes'/></clock>
  <devices>
    <disk type='block' device='disk'>
      <driver name='qemu' type='raw' cache='none' io='native' discard='unmap'/>
      <source dev='/dev/vg-test/win'/>
      <target dev='sda' bus='scsi'/>
    </disk>
    <disk type='file' device='disk'>
      <driver name='qemu' type='qcow2' cache='writeback' io='threads'/>
      <source file='/var/lib/libvirt/images/vg-test-data.qcow2'/>
      <target dev='vda' bus='virtio'/>
    </disk>
    <disk type='file' device='cdrom'>
      <driver name='qemu' type='raw'/>
      <source file='/var/lib/libvirt/images/vg-test.iso'/>
      <target dev='sdc' bus='sata'/>
      <readonly/>
    </disk>
    <controller type='scsi' index='0' model='virtio-scsi'>
      <driver queues='4' iothread='1' ioeventfd='on'/>
    </controller>
    <controller type='pci' index='1' model='pcie-root-port'>
      <model name='ioh3420'/>
      <target chassis='1' port='0x1'/>
      <address type='pci' domain='0x0000' bus='0x00' slot='0x1c' function='0x0' multifunction='on'/>
    </controller>
    <interface type='ethernet'>
      <mac address='de:ad:be:ef:33:4a'/>
      <target dev='vgtap0'/>
      <model type='virtio'/>
    </interface>
    <interface type='user'>
      <mac address='52:54:00:12:34:56'/>
      <model type='e1000e'/>
    </interface>
    <sound model='ich9'/>
    <audio id='1' type='none'/>
    <video><model type='none'/></video>
    <hostdev mode='subsystem' type='pci' managed='yes'>
      <driver name='vfio'/>
      <source><address domain='0x0000' bus='0x02' slot='0x00' function='0x0'/></source>
      <address type='pci' domain='0x0000' bus='0x01' slot='0x00' function='0x0' multifunction='on'/>
    </hostdev>
    <hostdev mode='subsystem' type='pci' managed='yes'>
      <driver name='vfio'/>
      <source><address domain='0x0000' bus='0x02' slot='0x00' function='0x1'/></source>
      <address type='pci' domain='0x0000' bus='0x01' slot='0x00' function='0x1'/>
    </hostdev>
    <input type='evdev'>
      <source dev='/dev/input/by-id/vg-test-kbd' grab='all' repeat='on' grabToggle='ctrl-ctrl'/>
    </input>
    <shmem name='looking-glass'>
      <model type='ivshmem-plain'/>
      <size unit='M'>32</size>
    </shmem>
    <memballoon model='none'/>
  </devices>
</domain>
`;

/** Fails (never skips) when the sandbox libvirt does not answer within a few seconds. */
function requireLibvirtQuickly(): void {
  const r = spawnSync('virsh', ['-c', URI, 'version'], { encoding: 'utf8', timeout: 5000 });
  if (r.status !== 0) {
    const why = r.error ? String(r.error) : (r.stderr ?? '').trim();
    throw new Error(
      `libvirt is not reachable at ${URI} within 5 s (${why}). Start the sandbox: bash scripts/sandbox.sh start`,
    );
  }
}

const native = (name: string): string => virshOk(['domxml-to-native', 'qemu-argv', '--domain', name]);

/** What a QEMU command line carries, read from a domain: the comparison of the round trip. */
function carried(d: Domain): Record<string, unknown> {
  const dev = d.devices ?? {};
  const mib = (d.memory?.value ?? 0) * (d.memory?.unit === 'KiB' ? 1 / 1024 : 1);
  return {
    memoryMiB: mib,
    hugepages: !!d.memoryBacking?.hugepages,
    vcpus: d.vcpu?.value,
    topology: d.cpu?.topology,
    cpuMode: d.cpu?.mode,
    machine: d.os?.type?.machine,
    hyperv: d.features?.hyperv,
    hypervclock: d.clock?.timer?.find((t) => t.name === 'hypervclock')?.present,
    kvmHidden: d.features?.kvm?.hidden?.state,
    loader: d.os?.loader?.path,
    iothreads: d.iothreads?.value,
    scsi: dev.controller?.filter((c) => c.type === 'scsi').map((c) => [c.model, c.driver]),
    rootPort: dev.controller?.find((c) => c.model_?.name === 'ioh3420')?.address,
    hostdevs: dev.hostdev?.map((h) => [h.source?.address, h.address]),
    disks: dev.disk?.map((k) => [
      k.device,
      k.target?.bus,
      k.source?.file ?? k.source?.dev,
      k.driver?.type,
      k.driver?.cache,
      k.driver?.io,
      k.driver?.discard,
    ]),
    nics: dev.interface?.map((i) => [i.mac?.address, i.model?.type]),
    sound: dev.sound?.map((s) => s.model),
    evdev: dev.input?.filter((i) => i.type === 'evdev').map((i) => i.source),
    shmem: dev.shmem?.map((s) => [s.name, s.model?.type, s.size]),
  };
}

let libvirtDomain: Domain;
let imported: ReturnType<typeof importArgs>;
let argvText: string;

beforeAll(() => {
  requireLibvirtQuickly();
  defineXml(NAME, DOMAIN_XML);
  libvirtDomain = parseDomainXml(dumpInactive(NAME));
  argvText = native(NAME);
  imported = importArgs(argvText, { name: NAME });
});

afterAll(() => {
  undefine(NAME);
  undefine(AGAIN);
});

describe('domain -> domxml-to-native -> import', () => {
  it('reads the native command line libvirt wrote (JSON devices, blockdev chains, env prefix)', () => {
    expect(argvText).toContain('-blockdev');
    expect(argvText).toContain(`"driver":"vfio-pci"`);
    expect(imported.domain.qemuCommandline).toBeUndefined();
  });

  it('carries what the command line carries, as libvirt reads the original', () => {
    const expected = carried(libvirtDomain);
    const actual = carried(imported.domain);
    // libvirt expands q35 to the newest pc-q35-X.Y; the argv names that version.
    expect(actual.machine).toBe(expected.machine);
    expect(actual).toEqual(expected);
  });

  it('spot-checks the values that matter for passthrough', () => {
    const d = imported.domain;
    expect(d.memory).toEqual({ unit: 'MiB', value: 4000 });
    expect(d.features?.hyperv?.vendor_id).toEqual({ state: true, value: 'Nvidia43FIX' });
    expect(d.features?.hyperv?.spinlocks).toEqual({ state: true, retries: 8191 });
    expect(d.devices?.hostdev?.map((h) => h.source?.address?.function)).toEqual(['0x0', '0x1']);
    expect(d.devices?.disk?.[0]?.driver).toEqual({
      name: 'qemu',
      type: 'raw',
      cache: 'none',
      io: 'native',
      discard: 'unmap',
    });
  });
});

describe('import -> define -> domxml-to-native', () => {
  it('defines on libvirt and gives the same command line again', () => {
    const again = { ...imported.domain, name: { value: AGAIN } };
    delete again.uuid;
    defineXml(AGAIN, writeDomainXml(again));
    const second = importArgs(native(AGAIN), { name: AGAIN });
    expect(carried(second.domain)).toEqual(carried(imported.domain));
  });
});
