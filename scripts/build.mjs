// Bundles the CLI for fast start-up: one ES module per entry, lazily loaded chunks for commands,
// every dependency inlined (module resolution of hundreds of small files is what makes Node CLIs slow).
import { build } from 'esbuild';

await build({
  entryPoints: { cli: 'src/cli/main.ts', index: 'src/index.ts' },
  outdir: 'dist',
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  sourcemap: 'linked',
  logLevel: 'warning',
  chunkNames: 'chunks/[name]-[hash]',
  // Some CommonJS dependencies call require() for Node built-ins: give the ESM bundle a real one.
  banner: {
    js: "import { createRequire as __vgCreateRequire } from 'node:module'; const require = __vgCreateRequire(import.meta.url);",
  },
});
