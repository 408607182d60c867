import { defineConfig } from 'vite';
import react from '@vitejs/plugin-react';

// The renderer is one static bundle: Electron loads it from disk, `npm run serve` hosts it over HTTP.
export default defineConfig({
  root: 'renderer',
  base: './',
  plugins: [react()],
  build: {
    outDir: '../dist/renderer',
    emptyOutDir: true,
    chunkSizeWarningLimit: 2000,
  },
});
