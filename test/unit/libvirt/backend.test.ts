import { describe, expect, it } from '@jest/globals';
import {
  normalizeUuid,
  resolveTimeoutMs,
  resolveUri,
  versionFromNumber,
  versionFromText,
  withTimeout,
} from '../../../src/libvirt/backend.js';
import { dbusTarget } from '../../../src/libvirt/dbus.js';
import { LibvirtError } from '../../../src/libvirt/errors.js';
import { parseDominfo, parseNameList } from '../../../src/libvirt/virsh.js';

describe('URI and time limit', () => {
  it('takes -c first, then LIBVIRT_DEFAULT_URI, then qemu:///system', () => {
    expect(resolveUri('qemu+ssh://h/system', { LIBVIRT_DEFAULT_URI: 'qemu:///session' })).toBe(
      'qemu+ssh://h/system',
    );
    expect(resolveUri(undefined, { LIBVIRT_DEFAULT_URI: 'qemu:///session' })).toBe('qemu:///session');
    expect(resolveUri(undefined, { LIBVIRT_DEFAULT_URI: '' })).toBe('qemu:///system');
    expect(resolveUri(undefined, {})).toBe('qemu:///system');
  });

  it('reads VIRT_GEN_TIMEOUT_MS, ignoring nonsense', () => {
    expect(resolveTimeoutMs({ VIRT_GEN_TIMEOUT_MS: '2500' })).toBe(2500);
    expect(resolveTimeoutMs({ VIRT_GEN_TIMEOUT_MS: 'soon' })).toBe(10_000);
    expect(resolveTimeoutMs({ VIRT_GEN_TIMEOUT_MS: '0' })).toBe(10_000);
    expect(resolveTimeoutMs({})).toBe(10_000);
  });

  it('D-Bus serves only the local QEMU URIs', () => {
    expect(dbusTarget('qemu:///system')).toEqual({ bus: 'system', path: '/org/libvirt/QEMU' });
    expect(dbusTarget('qemu:///session')).toEqual({ bus: 'session', path: '/org/libvirt/QEMU' });
    expect(dbusTarget('qemu+ssh://host/system')).toBeUndefined();
    expect(dbusTarget('qemu:///system?socket=/x')).toBeUndefined();
  });
});

describe('withTimeout', () => {
  it('rejects a call that never settles with a timeout error', async () => {
    const never = new Promise<never>(() => undefined);
    const err = await withTimeout(never, 20, 'org.libvirt').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(LibvirtError);
    expect((err as LibvirtError).kind).toBe('timeout');
    expect((err as LibvirtError).message).toContain('org.libvirt did not answer within 20 ms');
  });

  it('passes a result through', async () => {
    await expect(withTimeout(Promise.resolve(3), 1000, 'x')).resolves.toBe(3);
  });
});

describe('parsing', () => {
  it('decodes libvirt version numbers and text', () => {
    expect(versionFromNumber(9000000).text).toBe('9.0.0');
    expect(versionFromNumber(10_002_003)).toEqual({ major: 10, minor: 2, micro: 3, text: '10.2.3' });
    expect(versionFromText('9.0')?.text).toBe('9.0.0');
    expect(versionFromText('nine')).toBeUndefined();
  });

  it('normalises UUIDs as libvirt prints them', () => {
    expect(normalizeUuid('1F5EFA5C8C4F47DD9446-7C126DA1E488')).toBe('1f5efa5c-8c4f-47dd-9446-7c126da1e488');
    expect(normalizeUuid('not-a-uuid')).toBeUndefined();
  });

  it('reads virsh list and dominfo', () => {
    expect(parseNameList('a\nb c\n\n')).toEqual(['a', 'b c']);
    const info =
      'Id:             -\nName:           vg\nUUID:           abe84c51-9d9e-40af-b7d7-0fc976107bb4\nState:          shut off\n';
    expect(parseDominfo(info, 'vg')).toEqual({
      name: 'vg',
      uuid: 'abe84c51-9d9e-40af-b7d7-0fc976107bb4',
      active: false,
    });
    expect(parseDominfo(info.replace('Id:             -', 'Id:             3'), 'vg').active).toBe(true);
  });
});
