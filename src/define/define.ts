/**
 * `define`, safely: takes the generated domain XML and puts it into libvirt without losing what a
 * user has there.
 *
 * 1. Look the domain up by name. Keep its UUID (libvirt refuses a redefinition without it), and
 *    the MACs and generation ID libvirt made up for it (identity.ts).
 * 2. If it exists and is not exactly what virt-gen left there (stamp.ts), refuse without --force,
 *    with the difference, before touching anything.
 * 3. Back up the definition being replaced.
 * 4. Define, read back, stamp libvirt's own hash of it, define again (same content + the stamp).
 * 5. Check that everything the generated XML set is still in libvirt's copy (survival.ts).
 */
import { VirtGenError } from '../util/errors.js';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { VERSION } from '../cli/version.js';
import { parseXml, writeXml, type XmlElement } from '../domain/index.js';
import { normalizeUuid, type Backend, type DomainInfo, type GetXmlOptions } from '../libvirt/backend.js';
import { xmlDiff } from './diff.js';
import { defaultStateDir, definedRecordPath, writeBackup, writeDefinedRecord } from './state.js';
import { domainHash, insertAfterLeading, readStamp, withoutStamp, withStamp, type Stamp } from './stamp.js';
import { keepMadeUp } from './identity.js';
import { findLost } from './survival.js';

export interface DefineOptions {
  /** The generated domain XML (any virt-gen stamp in it is replaced). */
  xml: string;
  /** The config it came from, recorded in the stamp. */
  configPath: string;
  backend: Backend;
  /** Overwrite a domain that was edited since virt-gen's last define, or that virt-gen never defined. */
  force?: boolean;
  /** Report what would happen; change nothing (neither libvirt nor files). */
  dryRun?: boolean;
  /** Where replaced definitions go; default `<stateDir>/backups`. */
  backupDir?: string;
  /** Default: /var/lib/virt-gen as root, else $XDG_STATE_HOME/virt-gen. */
  stateDir?: string;
  /** Recorded in the stamp; default this virt-gen's version. */
  version?: string;
}

/**
 * What libvirt held before this run:
 * - new: no domain of that name;
 * - virt-gen: exactly what virt-gen's last define left there;
 * - hand-edited: stamped by virt-gen, changed since;
 * - foreign: not defined by virt-gen (no stamp);
 * - unverifiable: stamped, but without libvirt's hash (a define interrupted between its two steps).
 */
export type Provenance = 'new' | 'virt-gen' | 'hand-edited' | 'foreign' | 'unverifiable';

export interface DefineResult {
  action: 'created' | 'updated' | 'unchanged';
  dryRun: boolean;
  name: string;
  /** Unknown only in a dry run that would create a domain without a configured UUID. */
  uuid?: string;
  provenance: Provenance;
  /** Only in a dry run: the real run would refuse (hand edit or foreign domain, no --force). */
  blocked: boolean;
  /** The XML that was (dry run: would be) defined, stamp and UUID included. */
  xml: string;
  /**
   * Unified diff. Real run: libvirt's definition before -> after (both libvirt's own output).
   * Dry run: libvirt's current definition -> the XML to define (so what libvirt itself added,
   * such as addresses and default controllers, shows up as removed lines).
   */
  diff: string;
  /** For a hand-edited domain: what was changed since virt-gen's last define, when known. */
  editDiff?: string;
  /** Where the replaced definition was saved. */
  backupPath?: string;
  /** What the config set that libvirt did not keep: "XPATH: what happened". */
  lost: string[];
  warnings: string[];
}

export class DefineError extends VirtGenError {
  constructor(message: string) {
    super(message);
    this.name = 'DefineError';
  }
}

/** The domain was changed outside virt-gen (or is not virt-gen's): nothing was changed. */
export class HandEditError extends DefineError {
  constructor(
    readonly domain: string,
    readonly reason: Exclude<Provenance, 'new' | 'virt-gen'>,
    /** libvirt's current definition -> what virt-gen would define. */
    readonly diff: string,
    /** virt-gen's last define -> libvirt's current definition, when the record of it exists. */
    readonly editDiff?: string,
  ) {
    super(handEditMessage(domain, reason));
    this.name = 'HandEditError';
  }
}

function handEditMessage(domain: string, reason: HandEditError['reason']): string {
  const fix =
    'nothing was changed; run again with --force to overwrite it (the current definition is backed up first)';
  switch (reason) {
    case 'hand-edited':
      return `domain '${domain}' was changed since virt-gen defined it (virt-manager, virsh edit?): ${fix}`;
    case 'foreign':
      return `domain '${domain}' exists and was not defined by virt-gen: ${fix}, or pick another name`;
    case 'unverifiable':
      return `domain '${domain}' has a virt-gen stamp without libvirt's hash (an interrupted define?): ${fix}`;
  }
}

// Secure: the backup must restore everything, graphics passwords included.
const READ_BACK: GetXmlOptions = { inactive: true, secure: true };

interface Current {
  info: DomainInfo;
  xml: string;
  el: XmlElement;
  stamp: Stamp | undefined;
  provenance: Provenance;
}

export async function defineDomain(options: DefineOptions): Promise<DefineResult> {
  const { backend } = options;
  const generated = withoutStamp(parseGenerated(options.xml));
  const name = nameOf(generated);
  const stateDir = options.stateDir ?? defaultStateDir();
  const current = await readCurrent(backend, name);
  const uuid = chooseUuid(generated, name, current?.info);
  const stamp: Stamp = {
    config: options.configPath,
    version: options.version ?? VERSION,
    generated: domainHash(generated),
  };
  const identified = uuid === undefined ? generated : withUuid(generated, uuid);
  const planned = withStamp(current ? keepMadeUp(identified, current.el) : identified, stamp);
  const unchanged = isUnchanged(current, stamp);
  const action = !current ? 'created' : unchanged ? 'unchanged' : 'updated';
  const needsForce = current !== undefined && !unchanged && current.provenance !== 'virt-gen';

  if (options.dryRun || action === 'unchanged') {
    return report({ options, name, uuid, current, planned, action, blocked: needsForce && !options.force });
  }
  if (needsForce && !options.force) await refuse(current, planned, stateDir);
  return replace({ options, name, current, planned, stamp, stateDir });
}

interface ReplaceInput {
  options: DefineOptions;
  name: string;
  current: Current | undefined;
  planned: XmlElement;
  stamp: Stamp;
  stateDir: string;
}

/** Backup, define (twice), keep a record, and check what survived. */
async function replace(input: ReplaceInput): Promise<DefineResult> {
  const { options, name, current, stateDir } = input;
  const backupPath = current
    ? await writeBackup(options.backupDir ?? join(stateDir, 'backups'), name, current.xml)
    : undefined;
  const outcome = await defineStamped(options.backend, input.planned, input.stamp);
  const warnings = [...outcome.warnings, ...runningWarning(current)];
  try {
    await writeDefinedRecord(stateDir, outcome.uuid, outcome.readBackXml);
  } catch (err) {
    warnings.push(`could not keep a copy of the new definition in ${stateDir} (${String(err)})`);
  }
  return {
    action: current ? 'updated' : 'created',
    dryRun: false,
    name,
    uuid: outcome.uuid,
    provenance: current?.provenance ?? 'new',
    blocked: false,
    xml: writeXml(outcome.defined),
    diff: xmlDiff(current?.xml, outcome.readBackXml, `${name} (before)`, `${name} (after)`),
    ...(backupPath ? { backupPath } : {}),
    lost: findLost(outcome.defined, parseXml(outcome.readBackXml)),
    warnings,
  };
}

function parseGenerated(xml: string): XmlElement {
  let root: XmlElement;
  try {
    root = parseXml(xml);
  } catch (err) {
    throw new DefineError(`the generated domain XML is not well-formed: ${(err as Error).message}`);
  }
  if (root.name !== 'domain') throw new DefineError(`expected a <domain> document, found <${root.name}>`);
  return root;
}

function childOf(el: XmlElement, name: string): XmlElement | undefined {
  return el.children.find((c): c is XmlElement => typeof c !== 'string' && c.name === name);
}

function textOf(el: XmlElement | undefined): string | undefined {
  const text = el?.children
    .filter((c): c is string => typeof c === 'string')
    .join('')
    .trim();
  return text === '' ? undefined : text;
}

function nameOf(domain: XmlElement): string {
  const name = textOf(childOf(domain, 'name'));
  if (name === undefined) throw new DefineError('the generated domain XML has no <name>');
  return name;
}

async function readCurrent(backend: Backend, name: string): Promise<Current | undefined> {
  const info = await backend.lookup(name);
  if (!info) return undefined;
  const xml = await backend.getXml(name, READ_BACK);
  const el = parseXml(xml);
  const stamp = readStamp(el);
  return { info, xml, el, stamp, provenance: provenanceOf(el, stamp) };
}

function provenanceOf(el: XmlElement, stamp: Stamp | undefined): Provenance {
  if (!stamp) return 'foreign';
  if (!stamp.libvirt) return 'unverifiable';
  return domainHash(el) === stamp.libvirt ? 'virt-gen' : 'hand-edited';
}

/** The existing domain's UUID wins; a config that sets a different one is a conflict, not an update. */
function chooseUuid(
  generated: XmlElement,
  name: string,
  existing: DomainInfo | undefined,
): string | undefined {
  const raw = textOf(childOf(generated, 'uuid'));
  const configured = raw === undefined ? undefined : (normalizeUuid(raw) ?? raw);
  if (existing && configured !== undefined && configured !== existing.uuid) {
    throw new DefineError(
      `the config sets uuid ${configured}, but the defined domain '${name}' has uuid ${existing.uuid}: ` +
        'remove the uuid from the config (virt-gen keeps the existing one), or undefine the old domain first',
    );
  }
  return existing?.uuid ?? configured;
}

function withUuid(domain: XmlElement, uuid: string): XmlElement {
  if (childOf(domain, 'uuid')) return domain;
  const el: XmlElement = { name: 'uuid', attrs: {}, children: [uuid] };
  return { ...domain, children: insertAfterLeading(domain.children, new Set(['name']), el) };
}

/** Same generated content from the same config, and nobody touched libvirt's copy since. */
function isUnchanged(current: Current | undefined, stamp: Stamp): boolean {
  return (
    current?.provenance === 'virt-gen' &&
    current.stamp?.generated === stamp.generated &&
    current.stamp.config === stamp.config
  );
}

async function refuse(current: Current, planned: XmlElement, stateDir: string): Promise<never> {
  const name = current.info.name;
  const diff = xmlDiff(current.xml, planned, `${name} (defined now)`, `${name} (virt-gen would define)`);
  const editDiff = current.provenance === 'hand-edited' ? await editDiffOf(current, stateDir) : undefined;
  throw new HandEditError(name, current.provenance as HandEditError['reason'], diff, editDiff);
}

/** virt-gen's record of what libvirt held after its define -> what libvirt holds now. */
async function editDiffOf(current: Current, stateDir: string): Promise<string | undefined> {
  let record: string;
  try {
    record = await readFile(definedRecordPath(stateDir, current.info.uuid), 'utf8');
  } catch {
    return undefined;
  }
  // A record from some other define (another state dir, an older run) would mislead.
  if (domainHash(parseXml(record)) !== current.stamp?.libvirt) return undefined;
  const name = current.info.name;
  return xmlDiff(record, current.xml, `${name} (as virt-gen defined it)`, `${name} (now)`);
}

interface Outcome {
  uuid: string;
  /** The XML of the second define: planned + UUID + libvirt hash. */
  defined: XmlElement;
  readBackXml: string;
  warnings: string[];
}

/**
 * Two defines: the hash of libvirt's copy can only be known once libvirt has made it, and it has
 * to live in the definition itself. The second define differs from the first only in the stamp,
 * which the hash leaves out, so libvirt's copy hashes the same after it.
 */
async function defineStamped(backend: Backend, planned: XmlElement, stamp: Stamp): Promise<Outcome> {
  const first = await backend.define(writeXml(planned));
  const readBack = parseXml(await backend.getXml(first.name, READ_BACK));
  // What libvirt made up in the first define (UUID, MACs) must not be made up anew in the second.
  const same = keepMadeUp(withUuid(planned, first.uuid), readBack);
  const defined = withStamp(same, { ...stamp, libvirt: domainHash(readBack) });
  const second = await backend.define(writeXml(defined));
  const readBackXml = await backend.getXml(second.name, READ_BACK);
  const warnings =
    domainHash(parseXml(readBackXml)) === domainHash(readBack)
      ? []
      : [
          'libvirt did not store two identical definitions identically: the next define may take this one for a hand edit',
        ];
  return { uuid: second.uuid, defined, readBackXml, warnings };
}

function runningWarning(current: Current | undefined): string[] {
  if (!current?.info.active) return [];
  return [`'${current.info.name}' is running: the new definition takes effect when it is next started`];
}

interface ReportInput {
  options: DefineOptions;
  name: string;
  uuid: string | undefined;
  current: Current | undefined;
  planned: XmlElement;
  action: DefineResult['action'];
  blocked: boolean;
}

/** A dry run, or a real run with nothing to do: libvirt is not touched either way. */
function report(input: ReportInput): DefineResult {
  const { options, name, uuid, current, planned, action } = input;
  // With nothing to define, the survival check runs against what virt-gen defined last time.
  const lost =
    action === 'unchanged' && current ? findLost(withoutStamp(planned), withoutStamp(current.el)) : [];
  return {
    action,
    dryRun: options.dryRun === true,
    name,
    ...(uuid ? { uuid } : {}),
    provenance: current?.provenance ?? 'new',
    blocked: input.blocked,
    xml: writeXml(planned),
    diff:
      action === 'unchanged'
        ? ''
        : xmlDiff(current?.xml, planned, `${name} (defined now)`, `${name} (to define)`),
    lost,
    warnings: [],
  };
}
