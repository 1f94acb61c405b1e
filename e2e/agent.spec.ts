// The agent in the page. LoopTune's agent: "let the agent drive" on matmul 128^3 rolls the shipped
// policy out in its worker; the rollout enters the history as the agent's; the player steps back
// and forward (the nest and the history position follow); the bars show every action's value, the
// chosen one marked and the illegal ones greyed with the core's reason; the best schedule it
// reached is measured faster than the default by the page's own measurer. The agent (cost model +
// search, the default): its path and the options it considered at each step, the player's keys,
// "take over here", "continue from here" from a person's schedule, and the agent lesson's
// prediction hiding the answer.
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
  await panel.getByTestId('agent-method').selectOption('looptune');
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

  // Play runs the rollout through its end and stops on its best step.
  await panel.getByTestId('agent-step-0').click();
  await panel.getByTestId('agent-speed').selectOption('8');
  await panel.getByTestId('agent-play').click();
  await expect(panel.getByTestId('agent-pause')).toBeVisible();
  await expect(panel.getByTestId('agent-play')).toBeVisible({ timeout: 10_000 });
  await expect(position(page)).toHaveText(`step ${best} of 10`);
  await expect(schedule(page)).toHaveText(await stepSchedule(page, best));
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
  await panel.getByTestId('agent-method').selectOption('looptune');
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
  await panel.getByTestId('agent-method').selectOption('looptune');
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

/** Lets the agent (cost model + search) drive and waits until its run is done and paused. */
async function search(page: Page) {
  const panel = page.getByTestId('agent-panel');
  await expect(panel.getByTestId('agent-method')).toHaveValue('agent');
  await panel.getByTestId('agent-drive').click();
  await expect(panel.getByTestId('agent-run')).toHaveAttribute('data-status', 'done', { timeout: 90_000 });
  await expect(panel.getByTestId('agent-run')).toHaveAttribute('data-method', 'agent');
  // It plays its few steps on its own and stops on the best one.
  await expect(panel.getByTestId('agent-play')).toBeVisible({ timeout: 30_000 });
  return panel;
}

test("the agent searches by default: its path, each step's options with predicted and measured GFLOPS, and the player's keys", async ({
  page,
  shot,
}) => {
  await page.goto('/#preset=matmul-128');
  await expect(schedule(page)).toHaveText('m:128 n:128 k:128');
  await measuredGflops(page);
  const panel = await search(page);
  const summary = panel.getByTestId('agent-summary');
  const steps = Number(await summary.getAttribute('data-best-index'));
  // The path ends on its answer, the fastest schedule measured.
  expect(steps).toBeGreaterThan(0);
  await expect(panel.getByTestId('agent-step-label')).toHaveText(/^step \d+ of \d+$/);
  await expect(panel.getByTestId(`agent-step-${steps}`)).toBeVisible();
  await expect(panel.getByTestId(`agent-step-${steps + 1}`)).toHaveCount(0);
  // Its steps are the agent's entries in the history (one or more core actions, or a set:, per step).
  await expect.poll(() => decodeURIComponent(page.url())).toMatch(/a=agent:[^,&]+(,agent:[^,&]+)*/);

  // Player keys, on the focused player.
  const player = panel.getByTestId('agent-player');
  await player.focus();
  await page.keyboard.press('Home');
  await expect(panel.getByTestId('agent-step-label')).toHaveText(`step 0 of ${steps}`);
  await expect(schedule(page)).toHaveText('m:128 n:128 k:128');
  await page.keyboard.press('ArrowRight');
  await expect(panel.getByTestId('agent-step-label')).toHaveText(`step 1 of ${steps}`);
  await expect(schedule(page)).toHaveText(await stepSchedule(page, 1));
  await page.keyboard.press('ArrowLeft');
  await expect(panel.getByTestId('agent-step-label')).toHaveText(`step 0 of ${steps}`);
  await page.keyboard.press('g');
  await expect(panel.getByTestId('agent-step-label')).toHaveText(`step ${steps} of ${steps}`);
  await expect(schedule(page)).toHaveText(await stepSchedule(page, steps));
  await page.keyboard.press('Home');
  await panel.getByTestId('agent-speed').selectOption('1');
  await player.focus();
  await page.keyboard.press(' ');
  await expect(panel.getByTestId('agent-pause')).toBeVisible();
  await page.keyboard.press(' ');
  await expect(panel.getByTestId('agent-play')).toBeVisible();

  // At step 0, what it considered: options with predicted GFLOPS, the chosen one marked.
  await page.keyboard.press('Home');
  const candidates = panel.getByTestId('agent-candidates');
  await expect(candidates).toHaveAttribute('data-step', '0');
  const rows = candidates.getByTestId('agent-candidate');
  expect(await rows.count()).toBeGreaterThan(3);
  const chosen = candidates.locator('[data-testid="agent-candidate"][data-chosen="true"]');
  await expect(chosen).toHaveCount(1);
  const firstAction = await chosen.getAttribute('data-action');
  await expect(panel.getByTestId('agent-step-1').locator('.agent-step-action')).toHaveText(firstAction!);
  const predicted = (await rows.evaluateAll((els) =>
    els.map((e) => Number(e.getAttribute('data-predicted'))),
  )) as number[];
  expect(predicted.every((x) => x > 0)).toBe(true);
  await expect(candidates).toContainText('predicted share × the fastest schedule the search measured');
  // The last decision lists what it measured.
  await page.keyboard.press('End');
  await expect(candidates).toHaveAttribute('data-step', String(steps - 1));
  expect(await candidates.locator('[data-testid="agent-candidate"][data-measured]').count()).toBeGreaterThan(0);
  await expect(candidates.locator('[data-chosen="true"]')).toHaveAttribute('data-measured', /\d/);
  await shot('agent-search-panel', panel);
});

test('take over at a step: the history is cut there and the person goes on by hand', async ({ page }) => {
  await page.goto('/#preset=matmul-128');
  await measuredGflops(page);
  const panel = await search(page);
  await panel.getByTestId('agent-step-1').click();
  const at1 = await stepSchedule(page, 1);
  await expect(schedule(page)).toHaveText(at1);
  const pos = ((await position(page).textContent()) ?? '').match(/^step (\d+) of (\d+)$/)!;
  expect(Number(pos[1])).toBeLessThan(Number(pos[2]));
  await panel.getByTestId('agent-take-over').click();
  await expect(position(page)).toHaveText(`step ${pos[1]} of ${pos[1]}`);
  await expect(schedule(page)).toHaveText(at1);
  await expect(panel.getByTestId('agent-taken-over')).toContainText('You took over at step 1');
  // The person's next action follows the agent's entries.
  await page.locator('body').click({ position: { x: 5, y: 5 } });
  // A cursor move is legal in one direction at least (the nest has 2 loops or more).
  await page.keyboard.press('ArrowUp');
  await page.keyboard.press('ArrowDown');
  const after = Number(pos[1]);
  await expect
    .poll(async () => {
      const m = ((await position(page).textContent()) ?? '').match(/^step (\d+) of (\d+)$/);
      return m && m[1] === m[2] ? Number(m[1]) : -1;
    })
    .toBeGreaterThan(after);
  await expect.poll(() => decodeURIComponent(page.url())).toMatch(/a=agent:[^&]*,(up|down)(&|$)/);
  await expect(panel.getByTestId('agent-taken-over')).toBeVisible();
  // Undo steps over the person's cursor moves and undoes the agent's last schedule change; redo
  // comes back through it and the person's moves: one log.
  const end = Number(/of (\d+)$/.exec((await position(page).textContent()) ?? '')?.[1]);
  await page.locator('body').click({ position: { x: 5, y: 5 } });
  await page.keyboard.press('u');
  await expect
    .poll(async () => Number(/^step (\d+) of/.exec((await position(page).textContent()) ?? '')?.[1]))
    .toBeLessThan(after);
  await page.keyboard.press('Control+y');
  await expect(position(page)).toHaveText(`step ${end} of ${end}`);
  await expect(schedule(page)).toHaveText(at1);
});

test("continue from here: the agent measures the person's schedule, searches from its nearest tile spec and is never slower", async ({
  page,
}) => {
  // A person's schedule: k split by 4 inside (not a register tile).
  await page.goto('/#preset=matmul-128&a=down,down,split_4');
  await expect(schedule(page)).toHaveText('m:128 n:128 k:32 k:4');
  await measuredGflops(page);
  const panel = page.getByTestId('agent-panel');
  await expect(panel.getByTestId('agent-drive')).toHaveText('Continue from here');
  await expect(panel.getByTestId('agent-drive')).toHaveAttribute('data-from', 'current');
  await search(page);
  const summary = panel.getByTestId('agent-summary');
  await expect(summary).toHaveAttribute('data-from', 'nearest');
  const start = Number(await summary.getAttribute('data-start-gflops'));
  const best = Number(await summary.getAttribute('data-best-gflops'));
  expect(start).toBeGreaterThan(0);
  expect(best).toBeGreaterThanOrEqual(start);
  const outcome = await summary.getAttribute('data-outcome');
  if (outcome === 'improved') {
    await expect(panel.getByTestId('agent-outcome')).toContainText('went to the nearest tile spec');
    await expect(panel.getByTestId('agent-step-1').locator('.agent-step-action')).toHaveText('nearest tile spec');
    // The person's actions stay before the agent's.
    await expect.poll(() => decodeURIComponent(page.url())).toMatch(/a=down,down,split_4,agent:/);
  } else {
    await expect(panel.getByTestId('agent-outcome')).toContainText('your schedule stays');
    await expect(schedule(page)).toHaveText('m:128 n:128 k:32 k:4');
  }
});

test('the agent lesson hides the answer until the prediction is given', async ({ page }) => {
  await page.goto('/?lesson=agent');
  const panel = page.getByTestId('agent-panel');
  await expect(panel.getByTestId('agent-method')).toHaveValue('looptune');
  await page.getByTestId('lesson-run-agent').click();
  const step = page.getByTestId('lesson-predict-step');
  await expect(step).toHaveText(/^step 0 of \d+$/, { timeout: 90_000 });
  // Asked for a prediction: neither the chosen action nor the values, nor the steps ahead.
  await expect(panel.getByTestId('agent-values-hidden')).toBeVisible();
  await expect(panel.getByTestId('action-bar')).toHaveCount(0);
  await expect(panel.getByTestId('agent-candidates')).toHaveCount(0);
  await expect(panel.getByTestId('agent-step-1').locator('.agent-step-action')).toHaveText('?');
  await expect(panel.getByTestId('agent-step-1')).toBeDisabled();
  await expect(panel.getByTestId('agent-summary')).not.toHaveAttribute('data-best-index', /.*/);
  // Nor the GFLOPS chart: no point after the current one.
  const points = page.getByTestId('history-point');
  await expect(points).toHaveCount(1);
  // The prediction given, step 1 shows; step 2 (the next answer) stays hidden.
  await page.getByTestId('lesson-predict-down').click();
  await expect(step).toHaveText(/^step 1 of \d+$/);
  await expect(panel.getByTestId('agent-step-1').locator('.agent-step-action')).not.toHaveText('?');
  await expect(panel.getByTestId('agent-step-2').locator('.agent-step-action')).toHaveText('?');
  await expect(panel.getByTestId('action-bar')).toHaveCount(0);
  await expect(points).toHaveCount(2);
  // At the end of the rollout nothing is left to predict: the values show.
  const total = Number(/of (\d+)/.exec((await step.textContent()) ?? '')?.[1]);
  for (let i = 1; i < total; i++) await page.getByTestId('lesson-predict-down').click();
  await expect(page.getByTestId('lesson-predict-down')).toHaveCount(0);
  await expect(panel.getByTestId('action-bar').first()).toBeVisible();
  await expect(panel.getByTestId('agent-values-hidden')).toHaveCount(0);
  await expect(points).toHaveCount(total + 1);
});
