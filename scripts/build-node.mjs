// Transpiles the engine (main/) and the desktop shell (electron/) to CommonJS under dist/,
// file by file, so that relative layouts (e.g. the training worker beside its launcher) stay the same.
import { build } from 'esbuild';
import { readdirSync, statSync } from 'node:fs';
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
console.log('Built engine and desktop shell into dist/');
