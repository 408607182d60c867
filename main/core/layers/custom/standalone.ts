/**
 * The entry of `neurowire-layers.js` / `.mjs`, written into an export folder whose model uses Neurowire's own layer
 * classes, so that stock TensorFlow.js can load it with nothing else: bundled from this folder alone (no tfjs
 * inside; it uses the tfjs it is given).
 *   Browser: <script src="tf.min.js"></script><script src="neurowire-layers.js"></script> registers on `window.tf`.
 *   Modules: import { registerNeurowireLayers } from './neurowire-layers.mjs'; registerNeurowireLayers(tf);
 */
import type { Tf } from './define';
import { registerCustomLayers } from './index';

/** Registers every Neurowire layer class with `tf` for `tf.loadLayersModel`; returns their class names. */
export function registerNeurowireLayers(tf: Tf): string[] {
  return [...registerCustomLayers(tf).keys()];
}

// Loaded as a classic script after tf.min.js: register with the page's tf at once.
const pageTf = (globalThis as { tf?: Tf }).tf;
if (pageTf?.serialization) registerNeurowireLayers(pageTf);
