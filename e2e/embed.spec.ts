// The embed: "copy embed code" gives an <iframe> of the problem, the schedule and the shown panels;
// pasted into a page on another origin (e2e/embed-host.html, served without COOP/COEP, as a slide
// deck or a course page would be), the frame shows only those panels, no header, the schedule from
// the link, measures it, takes keys, and says that it runs on one thread and why.
import { join } from 'node:path';
import type { FrameLocator, Page } from '@playwright/test';
import { builtPage, expect, serveWithoutIsolation, test } from './fixtures';

const HOST_PAGE = join(process.cwd(), 'e2e', 'embed-host.html');

/** The embed code the page gives for what it shows (with present mode when asked). */
async function embedCode(page: Page, present = false): Promise<string> {
  const exchange = page.getByTestId('exchange-panel');
  if (present) await exchange.getByTestId('embed-present').check();
  await exchange.getByTestId('embed-copy').click();
  await expect(page.getByTestId('notices')).toContainText('copied the embed code');
  return page.evaluate(() => navigator.clipboard.readText());
}

/** Opens the host page with `code` pasted in it; returns the embed's frame. */
async function pasted(page: Page, hostUrl: string, code: string): Promise<FrameLocator> {
  await page.goto(`${hostUrl}/embed-host.html#${encodeURIComponent(code)}`);
  return page.frameLocator('#slide iframe');
}

test('the embed code puts the chosen panels and schedule in a slide: no header, keys work, one thread said', async ({
  page,
  context,
  baseURL,
  shot,
}) => {
  await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: baseURL });
  await page.goto('/#preset=matmul-128');
  await page.keyboard.press('ArrowDown');
  await page.keyboard.press('Shift+ArrowDown');
  await expect(page.getByTestId('schedule')).toHaveText('m:128 k:128 n:128');
  // Only the nest and the performance panel go on the slide.
  for (const id of ['problem', 'graph', 'code', 'agent']) await page.getByTestId(`toggle-${id}`).click();
  const code = await embedCode(page);
  expect(code).toMatch(
    /^<iframe src="http:\/\/localhost:\d+\/\?embed=1#preset=matmul-128&amp;s=m:128\+k:128\+n:128&amp;panels=nest,perf" width="960" height="540" title="looplab: C\[m,n\] \+= A\[m,k\] \* B\[k,n\] \(m=128, n=128, k=128\)"/,
  );

  const { server, url } = await serveWithoutIsolation(builtPage(), { '/embed-host.html': HOST_PAGE });
  try {
    const frame = await pasted(page, url, code);
    await expect(frame.getByTestId('embed-bar')).toBeVisible();
    await expect(frame.locator('.app-header')).toHaveCount(0);
    await expect(frame.getByTestId('toggle-nest')).toHaveCount(0);
    await expect(frame.getByTestId('loop-nest-panel')).toBeVisible();
    await expect(frame.getByTestId('performance-panel')).toBeVisible();
    for (const id of ['problem-panel', 'graph-panel', 'code-panel', 'agent-panel', 'exchange-panel', 'sessions-panel'])
      await expect(frame.getByTestId(id)).toHaveCount(0);
    await expect(frame.getByTestId('schedule')).toHaveText('m:128 k:128 n:128');
    // A frame in a page that is not isolated gets no shared memory: one thread, and the embed says so.
    await expect(frame.getByTestId('cross-origin-isolated')).toHaveAttribute('data-value', 'false');
    await expect(frame.getByTestId('embed-threads-off')).toContainText('one thread');
    await expect(frame.getByTestId('embed-threads-off')).toContainText('this embed is not cross-origin isolated');
    // The kernel of the link's schedule is measured in the frame.
    const gflops = frame.getByTestId('gflops');
    await expect(gflops).toHaveAttribute('data-schedule', 'm:128 k:128 n:128');
    await expect(gflops).toHaveAttribute('data-stage', 'refined', { timeout: 60_000 });
    await expect(frame.getByTestId('correct')).toHaveAttribute('data-correct', 'true');
    await shot('embed-in-a-slide');

    // Keys work inside the frame once it has the focus.
    await frame.getByTestId('loop-nest-panel').locator('.panel-title').click();
    await page.keyboard.press('ArrowDown');
    await page.keyboard.press('s');
    await page.keyboard.type('8');
    await page.keyboard.press('Enter');
    await expect(frame.getByTestId('schedule')).toHaveText('m:128 k:16 k:8 n:128');
    await page.keyboard.press('u');
    await expect(frame.getByTestId('schedule')).toHaveText('m:128 k:128 n:128');
    // The host page kept its own title: the keys stayed in the frame.
    await expect(page.locator('h1')).toHaveText('Loop order');
  } finally {
    await new Promise((resolve) => server.close(resolve));
  }
});

test('an embed asked for in present mode has large type; the link opens the same state in a tab', async ({
  page,
  context,
  baseURL,
}) => {
  await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: baseURL });
  await page.goto('/#preset=matmul-64&panels=nest,graph');
  const code = await embedCode(page, true);
  expect(code).toContain('?embed=1&amp;present=1#preset=matmul-64&amp;panels=nest,graph"');
  const { server, url } = await serveWithoutIsolation(builtPage(), { '/embed-host.html': HOST_PAGE });
  try {
    const frame = await pasted(page, url, code);
    await expect(frame.locator('html')).toHaveClass(/\bpresent\b/);
    await expect(frame.locator('html')).toHaveClass(/\bembed\b/);
    await expect(frame.getByTestId('graph-panel')).toBeVisible();
    await expect(frame.getByTestId('performance-panel')).toHaveCount(0);
    const open = frame.getByTestId('embed-open');
    const href = (await open.getAttribute('href')) ?? '';
    expect(href).not.toContain('embed=1');
    expect(href).toContain('present=1');
    expect(href).toContain('#preset=matmul-64');
  } finally {
    await new Promise((resolve) => server.close(resolve));
  }
});
