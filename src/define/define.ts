/**
 * `define`, safely: takes the generated domain XML and puts it into libvirt without losing what a
 * user has there. Two phases, so that the caller can write host files in between and nothing is
 * written when the define would be refused:
 *
 * prepareDefine (reads only; every refusal happens here)
 * 1. Look the domain up by name. Keep its UUID (libvirt refuses a redefinition without it), and
 *    the MACs and generation ID libvirt made up for it (identity.ts).
 * 2. Refuse a domain another config owns (its stamp names that config), and one that is not
 *    exactly what virt-gen left there (stamp.ts), without --force.
 *
 * commitDefine (writes)
 * 3. Back up the definition being replaced.
 * 4. Define (with libvirt's validation), read back, keep the base records, define again with
 *    libvirt's own hash in the stamp. Each step leaves a state the next run converges from.
 * 5. Check that everything the generated XML set is still in libvirt's copy (survival.ts).
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { VERSION } from '../cli/version.js';
import { parseXml, writeXml, type XmlElement } from '../domain/index.js';
import { normalizeUuid, type Backend, type DomainInfo, type GetXmlOptions } from '../libvirt/backend.js';
import { xmlDiff } from './diff.js';
import { DefineError, HandEditError, OwnershipError, type RefusalReason } from './errors.js';
import { pauseForTest } from './fault-hook.js';
import { defaultStateDir, definedRecordPath, writeBackup, writeBase } from './state.js';
import { domainHash, readStamp, withoutStamp, withStamp, type Stamp } from './stamp.js';
import { keepMadeUp, withUuid } from './identity.js';
import { conflictRefusal, mergeWithBase, summary, trustedBase, type MergeSummary } from './three-way.js';
import { findLost } from './survival.js';

export { DefineError, HandEditError, OwnershipError } from './errors.js';

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
  /** Default: $VIRT_GEN_STATE_DIR, else /var/lib/virt-gen as root, else $XDG_STATE_HOME/virt-gen. */
  stateDir?: string;
  /** Recorded in the stamp; default this virt-gen's version. */
  version?: string;
  /** Settles every merge conflict: 'theirs' keeps the hand edit, 'ours' applies the config. */
  resolve?: 'ours' | 'theirs';
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
  /** For a hand-edited domain merged with the config: what each side changed. */
  merge?: MergeSummary;
}

// Secure: the backup must restore everything, graphics passwords included.
const READ_BACK: GetXmlOptions = { inactive: true, secure: true };

interface Current {
  info: DomainInfo;
  xml: string;
  el: XmlElement;
  stamp: Stamp | undefined;
  provenance: Provenance;
  /** Stamped by this config's own define, interrupted between its two steps: safe to complete. */
  interrupted: boolean;
}

/** What `prepareDefine` decided; `commitDefine` carries it out. */
export interface PreparedDefine {
  options: DefineOptions;
  name: string;
  uuid: string | undefined;
  stateDir: string;
  current: Current | undefined;
  /** The XML to define, stamped (libvirt's hash comes in the second define). */
  planned: XmlElement;
  stamp: Stamp;
  /** The config's side of the next merge's base: the generated XML with UUID and MACs. */
  generated: XmlElement;
  merge?: MergeSummary;
  /** Unchanged, and no base to say what the last define kept: run the survival check again. */
  recheck: boolean;
  action: DefineResult['action'];
  /** The real run refuses (only set in a dry run: a real run throws instead). */
  blocked: boolean;
  warnings: string[];
}

export async function defineDomain(options: DefineOptions): Promise<DefineResult> {
  return commitDefine(await prepareDefine(options));
}

/**
 * Reads libvirt and decides; writes nothing. Throws the refusals (ownership, hand edit, foreign
 * domain) unless --force; in a dry run they come back as `blocked` instead.
 */
export async function prepareDefine(options: DefineOptions): Promise<PreparedDefine> {
  const { backend } = options;
  const generated = withoutStamp(parseGenerated(options.xml));
  const name = nameOf(generated);
  const stateDir = options.stateDir ?? defaultStateDir();
  const current = await readCurrent(backend, name, options.configPath);
  const uuid = chooseUuid(generated, name, current?.info);
  const stamp: Stamp = {
    config: options.configPath,
    version: options.version ?? VERSION,
    generated: domainHash(generated),
  };
  const identified = uuid === undefined ? generated : withUuid(generated, uuid);
  const owned = ownershipRefusal(current, options);
  // --force always defines the config alone: it overwrites edits an earlier merge kept, too.
  const unchanged = !options.force && isUnchanged(current, stamp);
  const merge =
    mergeable(current, options) && !owned && !unchanged
      ? await mergeWithBase(current, identified, stateDir, options.resolve)
      : undefined;
  const record = merge?.generated ?? (current ? keepMadeUp(identified, current.el) : identified);
  const planned = withStamp(merge?.result.merged ?? record, stamp);
  const action = !current ? 'created' : unchanged ? 'unchanged' : 'updated';
  const refusal =
    unchanged || options.force
      ? undefined
      : (owned ??
        (merge
          ? conflictRefusal(name, merge, options.resolve)
          : await refusalOf(current, planned, stateDir)));
  if (refusal && !options.dryRun) throw refusal;
  const warnings = current?.interrupted
    ? [`the last define of '${name}' from this config was interrupted; this one completes it`]
    : [];
  // An unchanged domain merged before holds kept edits where the config says otherwise: what
  // libvirt did not keep was checked at that define. Without a base, check against libvirt now.
  const recheck =
    !!current && unchanged && !(await trustedBase(stateDir, current.info.uuid, current.stamp?.libvirt));
  return {
    ...{
      options,
      name,
      uuid,
      stateDir,
      current,
      planned,
      stamp,
      generated: record,
      action,
      warnings,
      recheck,
    },
    ...(merge ? { merge: summary(merge, options.resolve) } : {}),
    blocked: !!refusal,
  };
}

/** Carries out a prepared define; a dry run or an unchanged domain only reports. */
export async function commitDefine(p: PreparedDefine): Promise<DefineResult> {
  if (p.options.dryRun || p.action === 'unchanged') return report(p);
  return replace(p);
}

/**
 * A domain virt-gen defined (edited since or not) is merged with the config when the base of its
 * last define is known: what the config cannot say (an adopted VM's extras, a hand edit) stays.
 * --force skips the merge: the config's XML replaces everything.
 */
function mergeable(current: Current | undefined, options: DefineOptions): current is Current {
  return !options.force && (current?.provenance === 'hand-edited' || current?.provenance === 'virt-gen');
}

/** A domain another config's stamp names is that config's. */
function ownershipRefusal(current: Current | undefined, options: DefineOptions): Error | undefined {
  const owner = current?.stamp?.config;
  if (!current || owner === undefined || owner === options.configPath) return undefined;
  return new OwnershipError(current.info.name, owner, options.configPath);
}

/** Why this run must not replace the current domain (no merge possible), or undefined. */
async function refusalOf(
  current: Current | undefined,
  planned: XmlElement,
  stateDir: string,
): Promise<Error | undefined> {
  if (!current || current.provenance === 'virt-gen' || current.interrupted) return undefined;
  return refusal(current, planned, stateDir);
}

/** Backup, define (twice), keep the base records, and check what survived. */
async function replace(p: PreparedDefine): Promise<DefineResult> {
  const { options, name, current, stateDir } = p;
  const backupPath = current
    ? await writeBackup(options.backupDir ?? join(stateDir, 'backups'), name, current.xml)
    : undefined;
  const outcome = await defineStamped(options.backend, p, stateDir);
  const warnings = [...p.warnings, ...outcome.warnings, ...runningWarning(current)];
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
    ...(p.merge ? { merge: p.merge } : {}),
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

async function readCurrent(backend: Backend, name: string, config: string): Promise<Current | undefined> {
  const info = await backend.lookup(name);
  if (!info) return undefined;
  const xml = await backend.getXml(name, READ_BACK);
  const el = parseXml(xml);
  const stamp = readStamp(el);
  const provenance = provenanceOf(el, stamp);
  return {
    info,
    xml,
    el,
    stamp,
    provenance,
    interrupted: provenance === 'unverifiable' && stamp?.config === config,
  };
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

/** Same generated content from the same config, and nobody touched libvirt's copy since. */
function isUnchanged(current: Current | undefined, stamp: Stamp): boolean {
  return (
    current?.provenance === 'virt-gen' &&
    current.stamp?.generated === stamp.generated &&
    current.stamp.config === stamp.config
  );
}

async function refusal(current: Current, planned: XmlElement, stateDir: string): Promise<HandEditError> {
  const name = current.info.name;
  const diff = xmlDiff(current.xml, planned, `${name} (defined now)`, `${name} (virt-gen would define)`);
  const editDiff = current.provenance === 'hand-edited' ? await editDiffOf(current, stateDir) : undefined;
  return new HandEditError(name, current.provenance as RefusalReason, diff, editDiff);
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
 * which the hash leaves out, so libvirt's copy hashes the same after it. The base records are
 * written between the two: a run killed at any point leaves either the old state, a stamp without
 * libvirt's hash from this config (the next run completes it), or the finished define.
 */
async function defineStamped(
  backend: Backend,
  { planned, stamp, generated }: PreparedDefine,
  stateDir: string,
): Promise<Outcome> {
  const first = await backend.define(writeXml(planned), { validate: true });
  await pauseForTest('first-define');
  const readBack = parseXml(await backend.getXml(first.name, READ_BACK));
  // What libvirt made up in the first define (UUID, MACs) must not be made up anew in the second.
  const same = keepMadeUp(withUuid(planned, first.uuid), readBack);
  const defined = withStamp(same, { ...stamp, libvirt: domainHash(readBack) });
  const warnings: string[] = [];
  try {
    const record = keepMadeUp(withUuid(generated, first.uuid), readBack);
    await writeBase(stateDir, first.uuid, { libvirt: writeXml(readBack), generated: writeXml(record) });
  } catch (err) {
    warnings.push(`could not keep the base of the next merge in ${stateDir} (${String(err)})`);
  }
  // libvirt validates this define too where it can. A separate schema check (D-Bus without the
  // flag) is not run again: what this document adds to the first, checked one is libvirt's own
  // UUID, MACs and genid, read back from it, and the stamp inside <metadata>, where libvirt's schema
  // takes any namespaced element; the hash comparison below sees anything libvirt would drop.
  const second = await backend.define(writeXml(defined), { validate: true, schemaCheck: false });
  await pauseForTest('stamp-define');
  const readBackXml = await backend.getXml(second.name, READ_BACK);
  if (domainHash(parseXml(readBackXml)) !== domainHash(readBack)) {
    warnings.push(
      'libvirt did not store two identical definitions identically: the next define may take this one for a hand edit',
    );
  }
  return { uuid: second.uuid, defined, readBackXml, warnings };
}

function runningWarning(current: Current | undefined): string[] {
  if (!current?.info.active) return [];
  return [`'${current.info.name}' is running: the new definition takes effect when it is next started`];
}

/** A dry run, or a real run with nothing to do: libvirt is not touched either way. */
function report(p: PreparedDefine): DefineResult {
  const { options, name, uuid, current, planned, action } = p;
  // With nothing to define, the survival check runs against what virt-gen defined last time.
  const lost = p.recheck && current ? findLost(withoutStamp(planned), withoutStamp(current.el)) : [];
  return {
    action,
    dryRun: options.dryRun === true,
    name,
    ...(uuid ? { uuid } : {}),
    provenance: current?.provenance ?? 'new',
    blocked: p.blocked,
    xml: writeXml(planned),
    diff:
      action === 'unchanged'
        ? ''
        : xmlDiff(current?.xml, planned, `${name} (defined now)`, `${name} (to define)`),
    lost,
    warnings: p.warnings,
    ...(p.merge ? { merge: p.merge } : {}),
  };
}
