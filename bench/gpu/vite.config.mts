import { defineConfig } from 'vite';
import { fileURLToPath } from 'node:url';

// The browser GPU bench page (bench/gpu/page.ts) as one ES module bundle; bench/gpu/chromium.ts passes --outDir.
export default defineConfig({
  root: fileURLToPath(new URL('../..', import.meta.url)),
  logLevel: 'error',
  define: { 'process.env.NODE_ENV': JSON.stringify('production') },
  build: {
    emptyOutDir: true,
    minify: false,
    lib: { entry: fileURLToPath(new URL('./page.ts', import.meta.url)), formats: ['es'], fileName: () => 'page.js' },
  },
});
