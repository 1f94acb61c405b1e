import { defineConfig } from '@playwright/test';
import { CHROMIUM_ARGS, CHROMIUM_PATH } from './scripts/chromium.ts';

// Tests run against the production build (`npm run test:e2e` builds first) served by
// `vite preview`, in Debian's Chromium: Playwright never downloads a browser here.
const port = Number(process.env.LOOPLAB_E2E_PORT ?? 4173);

export default defineConfig({
  testDir: 'e2e',
  outputDir: process.env.LOOPLAB_E2E_RESULTS ?? 'test-results',
  workers: 1,
  fullyParallel: false,
  forbidOnly: !!process.env.CI,
  retries: 0,
  // Measuring kernels in the worker (generate, check, warm up, time) takes a few seconds.
  timeout: 120_000,
  expect: { timeout: 60_000 },
  reporter: process.env.CI ? [['list'], ['html', { open: 'never' }]] : [['list']],
  use: {
    baseURL: `http://localhost:${port}`,
    browserName: 'chromium',
    headless: true,
    screenshot: 'only-on-failure',
    trace: 'retain-on-failure',
    launchOptions: {
      executablePath: CHROMIUM_PATH,
      args: CHROMIUM_ARGS,
    },
  },
  webServer: {
    command: `npx vite preview --strictPort --port ${port}`,
    url: `http://localhost:${port}`,
    reuseExistingServer: false,
    timeout: 60_000,
    stdout: 'pipe',
    stderr: 'pipe',
  },
});
