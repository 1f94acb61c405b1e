// The agent in the page: "let the agent drive" on matmul 128^3 rolls the shipped policy out in
// its worker; the rollout enters the history as the agent's; the player steps back and forward
// (the nest and the history position follow); the bars show every action's value, the chosen one
// marked and the illegal ones greyed with the core's reason; the best schedule it reached is
// measured faster than the default by the page's own measurer.
import type { Page } from '@playwright/test';
import { expect, measuredGflops, test } from './fixtures';

const schedule = (page: Page) => page.getByTestId('schedule');
const position = (page: Page) => page.getByTestId('history-position');

/** The schedule after step i of the rollout, as the step list states it. */
async function stepSchedule(page: Page, i: number): Promise<string> {
  const title = (await page.getByTestId(`agent-step-${i}`).getAttribute('title')) ?? '';
  return title.replace(/^after [a-z_0-9]+: /, '');
}

test('the agent drives matmul 128 to a faster schedule; the player steps; the action bars show', async ({
  page,
  shot,
}, testInfo) => {
  await page.goto('/#preset=matmul-128');
  await expect(schedule(page)).toHaveText('m:128 n:128 k:128');
  const defaultGflops = await measuredGflops(page);

  const panel = page.getByTestId('agent-panel');
  await panel.getByTestId('agent-drive').click();
  const run = panel.getByTestId('agent-run');
  await expect(run).toHaveAttribute('data-status', 'done', { timeout: 90_000 });
  await expect(panel.getByTestId('agent-policy')).toHaveAttribute('data-status', 'ready');
  await panel
    .getByTestId('agent-pause')
    .click()
    .catch(() => {}); // it plays on its own; it may have finished
  await expect(panel.getByTestId('agent-play')).toBeVisible();

  const summary = panel.getByTestId('agent-summary');
  const tuningMs = Number(await summary.getAttribute('data-tuning-ms'));
  expect(tuningMs).toBeGreaterThan(0);
  testInfo.annotations.push({ type: 'tuning time (ms), matmul 128^3', description: String(tuningMs) });
  console.log(`agent tuning time in the page, matmul 128^3: ${tuningMs} ms`);

  // Ten actions entered the history as the agent's; the link marks them.
  await expect(position(page)).toHaveText(/of 10$/);
  await expect.poll(() => decodeURIComponent(page.url())).toMatch(/a=agent:[a-z_0-9]+(,agent:[a-z_0-9]+){9}/);

  // The player: to the start, then one step forward and back, by keyboard.
  await panel.getByTestId('agent-timeline').focus();
  await page.keyboard.press('Home');
  await expect(position(page)).toHaveText('step 0 of 10');
  await expect(schedule(page)).toHaveText('m:128 n:128 k:128');
  await expect(panel.getByTestId('agent-step-label')).toHaveText('step 0 of 10');
  const forward = panel.getByTestId('agent-step-forward');
  await forward.focus();
  await page.keyboard.press('Enter');
  await expect(position(page)).toHaveText('step 1 of 10');
  await expect(schedule(page)).toHaveText(await stepSchedule(page, 1));
  await page.keyboard.press('Enter');
  await expect(position(page)).toHaveText('step 2 of 10');
  await expect(schedule(page)).toHaveText(await stepSchedule(page, 2));
  await panel.getByTestId('agent-step-back').click();
  await expect(position(page)).toHaveText('step 1 of 10');
  await expect(panel.getByTestId('agent-step-label')).toHaveText('step 1 of 10');
  await panel.getByTestId('agent-step-back').click();
  await expect(schedule(page)).toHaveText('m:128 n:128 k:128');

  // At the start the cursor is on the outermost loop: `up` is illegal, greyed, with the core's reason.
  const bars = panel.getByTestId('action-bar');
  await expect(bars).toHaveCount(7);
  await expect(panel.locator('[data-testid="action-bar"][data-chosen="true"]')).toHaveCount(1);
  await expect(panel.locator('[data-testid="action-bar"][data-chosen="true"]')).toHaveAttribute('data-legal', 'true');
  const up = panel.locator('[data-testid="action-bar"][data-action="up"]');
  await expect(up).toHaveAttribute('data-legal', 'false');
  await expect(up.getByTestId('action-reason')).toBeVisible();
  await expect(up.getByTestId('action-reason')).toHaveText(/^illegal: .+/);
  expect(await up.getAttribute('title')).toMatch(/^up is not possible here: .+/);
  // The shipped policy is PPO's: the bars are probabilities over the legal actions, and the chosen one is the most likely.
  await expect(panel.getByTestId('agent-values')).toHaveAttribute('data-kind', 'probability');
  await expect(up.locator('.agent-bar-value')).toHaveText('0.0%');
  const percents = await panel
    .locator('[data-testid="action-bar"][data-legal="true"] .agent-bar-value')
    .allTextContents();
  const shares = percents.map((t) => (t.startsWith('<') ? 0 : parseFloat(t)));
  expect(shares.reduce((a, b) => a + b, 0)).toBeGreaterThan(99);
  expect(shares.reduce((a, b) => a + b, 0)).toBeLessThan(101);
  const chosenShare = parseFloat(
    (await panel.locator('[data-testid="action-bar"][data-chosen="true"] .agent-bar-value').textContent()) ?? '',
  );
  expect(chosenShare).toBe(Math.max(...shares));
  // The tooltip keeps the logit, so the order of the unlikely actions can still be read.
  expect(await panel.locator('[data-testid="action-bar"][data-chosen="true"]').getAttribute('title')).toMatch(
    /: probability [\d.]+% \(logit -?\d+\.\d\d\)$/,
  );
  await shot('agent-panel', panel);

  // The best schedule of the rollout, measured again by the page, beats the default.
  const best = Number(await summary.getAttribute('data-best-index'));
  expect(best).toBeGreaterThan(0);
  await panel.getByTestId(`agent-step-${best}`).click();
  await expect(position(page)).toHaveText(`step ${best} of 10`);
  const bestGflops = await measuredGflops(page);
  testInfo.annotations.push({
    type: 'GFLOPS default -> agent best (page measurer)',
    description: `${defaultGflops} -> ${bestGflops}`,
  });
  expect(bestGflops).toBeGreaterThan(1.5 * defaultGflops);

  // Play runs the rollout to its end.
  await panel.getByTestId('agent-speed').selectOption('8');
  await panel.getByTestId('agent-play').click();
  await expect(position(page)).toHaveText('step 10 of 10', { timeout: 10_000 });
  await expect(panel.getByTestId('agent-play')).toBeVisible();
  await expect(schedule(page)).toHaveText(await stepSchedule(page, 10));
  // The GFLOPS chart has a point per position of the history, measured where the player stopped.
  await measuredGflops(page);
  await expect(page.getByTestId('history-point')).toHaveCount(11);
  expect(await page.locator('[data-testid="history-point"][data-state="measured"]').count()).toBeGreaterThanOrEqual(3);
  await shot('agent-page');
});

test("the agent's actions are history: undo, and a share link restores them", async ({ page, context }) => {
  await page.goto('/#preset=matmul-64');
  await measuredGflops(page);
  const panel = page.getByTestId('agent-panel');
  await panel.getByTestId('agent-drive').click();
  await expect(panel.getByTestId('agent-run')).toHaveAttribute('data-status', 'done', { timeout: 90_000 });
  await panel
    .getByTestId('agent-pause')
    .click()
    .catch(() => {});
  await panel.getByTestId('agent-step-3').click();
  await expect(position(page)).toHaveText('step 3 of 10');
  const at3 = await stepSchedule(page, 3);
  await expect(schedule(page)).toHaveText(at3);

  // Undo from the keyboard moves the player with the history (back over the agent's cursor moves to
  // before its last schedule change), and redo forward again.
  await page.locator('body').click({ position: { x: 5, y: 5 } });
  const step = async () => Number(/^step (\d+) of 10$/.exec((await position(page).textContent()) ?? '')?.[1]);
  await page.keyboard.press('u');
  await expect.poll(step).toBeLessThan(3);
  const back = await step();
  await expect(panel.getByTestId('agent-step-label')).toHaveText(`step ${back} of 10`);
  await expect(schedule(page)).toHaveText(back === 0 ? 'm:64 n:64 k:64' : await stepSchedule(page, back));
  await page.keyboard.press('Control+Shift+Z');
  await expect.poll(step).toBeGreaterThan(back);
  const forward = await step();
  await expect(panel.getByTestId('agent-step-label')).toHaveText(`step ${forward} of 10`);
  const atForward = await stepSchedule(page, forward);

  await expect.poll(() => decodeURIComponent(page.url())).toContain(`at=${forward}`);
  const other = await context.newPage();
  await other.goto(page.url());
  await expect(other.getByTestId('schedule')).toHaveText(atForward);
  await expect(other.getByTestId('history-position')).toHaveText(`step ${forward} of 10`);
  await other.close();
});

test('a damaged policy is refused with the reason, and the page keeps working', async ({ page, context }) => {
  await context.route('**/agent/weights.bin', (route) =>
    route.fulfill({ status: 200, body: Buffer.alloc(100), contentType: 'application/octet-stream' }),
  );
  await page.goto('/#preset=matmul-64');
  const panel = page.getByTestId('agent-panel');
  await panel.getByTestId('agent-drive').click();
  await expect(panel.getByTestId('agent-policy')).toHaveAttribute('data-status', 'error', { timeout: 60_000 });
  await expect(panel.getByTestId('agent-policy')).toContainText('weights.bin has 100 bytes but model.json describes');
  await expect(panel.getByTestId('agent-run')).toHaveAttribute('data-status', 'error');
  await expect(page.getByTestId('notices')).toContainText('weights.bin has 100 bytes');
  // The playground still works.
  await page.locator('body').click({ position: { x: 5, y: 5 } });
  await page.keyboard.press('ArrowDown');
  await page.keyboard.press('Shift+ArrowDown');
  await expect(schedule(page)).toHaveText('m:64 k:64 n:64');
});
