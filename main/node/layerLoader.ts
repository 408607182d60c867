/**
 * `neurowire-layers.js` and `neurowire-layers.mjs`: Neurowire's own layer classes (main/core/layers/custom) bundled
 * from their one source into files an export folder carries, so that stock TensorFlow.js loads a model that uses
 * them with nothing but the export folder (see main/core/layers/custom/standalone.ts for how each file is used).
 *
 * Run from TypeScript (tsx, vitest) the files are bundled on first use; the build (scripts/build-node.mjs) bundles
 * them once into dist/layer-loader/, where the desktop app, which has no bundler, reads them.
 */
import fs from 'node:fs';
import path from 'node:path';
import { CUSTOM_LAYERS } from '../core/layers/custom';

/** Folder under dist/ with the built loader files. */
export const LAYER_LOADER_DIR = 'layer-loader';
/** The classic script (registers on the page's global `tf`) and the ES module (exports `registerNeurowireLayers`). */
export const LAYER_LOADER_SCRIPT = 'neurowire-layers.js';
export const LAYER_LOADER_MODULE = 'neurowire-layers.mjs';

/** Bundles the loader files from the sources under `mainDir` (the repository's main/). Needs esbuild: build time only. */
export async function bundleLayerLoader(mainDir: string): Promise<Record<string, string>> {
  const { build } = await import('esbuild');
  const bundle = async (format: 'iife' | 'esm'): Promise<string> => {
    const result = await build({
      entryPoints: [path.join(mainDir, 'core/layers/custom/standalone.ts')],
      bundle: true,
      write: false,
      format,
      // The classic script also exposes `neurowireLayers.registerNeurowireLayers` for a tf that is not global.
      ...(format === 'iife' ? { globalName: 'neurowireLayers' } : {}),
      platform: 'neutral',
      target: 'es2020',
      legalComments: 'none',
      logLevel: 'silent',
    });
    const header = `// Neurowire's own TensorFlow.js layer classes (${CUSTOM_LAYERS.map((l) => l.className).join(', ')}), registered for tf.loadLayersModel.\n`;
    return header + result.outputFiles[0].text;
  };
  return { [LAYER_LOADER_SCRIPT]: await bundle('iife'), [LAYER_LOADER_MODULE]: await bundle('esm') };
}

let cached: Promise<Record<string, string>> | undefined;

/** The loader files by name: bundled now when running from sources, else the build's copy. */
export function layerLoaderFiles(): Promise<Record<string, string>> {
  if (!cached) {
    cached =
      path.extname(__filename) === '.ts'
        ? bundleLayerLoader(path.resolve(__dirname, '..'))
        : Promise.resolve(readBuiltLoader(path.resolve(__dirname, '../..', LAYER_LOADER_DIR)));
    cached.catch(() => (cached = undefined));
  }
  return cached;
}

function readBuiltLoader(dir: string): Record<string, string> {
  return Object.fromEntries([LAYER_LOADER_SCRIPT, LAYER_LOADER_MODULE].map((name) => [name, fs.readFileSync(path.join(dir, name), 'utf8')]));
}

/** Writes the loader files into `targetDir` (the build's dist/layer-loader/). */
export async function writeLayerLoader(mainDir: string, targetDir: string): Promise<string[]> {
  const files = await bundleLayerLoader(mainDir);
  fs.mkdirSync(targetDir, { recursive: true });
  for (const [name, text] of Object.entries(files)) fs.writeFileSync(path.join(targetDir, name), text);
  return Object.keys(files);
}

/** The custom layer class names a model topology (model.json's modelTopology) uses, nested layers included. */
export function customClassesIn(topology: unknown): string[] {
  const known = new Set(CUSTOM_LAYERS.map((l) => l.className));
  const found = new Set<string>();
  const visit = (value: unknown): void => {
    if (Array.isArray(value)) value.forEach(visit);
    else if (value && typeof value === 'object') {
      const record = value as Record<string, unknown>;
      if (typeof record.class_name === 'string' && known.has(record.class_name)) found.add(record.class_name);
      Object.values(record).forEach(visit);
    }
  };
  visit(topology);
  return [...found].sort();
}
