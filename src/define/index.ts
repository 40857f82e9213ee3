/** `virt-gen define`'s safety logic: the orchestrator and the pieces it is made of. */
export {
  commitDefine,
  defineDomain,
  prepareDefine,
  type DefineOptions,
  type DefineResult,
  type PreparedDefine,
  type Provenance,
} from './define.js';
export { DefineError, HandEditError, MergeConflictError, OwnershipError, type Conflict } from './errors.js';
export { readStamp, domainHash, STAMP_NS, type Stamp } from './stamp.js';
export { findLost } from './survival.js';
export { xmlDiff } from './diff.js';
export { defaultStateDir, STATE_DIR_ENV } from './state.js';
