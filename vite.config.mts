import { defineConfig } from 'vite';
import react from '@vitejs/plugin-react';
import { fileURLToPath } from 'node:url';

// The renderer is one static bundle: Electron loads it from disk, `npm run serve` hosts it over HTTP.
export default defineConfig({
  root: 'renderer',
  base: './',
  plugins: [react()],
  build: {
    outDir: '../dist/renderer',
    emptyOutDir: true,
    chunkSizeWarningLimit: 2000,
    // Second page: the desktop app's hidden GPU compute window (electron/computeWindow.ts).
    rollupOptions: {
      input: { main: fileURLToPath(new URL('./renderer/index.html', import.meta.url)), compute: fileURLToPath(new URL('./renderer/compute.html', import.meta.url)) },
    },
  },
});
