/**
 * Loading a heavy CommonJS dependency with V8's code cache.
 *
 * xmlbuilder2 is a whole DOM implementation: compiling and initialising it is ~17 ms of every
 * `virt-gen xml`, a third of Node's own start. Node 20 has no compile cache for modules
 * (module.enableCompileCache arrived in Node 22), so the build bundles such a dependency into
 * dist/vendor/NAME.cjs and this loader compiles it with `vm.Script` and V8's cached data, stored
 * beside it (NAME.cjs.v8cache). With the cache it loads in ~4 ms. A cache from another Node
 * version is rejected by V8 and rewritten; without the vendor bundle (tests, `tsc` builds) the
 * package is required normally.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import vm from 'node:vm';
import { packageRoot } from './package-root.js';

const require = createRequire(import.meta.url);

export function loadVendor<T>(name: string): T {
  const file = path.join(packageRoot(), 'dist', 'vendor', `${name}.cjs`);
  if (!existsSync(file)) return require(name) as T;
  const cacheFile = `${file}.v8cache`;
  const cachedData = existsSync(cacheFile) ? readFileSync(cacheFile) : undefined;
  const script = new vm.Script(`(function (exports, require, module) {${readFileSync(file, 'utf8')}\n})`, {
    filename: file,
    ...(cachedData ? { cachedData } : {}),
  });
  const mod = { exports: {} as T };
  (script.runInThisContext() as (e: T, r: NodeJS.Require, m: { exports: T }) => void)(
    mod.exports,
    require,
    mod,
  );
  if (!cachedData || script.cachedDataRejected) {
    // Written at exit, so the functions this run compiled lazily are in the cache too.
    process.once('exit', () => saveCache(cacheFile, script));
  }
  return mod.exports;
}

function saveCache(file: string, script: vm.Script): void {
  try {
    writeFileSync(file, script.createCachedData());
  } catch {
    // A read-only install only loses speed.
  }
}
