import { describe, expect, it } from '@jest/globals';
import { importArgs } from '../../../src/import/index.js';
import { samplesToUsecs } from '../../../src/import/map/audio.js';
import { devices, imp, validateDomainXml, xmlOf } from './helpers.js';

describe('sound devices', () => {
  it("reads the guide's -soundhw hda as ich6, and the other -soundhw names", () => {
    expect(devices(imp('-soundhw hda').domain).sound).toEqual([{ model: 'ich6' }]);
    expect(devices(imp('-soundhw pcspk,es1370,sb16,ac97').domain).sound?.map((s) => s.model)).toEqual([
      'pcspk',
      'es1370',
      'sb16',
      'ac97',
    ]);
    expect(() => imp('-soundhw hdx')).toThrow(/unknown sound device 'hdx'/);
  });

  it('reads HDA controllers with their codecs, leaving out the default lone duplex', () => {
    const { domain } = imp(
      '-device intel-hda,id=sound4 -device hda-duplex,id=c0,bus=sound4.0,cad=0 ' +
        '-device ich9-intel-hda,id=sound5,bus=pci.0,addr=0x1b -device hda-micro,bus=sound5.0,cad=0 -device hda-output,bus=sound5.0,cad=1 -device AC97',
    );
    expect(devices(domain).sound).toEqual([
      { model: 'ich6' },
      {
        model: 'ich9',
        codec: [{ type: 'micro' }, { type: 'output' }],
        address: { type: 'pci', domain: '0x0000', bus: '0x00', slot: '0x1b', function: '0x0' },
      },
      { model: 'ac97' },
    ]);
  });
});

describe('audio backends', () => {
  it('converts QEMU_PA_SAMPLES as QEMU does (samples over 2 channels at 44100 Hz)', () => {
    expect(samplesToUsecs(128)).toBe(1451);
    expect(samplesToUsecs(4096)).toBe(46440);
  });

  it("reads the guide's environment as a pulseaudio backend", () => {
    const { domain, warnings } = importArgs(
      'QEMU_AUDIO_DRV=pa QEMU_PA_SAMPLES=128 QEMU_PA_SERVER=/run/pulse qemu-system-x86_64 -soundhw hda -display none -net none',
      { name: 'x' },
    );
    expect(devices(domain).audio).toEqual([
      {
        id: 1,
        type: 'pulseaudio',
        serverName: '/run/pulse',
        input: { bufferLength: 1451 },
        output: { bufferLength: 1451 },
      },
    ]);
    expect(domain.qemuCommandline).toBeUndefined();
    expect(warnings).toEqual([]);
  });

  it('drops the backends libvirt adds by itself (none; spice with SPICE)', () => {
    expect(
      devices(importArgs('QEMU_AUDIO_DRV=none qemu-system-x86_64', { name: 'x' }).domain).audio,
    ).toBeUndefined();
    expect(devices(imp(`-audiodev '{"id":"audio1","driver":"none"}'`).domain).audio).toBeUndefined();
    expect(devices(imp('-audiodev spice,id=audio1 -spice port=5901').domain).audio).toBeUndefined();
  });

  it('reads -audiodev in both syntaxes and links sound devices to it', () => {
    const { domain } = imp(
      '-audiodev pa,id=snd0,server=unix:/run/user/1000/pulse/native,out.buffer-length=512,out.frequency=48000 -device ich9-intel-hda,id=s -device hda-duplex,bus=s.0,audiodev=snd0',
    );
    expect(devices(domain).audio).toEqual([
      {
        id: 1,
        type: 'pulseaudio',
        serverName: 'unix:/run/user/1000/pulse/native',
        output: { bufferLength: 512, settings: { frequency: 48000 } },
      },
    ]);
    expect(devices(domain).sound?.[0]?.audio).toEqual({ id: 1 });
  });

  it('keeps unknown environment variables as <qemu:env>, with a warning', () => {
    const r = importArgs('FOO=bar HOME=/root qemu-system-x86_64', { name: 'x' });
    expect(r.domain.qemuCommandline?.env).toEqual([{ name: 'FOO', value: 'bar' }]);
    expect(r.warnings).toContainEqual(expect.stringContaining('FOO=bar: kept as <qemu:env>'));
  });
});

describe('video and displays', () => {
  it('reads -vga qxl without a display as QXL with a SPICE display, and warns', () => {
    const r = imp('-vga qxl');
    expect(devices(r.domain).video).toEqual([{ model: { type: 'qxl' } }]);
    expect(devices(r.domain).graphics).toEqual([{ type: 'spice', autoport: true }]);
    expect(r.warnings).toContainEqual(expect.stringContaining('imported as a SPICE display'));
  });

  it("reads the guide's final -vga none -nographic as no video and no display", () => {
    const { domain } = imp('-vga none -nographic');
    expect(devices(domain).video).toEqual([{ model: { type: 'none' } }]);
    expect(devices(domain).graphics).toBeUndefined();
  });

  it('reads -vnc and -spice listeners and ports', () => {
    const vnc = devices(imp(`-vnc '[::]:59630,share=allow-exclusive' -vga cirrus`).domain).graphics?.[0];
    expect(vnc).toEqual({
      type: 'vnc',
      port: 65530,
      autoport: false,
      listen: '::',
      listen_: [{ type: 'address', address: '::' }],
      sharePolicy: 'allow-exclusive',
    });
    const sock = devices(imp('-vnc unix:/tmp/foo.socket').domain).graphics?.[0];
    expect(sock).toEqual({ type: 'vnc', listen_: [{ type: 'socket', socket: '/tmp/foo.socket' }] });
    // libvirt's schema has no sharePolicy beside the socket attribute: the socket is the <listen>'s.
    const shared = validateDomainXml(xmlOf(imp('-vnc unix:/tmp/foo.socket,share=force-shared')));
    expect(shared).toEqual({ ok: true, output: expect.stringContaining('validates') });
    const spice = devices(imp('-spice port=5901,addr=127.0.0.1,image-compression=off').domain).graphics?.[0];
    expect(spice).toEqual({
      type: 'spice',
      port: 5901,
      autoport: false,
      listen_: [{ type: 'address', address: '127.0.0.1' }],
      image: { compression: false },
    });
  });

  it('reads display devices with their memory sizes', () => {
    const { domain } = imp(
      `-device '{"driver":"qxl-vga","id":"video0","max_outputs":1,"ram_size":67108864,"vram_size":67108864,"vgamem_mb":16,"bus":"pcie.0","addr":"0x1"}' -display none`,
    );
    expect(devices(domain).video?.[0]?.model).toEqual({
      type: 'qxl',
      ram: 65536,
      vram: 65536,
      vgamem: 16384,
      heads: 1,
    });
    expect(devices(domain).graphics).toBeUndefined();
  });

  it('adds the VGA QEMU gives by default, and none under -nodefaults with a display', () => {
    expect(devices(imp('-vnc :0').domain).video).toEqual([{ model: { type: 'vga' } }]);
    expect(devices(imp('-nodefaults -vnc :0').domain).video).toEqual([{ model: { type: 'none' } }]);
    expect(devices(imp('-nographic').domain).video).toBeUndefined();
  });

  it('reads SDL with the X display from the environment', () => {
    const { domain } = importArgs(
      'DISPLAY=:0.1 XAUTHORITY=/root/.Xauthority qemu-system-x86_64 -full-screen -sdl -vga std',
      { name: 'x' },
    );
    expect(devices(domain).graphics).toEqual([
      { type: 'sdl', display: ':0.1', xauth: '/root/.Xauthority', fullscreen: true },
    ]);
  });
});
