import { describe, expect, it } from '@jest/globals';
import { cleanDetail, fromLibvirtText, LibvirtError } from '../../../src/libvirt/errors.js';
import { mapDbusError } from '../../../src/libvirt/dbus.js';

const URI = 'qemu:///system';

describe('fromLibvirtText: libvirt and virsh messages to error kinds', () => {
  it.each([
    // virsh as a user outside the libvirt group, with polkit running but no agent
    [
      "error: failed to connect to the hypervisor\nerror: authentication unavailable: no polkit agent available to authenticate action 'org.libvirt.unix.manage'",
      'access-denied',
    ],
    // socket permissions instead of polkit
    [
      "error: failed to connect to the hypervisor\nerror: Failed to connect socket to '/var/run/libvirt/libvirt-sock': Permission denied",
      'access-denied',
    ],
    [
      "error: failed to connect to the hypervisor\nerror: Failed to connect socket to '/nonexistent': No such file or directory",
      'no-libvirt',
    ],
    ["Failed to connect socket to '/var/run/libvirt/libvirt-sock': Connection refused", 'no-libvirt'],
    ["error: failed to get domain 'nope'", 'not-found'],
    ["Domain not found: no domain with matching name 'nope'", 'not-found'],
    ['internal error: unexpected feature foo', 'other'],
  ])('%s -> %s', (text, kind) => {
    expect(fromLibvirtText(text, 'other', URI).kind).toBe(kind);
  });

  it('treats any other refusal while defining as a refusal of the XML', () => {
    const err = fromLibvirtText("unsupported configuration: unexpected feature 'bogus'", 'define', URI);
    expect(err.kind).toBe('invalid-xml');
    expect(err.message).toBe(
      "libvirt refused the domain XML: unsupported configuration: unexpected feature 'bogus'",
    );
  });

  it('says how to fix access denied', () => {
    const err = fromLibvirtText('authentication unavailable: no polkit agent', 'connect', URI);
    expect(err.message).toContain("not root and not in the 'libvirt' group");
    expect(err.message).toContain('sudo usermod -aG libvirt $USER');
  });

  it('keeps one readable line of an XML parse error', () => {
    const text =
      '(domain_definition):1: Opening and ending tag mismatch: bogus line 1 and domain\n<domain><bogus></domain>\n---------------^';
    expect(cleanDetail(text)).toBe(
      '(domain_definition):1: Opening and ending tag mismatch: bogus line 1 and domain',
    );
  });
});

describe('mapDbusError', () => {
  const dbusError = (type: string, text: string) => Object.assign(new Error(text), { type, text });

  it.each([
    ['org.freedesktop.DBus.Error.AccessDenied', 'Rejected send message', 'access-denied'],
    ['org.freedesktop.DBus.Error.ServiceUnknown', 'The name org.libvirt was not provided', 'no-bus'],
    ['org.freedesktop.DBus.Error.Spawn.ChildExited', 'exited with 1', 'no-bus'],
    ['org.freedesktop.DBus.Error.NoReply', 'no reply', 'timeout'],
    ['org.libvirt.Error', "Domain not found: no domain with matching name 'x'", 'not-found'],
    ['org.libvirt.Error', 'XML error: bad', 'invalid-xml'],
  ])('%s -> %s', (type, text, kind) => {
    expect(mapDbusError(dbusError(type, text), 'define', URI, 'system').kind).toBe(kind);
  });

  it('maps a missing bus socket to no-bus', () => {
    const err = Object.assign(new Error('connect ENOENT /nonexistent'), { code: 'ENOENT' });
    const mapped = mapDbusError(err, 'connect', URI, 'system');
    expect(mapped.kind).toBe('no-bus');
    expect(mapped.message).toContain('--backend virsh');
  });

  it('passes LibvirtErrors through', () => {
    const err = new LibvirtError('timeout', 'x');
    expect(mapDbusError(err, 'other', URI, 'system')).toBe(err);
  });
});
