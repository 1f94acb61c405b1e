import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    environment: 'node',
    include: ['src/**/*.test.ts', 'scripts/**/*.test.ts'],
    exclude: ['e2e/**', 'node_modules/**', 'dist/**'],
    // Property tests generate, compile and run many kernels.
    testTimeout: 120_000,
    hookTimeout: 120_000,
    // Node 20 validates relaxed SIMD only behind a flag; test workers need it too.
    execArgv: ['--experimental-wasm-relaxed-simd'],
  },
});
