// Transpiles the engine (main/) and the desktop shell (electron/) to CommonJS under dist/,
// file by file, so that relative layouts (e.g. the training worker beside its launcher) stay the same,
// compiles the WebAssembly kernels (main/**/*.wat) beside them (<name>.wasm and <name>.shared.wasm), and copies
// the TypeScript modules a generated project ships (main/node/projectSources.ts) to dist/project-sources/,
// where the built engine reads them: an installed app has no main/; and bundles Neurowire's own layer classes into
// dist/layer-loader/ (the neurowire-layers.js/.mjs an export folder carries when its model uses them).
import { build } from 'esbuild';
import { readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';

function filesEndingWith(dir, ext) {
  const out = [];
  for (const name of readdirSync(dir)) {
    const full = path.join(dir, name);
    if (statSync(full).isDirectory()) out.push(...filesEndingWith(full, ext));
    else if (name.endsWith(ext) && !name.endsWith('.d.ts') && !name.endsWith('.test.ts')) out.push(full);
  }
  return out;
}
const tsFiles = (dir) => filesEndingWith(dir, '.ts');

await build({
  entryPoints: [...tsFiles('main'), ...tsFiles('electron')],
  outdir: 'dist',
  outbase: '.',
  bundle: false,
  platform: 'node',
  format: 'cjs',
  target: 'node20',
  sourcemap: true,
  logLevel: 'warning',
});
// The same compiler the TypeScript sources use on first use, from the output just built.
const { compileWat, FMA_MODULES } = createRequire(import.meta.url)(path.resolve('dist/main/node/wasm/compileWat.js'));
const watFiles = filesEndingWith('main', '.wat');
for (const file of watFiles) {
  const source = readFileSync(file, 'utf8');
  const out = path.join('dist', file.slice(0, -'.wat'.length));
  writeFileSync(out + '.wasm', await compileWat(source, file, false));
  writeFileSync(out + '.shared.wasm', await compileWat(source, file, true));
  if (FMA_MODULES.includes(path.basename(out))) {
    writeFileSync(out + '.fma.wasm', await compileWat(source, file, false, true));
    writeFileSync(out + '.fma.shared.wasm', await compileWat(source, file, true, true));
  }
}
// The built module itself finds what to copy, so the build and the export agree on the list.
const { copyProjectSources, PROJECT_SOURCES_DIR } = createRequire(import.meta.url)(path.resolve('dist/main/node/projectSources.js'));
const shipped = copyProjectSources(path.resolve('main'), path.resolve('dist', PROJECT_SOURCES_DIR));
const { writeLayerLoader, LAYER_LOADER_DIR } = createRequire(import.meta.url)(path.resolve('dist/main/node/layerLoader.js'));
await writeLayerLoader(path.resolve('main'), path.resolve('dist', LAYER_LOADER_DIR));
console.log(`Built engine and desktop shell into dist/ (${watFiles.length} WebAssembly kernel modules), and copied the ${shipped.length} modules generated projects ship.`);
