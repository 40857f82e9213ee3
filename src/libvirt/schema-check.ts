/**
 * libvirt's own RelaxNG check of the XML to define (the schema the installed libvirt ships), run
 * before `define` writes any host file. libvirt has no validate-only call, and libvirt-dbus before
 * 1.5 cannot pass VIR_DOMAIN_DEFINE_VALIDATE: this is how `define` refuses what libvirt would refuse
 * while nothing has been changed yet, and how the D-Bus backend (local only, so the local schema is
 * the daemon's) validates without the flag.
 *
 * The check is the one `virt-xml-validate - domain` makes, without the shell script around it:
 * the script starts sh, mktemp and cat to copy stdin to a temporary file, then `xmllint --noout
 * --relaxng SCHEMADIR/domain.rng`. virt-gen runs that xmllint itself, on stdin, when libvirt's
 * schema is where libvirt installs it; otherwise it runs virt-xml-validate. One process instead of
 * four per check (figures in docs/development.md).
 *
 * A document that passed is remembered for the life of the process: `define` checks the XML before
 * the host files, and the D-Bus backend would check the same text again right before defining it.
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { execa } from 'execa';
import { LibvirtError } from './errors.js';

/** Where libvirt installs its schemas (`$datadir/libvirt/schemas`, the path virt-xml-validate has built in). */
export const SCHEMA_DIRS = ['/usr/share/libvirt/schemas', '/usr/local/share/libvirt/schemas'];

export interface SchemaTools {
  /** Folders searched for domain.rng, in order. */
  schemaDirs: string[];
  xmllint: string;
  virtXmlValidate: string;
}

const DEFAULT_TOOLS: SchemaTools = {
  schemaDirs: SCHEMA_DIRS,
  xmllint: 'xmllint',
  virtXmlValidate: 'virt-xml-validate',
};

/** Per set of tools, the documents that passed, newest last; a handful is all one define needs. */
const passedWith = new WeakMap<SchemaTools, string[]>();
const REMEMBERED = 8;

/** Resolves with a warning when no checker is installed; throws when the XML fails the schema. */
export async function checkSchema(
  xml: string,
  tools: SchemaTools = DEFAULT_TOOLS,
): Promise<string | undefined> {
  const passed = passedWith.get(tools) ?? [];
  passedWith.set(tools, passed);
  if (passed.includes(xml)) return undefined;
  const { checker, r } = await runChecker(xml, tools);
  if (r.code === 'ENOENT') {
    return `${checker.program} is not installed (package ${checker.pkg}): the domain XML was not checked against libvirt's schema before the host files were written`;
  }
  if (r.exitCode === 0) {
    passed.splice(0, passed.push(xml) - REMEMBERED);
    return undefined;
  }
  const detail = String(r.stderr ?? '')
    .split('\n')
    .filter((l) => l.trim() !== '' && !/fails to validate$/.test(l))
    .slice(0, 5)
    .join('; ');
  const text = detail || r.message;
  throw new LibvirtError(
    'invalid-xml',
    `the domain XML does not follow libvirt's schema (${checker.shown}): ${text}`,
    text,
  );
}

interface Checker {
  program: string;
  /** The Debian package that installs it. */
  pkg: string;
  /** How the refusal names it. */
  shown: string;
  args: string[];
}

/** xmllint on libvirt's domain schema where it is installed, else virt-xml-validate (which runs xmllint too). */
async function runChecker(xml: string, tools: SchemaTools) {
  const schema = tools.schemaDirs.map((d) => path.join(d, 'domain.rng')).find((f) => existsSync(f));
  const checker: Checker =
    schema !== undefined
      ? {
          program: tools.xmllint,
          pkg: 'libxml2-utils',
          shown: schema,
          args: ['--noout', '--relaxng', schema, '-'],
        }
      : {
          program: tools.virtXmlValidate,
          pkg: 'libvirt-clients',
          shown: 'virt-xml-validate',
          args: ['-', 'domain'],
        };
  const r = await execa(checker.program, checker.args, {
    input: xml,
    env: { LC_ALL: 'C' },
    timeout: 30_000,
    reject: false,
  });
  return { checker, r };
}
