/**
 * libvirt's own RelaxNG check of the XML to define (`virt-xml-validate - domain`, the schema the
 * installed libvirt ships), run before `define` writes any host file. libvirt has no validate-only
 * call, and libvirt-dbus before 1.5 cannot pass VIR_DOMAIN_DEFINE_VALIDATE: this is how `define`
 * refuses what libvirt would refuse while nothing has been changed yet, and how the D-Bus backend
 * (local only, so the local schema is the daemon's) validates without the flag.
 */
import { execa } from 'execa';
import { LibvirtError } from './errors.js';

/** Resolves with a warning when the checker is not installed; throws when the XML fails the schema. */
export async function checkSchema(xml: string, program = 'virt-xml-validate'): Promise<string | undefined> {
  const r = await execa(program, ['-', 'domain'], {
    input: xml,
    env: { LC_ALL: 'C' },
    timeout: 30_000,
    reject: false,
  });
  if (r.code === 'ENOENT') {
    return `${program} is not installed (package libvirt-clients): the domain XML was not checked against libvirt's schema before the host files were written`;
  }
  if (r.exitCode === 0) return undefined;
  const detail = String(r.stderr ?? '')
    .split('\n')
    .filter((l) => l.trim() !== '' && !/fails to validate$/.test(l))
    .slice(0, 5)
    .join('; ');
  const text = detail || r.message;
  throw new LibvirtError(
    'invalid-xml',
    `the domain XML does not follow libvirt's schema (virt-xml-validate): ${text}`,
    text,
  );
}
