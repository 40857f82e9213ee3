/**
 * Validation and defaults of the config fields for the small platform devices a guest OS asks for:
 * the TPM (Windows 11) and the entropy source. Each is `true` for the best-practice device, or an
 * object when a command line or an older guest needs another.
 */
import type { RngConfig, TpmConfig } from '../types.js';
import type { ResolvedVm } from '../resolved.js';
import { Issues, type Obj } from '../issues.js';
import { DEFAULTS } from '../defaults.js';
import { TPM_MODELS, TPM_VERSIONS } from '../vocabulary.js';

export function resolveTpm(issues: Issues, value: unknown): ResolvedVm['tpm'] {
  if (value === undefined || value === false) return false;
  if (value === true) return { ...DEFAULTS.tpmDevice };
  if (!issues.object('tpm', value)) return false;
  const t = value as TpmConfig & Obj;
  issues.unknownKeys('tpm', t, ['model', 'version']);
  const model = issues.oneOf('tpm.model', t.model, TPM_MODELS) ?? DEFAULTS.tpmDevice.model;
  const version = issues.oneOf('tpm.version', t.version, TPM_VERSIONS) ?? DEFAULTS.tpmDevice.version;
  if (model === 'crb' && version !== '2.0') {
    issues.add('tpm.version', `"${version}" needs model "tis" (the CRB interface is TPM 2.0 only)`);
  }
  return { model, version };
}

/** `'builtin'` is QEMU's own generator (rng-builtin); anything else is a host device read by QEMU. */
export function resolveRng(issues: Issues, value: unknown): ResolvedVm['rng'] {
  if (value === undefined || value === false) return false;
  if (value === true) return { source: DEFAULTS.rngSource };
  if (!issues.object('rng', value)) return false;
  const r = value as RngConfig & Obj;
  issues.unknownKeys('rng', r, ['source']);
  if (r.source === 'builtin') return { source: 'builtin' };
  const source = issues.absolutePath('rng.source', r.source);
  return { source: source ?? DEFAULTS.rngSource };
}
