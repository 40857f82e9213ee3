/** libvirt access for the rest of virt-gen: open a backend with `openBackend`, then use `Backend`. */
export * from './backend.js';
export * from './errors.js';
export { openBackend, type BackendChoice, type OpenBackendOptions, type OpenedBackend } from './select.js';
