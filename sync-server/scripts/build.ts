/**
 * The production build of the sync server: one ES module, dist/main.js, run with plain `node`.
 * @duet/shared (TypeScript source in the workspace) is compiled into it; every dependency of the
 * server stays an import of its package, resolved from node_modules at run time (so native and
 * file-loading packages such as PGlite, pg-boss and node-pg-migrate work unchanged).
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const serverDir = fileURLToPath(new URL('..', import.meta.url));
const manifest = JSON.parse(readFileSync(path.join(serverDir, 'package.json'), 'utf8')) as {
  dependencies: Record<string, string>;
  devDependencies: Record<string, string>;
};
// stopwords-iso's entry point is a JSON file, which Node's ESM loader imports only with an import
// attribute: esbuild inlines it instead.
const bundled = new Set(['@duet/shared', 'stopwords-iso']);
// Dev dependencies stay external too: the server only loads one (pino-pretty) and only when asked to.
const external = [...Object.keys(manifest.dependencies), ...Object.keys(manifest.devDependencies)].filter((name) => !bundled.has(name));

const result = await build({
  entryPoints: [path.join(serverDir, 'src', 'main.ts')],
  outfile: path.join(serverDir, 'dist', 'main.js'),
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  external,
  sourcemap: true,
  // Bundled CommonJS (none today) would need `require`; ESM output has none, so give it one.
  banner: {
    js: "import { createRequire as __duetCreateRequire } from 'node:module'; const require = __duetCreateRequire(import.meta.url);",
  },
  logLevel: 'warning',
  metafile: true,
});
const bytes = Object.values(result.metafile.outputs).reduce((sum, output) => sum + output.bytes, 0);
process.stdout.write(`sync-server built: dist/main.js (${Math.round(bytes / 1024)} KiB with its source map)\n`);
