/**
 * virt-gen's public API: what `import … from 'virt-gen'` gives a config file.
 */
export { defineVm } from './config/define.js';
export type * from './config/types.js';

declare global {
  /**
   * What virt-gen's config loader gives a config module, so that a config can find files next to
   * itself (`new URL('./vm.xml', import.meta.url)`, `path.join(import.meta.dirname, 'rom.bin')`)
   * and type-check without @types/node in the config's folder.
   */
  interface ImportMeta {
    /** The config file's `file:` URL. */
    url: string;
    /** The config file's folder. */
    dirname: string;
    /** The config file's absolute path. */
    filename: string;
  }
}
