import { describe, expect, it } from '@jest/globals';
import { unmetRequirements } from '../../../src/define/requirements.js';
import type { Domain } from '../../../src/domain/model.js';

const v = (text: string) => {
  const [major, minor, micro] = text.split('.').map(Number) as [number, number, number];
  return { major, minor, micro, text };
};
const pipewire: Domain = { devices: { audio: [{ id: 1, type: 'pipewire' }] } };

describe('what a domain needs of libvirt', () => {
  it('names PipeWire audio as 9.10+, with what to use instead', () => {
    expect(unmetRequirements(pipewire, v('9.0.0'))).toEqual([
      "PipeWire audio (sound.audio.type: 'pipewire') needs libvirt 9.10 or newer; this libvirt is 9.0.0: use type: 'pulseaudio' (PipeWire serves PulseAudio clients through pipewire-pulse)",
    ]);
  });

  it('compares minor versions numerically, and across majors', () => {
    expect(unmetRequirements(pipewire, v('9.9.0'))).toHaveLength(1);
    expect(unmetRequirements(pipewire, v('9.10.0'))).toEqual([]);
    expect(unmetRequirements(pipewire, v('10.0.0'))).toEqual([]);
    expect(unmetRequirements({ features: { hyperv: { mode: 'host-model' } } }, v('11.8.0'))).toHaveLength(1);
  });

  it("names Hyper-V passthrough (hyperv: 'passthrough') as 8.0+", () => {
    const passthrough: Domain = { features: { hyperv: { mode: 'passthrough' } } };
    expect(unmetRequirements(passthrough, v('7.10.0'))).toEqual([
      "Hyper-V passthrough (hyperv: 'passthrough', <hyperv mode='passthrough'>) needs libvirt 8.0 or newer; " +
        'this libvirt is 7.10.0: leave hyperv out for the recommended set, or list the enlightenments',
    ]);
    expect(unmetRequirements(passthrough, v('8.0.0'))).toEqual([]);
  });

  it('asks nothing of a domain that uses none of it', () => {
    expect(unmetRequirements({ devices: { audio: [{ id: 1, type: 'pulseaudio' }] } }, v('7.2.0'))).toEqual(
      [],
    );
  });
});
