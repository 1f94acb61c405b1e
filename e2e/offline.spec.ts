// The built page offline and on a static host: after one visit its service worker has cached the
// whole build, so with the network off a reload still shows the nest, measures kernels, runs a
// lesson and lets the agent propose; the page is installable (manifest, icons, worker); and on a
// host that sends no COOP/COEP headers the worker adds them, so the page, reloaded once under it,
// is cross-origin isolated and offers threads. A new build deployed is what the next load shows, and a
// page of the old build says that a new version is installed.
import { cp, mkdtemp, readdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Page } from '@playwright/test';
import { builtPage, expect, measuredGflops, serveWithoutIsolation, test } from './fixtures';

const schedule = (page: Page) => page.getByTestId('schedule');

/** Waits until the service worker controls the page (it has cached the build by then). */
async function underServiceWorker(page: Page) {
  await expect
    .poll(() => page.evaluate(() => navigator.serviceWorker.controller !== null), { timeout: 60_000 })
    .toBe(true);
}

test('after one visit the page works offline: the nest, a measured kernel, a lesson, the agent', async ({
  page,
  context,
}) => {
  await page.goto('/#preset=matmul-64');
  await expect(schedule(page)).toHaveText('m:64 n:64 k:64');
  await underServiceWorker(page);
  // Installable: Chromium finds a manifest with icons, a start URL and a worker; its one objection
  // is to Playwright's context (every test context is incognito, where nothing installs).
  const cdp = await context.newCDPSession(page);
  const { installabilityErrors } = (await cdp.send('Page.getInstallabilityErrors')) as {
    installabilityErrors: { errorId: string }[];
  };
  expect(installabilityErrors.map((e) => e.errorId)).toEqual(['in-incognito']);
  const manifest = (await cdp.send('Page.getAppManifest')) as { errors: unknown[]; data?: string };
  expect(manifest.errors).toEqual([]);
  expect(JSON.parse(manifest.data ?? '{}')).toMatchObject({ short_name: 'looplab', display: 'standalone' });
  // (A CDP session left open keeps Playwright's offline emulation from reaching the page.)
  await cdp.detach();

  await context.setOffline(true);
  await page.reload();
  await expect(schedule(page)).toHaveText('m:64 n:64 k:64');
  expect(await page.evaluate(() => navigator.onLine)).toBe(false);
  await expect(page.getByTestId('cross-origin-isolated')).toHaveAttribute('data-value', 'true');
  // The nest works and a kernel is generated, checked and timed.
  await page.keyboard.press('ArrowDown');
  await page.keyboard.press('Shift+ArrowDown');
  await expect(schedule(page)).toHaveText('m:64 k:64 n:64');
  expect(await measuredGflops(page)).toBeGreaterThan(0);
  await expect(page.getByTestId('correct')).toHaveAttribute('data-correct', 'true');

  // The agent (its cost model, then its search) proposes a schedule.
  const agent = page.getByTestId('agent-panel');
  await agent.getByTestId('agent-drive').click();
  await expect(agent.getByTestId('agent-run')).toHaveAttribute('data-status', 'done', { timeout: 90_000 });
  await expect(agent.getByTestId('agent-run')).toHaveAttribute('data-method', 'agent');
  // Its answer: a path of at least one step to the fastest schedule it measured, in the history.
  await expect(agent.getByTestId('agent-summary')).toHaveAttribute('data-best-index', /^[1-9]\d*$/);
  await expect.poll(() => decodeURIComponent(page.url())).toMatch(/a=.*agent:/);
  // LoopTune's policy (model.json + weights.bin) loads and rolls out too.
  await agent.getByTestId('agent-method').selectOption('looptune');
  await agent.getByTestId('agent-drive').click();
  await expect(agent.getByTestId('agent-policy')).toHaveAttribute('data-status', 'ready', { timeout: 90_000 });
  await expect(agent.getByTestId('agent-run')).toHaveAttribute('data-status', 'done', { timeout: 90_000 });

  // A lesson, opened with the network still off, marks a task done from the real state.
  await page.goto('/?lesson=loop-order');
  await expect(page.getByTestId('lesson-title')).toHaveText('Loop order and stride');
  await expect(schedule(page)).toHaveText('m:256 n:256 k:256');
  await page.keyboard.press('ArrowDown');
  await page.keyboard.press('Shift+ArrowDown');
  await expect(page.getByTestId('lesson-task-b-stride-1')).toHaveAttribute('data-done', 'true');
  expect(await measuredGflops(page)).toBeGreaterThan(0);
});

test('on a host without COOP/COEP the service worker makes the page isolated: threads are offered', async ({
  page,
  context,
}) => {
  const { server, url } = await serveWithoutIsolation(builtPage());
  try {
    await page.goto(`${url}/#preset=matmul-128`);
    // The first load is as the host served it; the page reloads once under its worker.
    await expect(page.getByTestId('cross-origin-isolated')).toHaveAttribute('data-value', 'true', {
      timeout: 60_000,
    });
    expect(await page.evaluate(() => crossOriginIsolated && navigator.serviceWorker.controller !== null)).toBe(true);
    await expect(page.getByTestId('threads-off')).toHaveCount(0);
    await page.getByTestId('threads-select').selectOption('2');
    await page.keyboard.press('p');
    await expect(schedule(page)).toHaveText('||m:128 n:128 k:128');
    await measuredGflops(page);
    await expect(page.getByTestId('threads-figure')).toHaveText('on 2 threads');
    await expect(page.getByTestId('correct')).toHaveAttribute('data-correct', 'true');

    // Offline on that host too, still isolated.
    await context.setOffline(true);
    await page.reload();
    await expect(page.getByTestId('cross-origin-isolated')).toHaveAttribute('data-value', 'true');
    await expect(schedule(page)).toHaveText('||m:128 n:128 k:128');
  } finally {
    await new Promise((resolve) => server.close(resolve));
  }
});

/**
 * A second build made from the first, as a new deployment looks to the browser: the entry script
 * has another name (its content hash changed) and the service worker another version.
 */
async function nextBuild(from: string): Promise<{ dir: string; entry: string }> {
  const dir = await mkdtemp(join(tmpdir(), 'looplab-next-build-'));
  await cp(from, dir, { recursive: true });
  const html = await readFile(join(dir, 'index.html'), 'utf8');
  const entry = /assets\/(index-[^"]+)\.js/.exec(html)?.[1];
  if (!entry) throw new Error('the build has no entry script in index.html');
  const next = `${entry}-next`;
  await rename(join(dir, 'assets', `${entry}.js`), join(dir, 'assets', `${next}.js`));
  for (const file of ['index.html', 'sw.js', ...(await readdir(join(dir, 'assets'))).map((f) => `assets/${f}`)]) {
    if (!/\.(html|js)$/.test(file)) continue;
    const text = await readFile(join(dir, file), 'utf8');
    let changed = text.replaceAll(`${entry}.js`, `${next}.js`);
    if (file === 'sw.js') changed = changed.replace(/const VERSION = "([0-9a-f]+)"/, 'const VERSION = "$1next"');
    if (changed !== text) await writeFile(join(dir, file), changed);
  }
  return { dir, entry: next };
}

test('a new build is served as soon as it is deployed; a page of the old build says a new version is installed', async ({
  page,
  context,
}) => {
  const first = builtPage();
  let root = first;
  const { server, url } = await serveWithoutIsolation(() => root);
  const second = await nextBuild(first);
  try {
    await page.goto(`${url}/#preset=matmul-64`);
    await expect(page.getByTestId('cross-origin-isolated')).toHaveAttribute('data-value', 'true', {
      timeout: 60_000,
    });
    await underServiceWorker(page);
    await expect(page.getByTestId('schedule')).toHaveText('m:64 n:64 k:64');

    // Deployed. A page opened now, while the old build's worker is still in charge, is the new build.
    root = second.dir;
    const next = await context.newPage();
    await next.goto(`${url}/#preset=matmul-64`);
    await expect(next.locator(`script[src$="${second.entry}.js"]`)).toHaveCount(1);
    await expect(next.getByTestId('schedule')).toHaveText('m:64 n:64 k:64');
    // That navigation found the new worker, which takes over both pages: the old one says so.
    await expect(page.getByTestId('notices')).toContainText('a new version of looplab is installed', {
      timeout: 60_000,
    });
    await expect.poll(() => next.evaluate(() => globalThis.caches.keys())).toEqual([expect.stringMatching(/next$/)]);
    await expect(next.getByText('a new version of looplab is installed')).toHaveCount(0);
    // Its reload is the new build.
    await page.reload();
    await expect(page.locator(`script[src$="${second.entry}.js"]`)).toHaveCount(1);
    await expect(page.getByTestId('schedule')).toHaveText('m:64 n:64 k:64');
  } finally {
    await new Promise((resolve) => server.close(resolve));
    await rm(second.dir, { recursive: true, force: true });
  }
});
