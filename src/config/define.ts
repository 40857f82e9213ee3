import type { VmConfig } from './types.js';

/**
 * Declares a VM. It returns the config unchanged: its value is the type, which gives the editor
 * completion and documentation for every field.
 *
 * @example
 * import { defineVm } from 'virt-gen';
 * export default defineVm({ name: 'gaming', memory: '16 GiB', cpu: { cores: 4, threads: 2 } });
 */
export function defineVm(config: VmConfig): VmConfig {
  return config;
}
