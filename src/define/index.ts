/** `virt-gen define`'s safety logic: the orchestrator and the pieces it is made of. */
export {
  defineDomain,
  DefineError,
  HandEditError,
  type DefineOptions,
  type DefineResult,
  type Provenance,
} from './define.js';
export { readStamp, domainHash, STAMP_NS, type Stamp } from './stamp.js';
export { findLost } from './survival.js';
export { xmlDiff } from './diff.js';
export { defaultStateDir } from './state.js';
