import { defineConfig } from 'vite';
import react from '@vitejs/plugin-react';
import { offlineServiceWorker } from './scripts/offline/vitePlugin.ts';

// COOP + COEP make the page cross-origin isolated: SharedArrayBuffer and 5 us timers
// (performance.now) for timing kernels in the worker.
const isolationHeaders = {
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cross-Origin-Embedder-Policy': 'require-corp',
};

export default defineConfig({
  // The service worker makes the built page work offline and isolated on any static host (docs/playground.md).
  plugins: [react(), offlineServiceWorker()],
  server: {
    port: 5173,
    strictPort: true,
    headers: isolationHeaders,
  },
  preview: {
    port: 4173,
    strictPort: true,
    headers: isolationHeaders,
  },
  // The Emscripten ES module (and its `new URL('x.wasm', import.meta.url)`) is imported from a worker.
  worker: {
    format: 'es',
  },
  build: {
    // Top-level await and modern wasm APIs.
    target: 'es2022',
    // Separate output folders let several builds (e.g. parallel e2e runs) coexist.
    outDir: process.env.LOOPLAB_DIST ?? 'dist',
    // bench.html: the kernel worker alone, for `npm run bench -- --engine chromium`.
    rolldownOptions: { input: { index: 'index.html', bench: 'bench.html' } },
  },
});
