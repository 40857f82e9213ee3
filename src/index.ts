/**
 * virt-gen's public API: what `import … from 'virt-gen'` gives a config file.
 */
export { defineVm } from './config/define.js';
export type * from './config/types.js';
