// Bundles the CLI for fast start-up: one ES module per entry, lazily loaded chunks for commands,
// every dependency inlined (module resolution of hundreds of small files is what makes Node CLIs slow).
import { spawnSync } from 'node:child_process';
import { rmSync } from 'node:fs';
import { build } from 'esbuild';

// Chunk names carry content hashes: start clean so stale chunks never pile up.
rmSync('dist', { recursive: true, force: true });

/**
 * commander requires node:child_process at load, for executable subcommands (`git-style`), which
 * virt-gen does not have: loading it (with net, dgram and their internals) was part of every start.
 * Inside commander it becomes an object that requires the module on first use.
 */
const lazyChildProcess = {
  name: 'lazy-child-process-in-commander',
  setup(b) {
    b.onResolve({ filter: /^node:child_process$/ }, (args) =>
      /[\\/]node_modules[\\/]commander[\\/]/.test(args.importer)
        ? { path: 'lazy-child-process', namespace: 'virt-gen-lazy' }
        : undefined,
    );
    b.onLoad({ filter: /.*/, namespace: 'virt-gen-lazy' }, () => ({
      contents:
        "let m; module.exports = new Proxy({}, { get: (_, k) => (m ??= require('node:child_process'))[k] });",
      loader: 'js',
    }));
  },
};

await build({
  // hook: what the libvirt hook virt-gen installs imports (src/hook/main.ts).
  entryPoints: { cli: 'src/cli/main.ts', index: 'src/index.ts', hook: 'src/hook/main.ts' },
  outdir: 'dist',
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  sourcemap: 'linked',
  // Smaller code parses faster at every start; the source map keeps stack traces readable.
  minify: true,
  logLevel: 'warning',
  // jiti loads its babel build from a path relative to itself: keep it a real package import.
  // x11 and usocket are optional requires inside dbus-next (X11 auth, abstract sockets) we never use.
  external: ['jiti', 'x11', 'usocket'],
  chunkNames: 'chunks/[name]-[hash]',
  plugins: [lazyChildProcess],
  // Some CommonJS dependencies call require() for Node built-ins: give the ESM bundle a real one.
  banner: {
    js: "import { createRequire as __vgCreateRequire } from 'node:module'; const require = __vgCreateRequire(import.meta.url);",
  },
});

// Heavy CommonJS dependencies, loaded through V8's code cache by src/util/vendor.ts.
await build({
  entryPoints: { xmlbuilder2: 'xmlbuilder2' },
  outdir: 'dist/vendor',
  outExtension: { '.js': '.cjs' },
  bundle: true,
  format: 'cjs',
  platform: 'node',
  target: 'node20',
  minify: true,
  logLevel: 'warning',
});

// One run writes V8's code cache for the vendor bundles (dist/vendor/*.v8cache), so that the
// user's first command is as fast as the next ones.
const warm = spawnSync(process.execPath, ['bin/virt-gen', 'xml', 'examples/minimal.ts'], { stdio: 'ignore' });
if (warm.status !== 0) throw new Error('bin/virt-gen xml examples/minimal.ts failed after the build');
