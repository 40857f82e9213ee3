/**
 * Why `define` stops. Each refusal happens before anything is written (host files or libvirt), so
 * each message may say "nothing was changed" and be true.
 */
import { VirtGenError } from '../util/errors.js';

export class DefineError extends VirtGenError {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'DefineError';
  }
}

/** Why an existing domain cannot simply be replaced. */
export type RefusalReason = 'hand-edited' | 'foreign' | 'unverifiable';

/** The domain was changed outside virt-gen (or is not virt-gen's): nothing was changed. */
export class HandEditError extends DefineError {
  constructor(
    readonly domain: string,
    readonly reason: RefusalReason,
    /** libvirt's current definition -> what virt-gen would define. */
    readonly diff: string,
    /** virt-gen's last define -> libvirt's current definition, when the record of it exists. */
    readonly editDiff?: string,
  ) {
    super(handEditMessage(domain, reason));
    this.name = 'HandEditError';
  }
}

const FIX =
  'nothing was changed; run again with --force to overwrite it (the current definition is backed up first)';

function handEditMessage(domain: string, reason: RefusalReason): string {
  switch (reason) {
    case 'hand-edited':
      return `domain '${domain}' was changed since virt-gen defined it (virt-manager, virsh edit?), and virt-gen has no record of its last define to merge with: ${FIX}`;
    case 'foreign':
      return `domain '${domain}' exists and was not defined by virt-gen: ${FIX}, or pick another name, or take it over with \`virt-gen adopt ${domain} --config FILE\``;
    case 'unverifiable':
      return `domain '${domain}' has a virt-gen stamp without libvirt's hash (an interrupted define?): ${FIX}`;
  }
}

/** Another config file defined this domain: a second config of the same name must not take it over. */
export class OwnershipError extends DefineError {
  constructor(
    readonly domain: string,
    readonly owner: string,
    readonly config: string,
  ) {
    super(
      `domain '${domain}' belongs to ${owner} (its virt-gen stamp names that config), not ${config}: ` +
        'nothing was changed; rename the VM in this config, or run with --force to let this config take it over',
    );
    this.name = 'OwnershipError';
  }
}

/** One field changed both in the config and by hand in libvirt, to different values. */
export interface Conflict {
  /** The config's name for it where there is one (`memory`), else an XPath. */
  field: string;
  /** XPath of the element or attribute. */
  path: string;
  config: string;
  edited: string;
}

/** The config and a hand edit disagree: nothing was changed. */
export class MergeConflictError extends DefineError {
  constructor(
    readonly domain: string,
    readonly conflicts: Conflict[],
  ) {
    super(
      `domain '${domain}' was edited in libvirt where the config changed too:\n` +
        conflicts
          .map((c) => `  ${c.field}: config ${c.config}, edited in libvirt to ${c.edited}`)
          .join('\n') +
        '\nnothing was changed; run again with --theirs to keep the edits, --ours to let the config win, ' +
        'or carry the edit into the config',
    );
    this.name = 'MergeConflictError';
  }
}
