// Transpiles the engine (main/) and the desktop shell (electron/) to CommonJS under dist/,
// file by file, so that relative layouts (e.g. the training worker beside its launcher) stay the same.
// Then copies the TypeScript modules a generated project ships (main/node/projectSources.ts) to
// dist/project-sources/, where the built engine reads them: an installed app has no main/.
import { build } from 'esbuild';
import { readdirSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';

function tsFiles(dir) {
  const out = [];
  for (const name of readdirSync(dir)) {
    const full = path.join(dir, name);
    if (statSync(full).isDirectory()) out.push(...tsFiles(full));
    else if (name.endsWith('.ts') && !name.endsWith('.d.ts') && !name.endsWith('.test.ts')) out.push(full);
  }
  return out;
}

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
// The built module itself finds what to copy, so the build and the export agree on the list.
const { copyProjectSources, PROJECT_SOURCES_DIR } = createRequire(import.meta.url)(path.resolve('dist/main/node/projectSources.js'));
const shipped = copyProjectSources(path.resolve('main'), path.resolve('dist', PROJECT_SOURCES_DIR));
console.log(`Built engine and desktop shell into dist/, and copied the ${shipped.length} modules generated projects ship.`);
