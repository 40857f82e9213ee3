/** The CPU models of libvirt's domain capabilities, and what `define` says of a model the host cannot run. */
import { describe, expect, it } from '@jest/globals';
import { cpuModelProblem, parseCpuModels } from '../../../src/host/from-libvirt/cpu-models.js';

// The shape of `virsh domcapabilities --virttype kvm` (libvirt 9.0), cut to the CPU part.
const DOMCAPS = `<domainCapabilities><cpu>
  <mode name='host-passthrough' supported='yes'/>
  <mode name='custom' supported='yes'>
    <model usable='yes' vendor='Intel'>qemu64</model>
    <model usable='no' vendor='Intel'>Haswell-noTSX</model>
    <model usable='unknown' vendor='AMD'>EPYC-Rome</model>
  </mode>
</cpu></domainCapabilities>`;

describe('named CPU models on this host', () => {
  const models = parseCpuModels(DOMCAPS);

  it('reads every custom model with its usability', () => {
    expect([...models]).toEqual([
      ['qemu64', 'yes'],
      ['Haswell-noTSX', 'no'],
      ['EPYC-Rome', 'unknown'],
    ]);
  });

  it('says when QEMU lacks the model or the CPU cannot run it, and nothing otherwise', () => {
    expect(cpuModelProblem('Skylake-Server', models)).toBe(
      'cpu.model: this host\'s QEMU has no CPU model "Skylake-Server" (virsh domcapabilities lists those it has): the VM will not start',
    );
    expect(cpuModelProblem('Haswell-noTSX', models)).toMatch(
      /lacks features of "Haswell-noTSX" .*usable='no'/,
    );
    expect(cpuModelProblem('qemu64', models)).toBeUndefined();
    expect(cpuModelProblem('EPYC-Rome', models)).toBeUndefined();
    expect(cpuModelProblem('anything', new Map())).toBeUndefined();
  });
});
