// Shared Playwright fixtures: every test fails on a console error or an uncaught page error,
// and `shot` writes a named screenshot as a test artifact. Also page helpers the specs share.
import { createServer, type Server } from 'node:http';
import { readFile } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import { extname, join, normalize } from 'node:path';
import { expect, test as base, type Locator, type Page } from '@playwright/test';

export interface LooplabFixtures {
  /** Console errors and page errors seen so far (the test fails if any remain at its end). */
  consoleErrors: string[];
  /** Saves a screenshot of the page, or of one element, under the test's output folder. */
  shot: (name: string, target?: Locator) => Promise<void>;
}

export function collectErrors(page: Page): string[] {
  const errors: string[] = [];
  page.on('console', (message) => {
    if (message.type() === 'error') errors.push(`console.error: ${message.text()}`);
  });
  page.on('pageerror', (error) => errors.push(`pageerror: ${error.message}`));
  return errors;
}

export const test = base.extend<LooplabFixtures>({
  consoleErrors: [
    async ({ page }, use) => {
      const errors = collectErrors(page);
      await use(errors);
      expect(errors, 'console errors during the test').toEqual([]);
    },
    { auto: true },
  ],
  shot: async ({ page }, use, testInfo) => {
    await use(async (name, target) => {
      const path = testInfo.outputPath(`${name}.png`);
      if (target) await target.screenshot({ path });
      else await page.screenshot({ path, fullPage: true });
      await testInfo.attach(name, { path, contentType: 'image/png' });
    });
  },
});

/**
 * The refined GFLOPS the performance panel shows for the schedule on screen (the quick figure
 * before it is provisional and is replaced).
 */
export async function measuredGflops(page: Page): Promise<number> {
  const gflops = page.getByTestId('gflops');
  const expected = (await page.getByTestId('schedule').textContent()) ?? '';
  let value = NaN;
  await expect
    .poll(
      async () => {
        if ((await gflops.getAttribute('data-schedule')) !== expected) return false;
        if ((await gflops.getAttribute('data-stage')) !== 'refined') return false;
        const text = await gflops.getAttribute('data-value');
        value = text ? Number(text) : NaN;
        return Number.isFinite(value) && value > 0;
      },
      { timeout: 60_000 },
    )
    .toBe(true);
  return value;
}

/** The folder of the build the tests run against. */
export function builtPage(): string {
  return join(process.cwd(), process.env.LOOPLAB_DIST ?? 'dist');
}

const TYPES: Record<string, string> = {
  '.html': 'text/html',
  '.js': 'text/javascript',
  '.css': 'text/css',
  '.wasm': 'application/wasm',
  '.json': 'application/json',
  '.webmanifest': 'application/manifest+json',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.csv': 'text/csv',
};

/**
 * Serves a folder as a plain static site: no COOP/COEP headers, so a page is not cross-origin
 * isolated unless its service worker adds them. `root` may change between requests (a new build
 * deployed); `extra` serves more paths (e.g. a page that embeds looplab).
 */
export async function serveWithoutIsolation(
  root: string | (() => string),
  extra: Record<string, string> = {},
): Promise<{ server: Server; url: string }> {
  const server = createServer(async (req, res) => {
    const path = normalize(decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname));
    const dir = typeof root === 'string' ? root : root();
    const file = extra[path] ?? join(dir, path === '/' ? 'index.html' : path);
    try {
      const body = await readFile(file);
      res.writeHead(200, { 'Content-Type': TYPES[extname(file)] ?? 'application/octet-stream' });
      res.end(body);
    } catch {
      res.writeHead(404);
      res.end();
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}` };
}

export { expect };
