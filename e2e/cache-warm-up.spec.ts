// The cache worker's warm-up in the page: with the default panels (the roofline's simulation waits
// for the refined figure) it runs once, after the first GFLOPS figure (so it never shares the
// processor with that measurement) and before the first simulation has its figures, and changes
// none of them (the same misses and bytes with `?cache-warm-up=off`).
import type { Page } from '@playwright/test';
import {
  CACHE_SIMULATION_ENTRY,
  CACHE_WARM_UP_ENTRY,
  CACHE_WARM_UP_PARAM,
  MEASUREMENT_ENTRY,
} from '../src/core/cache/timings.ts';
import { expect, test } from './fixtures.ts';

const SCHEDULE = 'k:8 m:32 n:16 k:16 m:4 n:8';

/** The page's simulated figures for SCHEDULE on matmul 128^3, and its warm-up and simulation timings. */
async function simulated(page: Page, search: string) {
  await page.goto(`/${search}#preset=matmul-128&s=${encodeURIComponent(SCHEDULE)}&panels=nest,perf`);
  await page.waitForFunction((name) => performance.getEntriesByName(name).length > 0, CACHE_SIMULATION_ENTRY, {
    timeout: 90_000,
  });
  await page.getByTestId('toggle-memory').click();
  await expect(page.getByTestId('memory-figures')).toHaveAttribute('data-schedule', SCHEDULE, { timeout: 90_000 });
  const figures = await page
    .locator('[data-testid^="memory-misses-"], [data-testid^="memory-bytes-"]')
    .evaluateAll((els) => els.map((el) => `${el.getAttribute('data-testid')}=${el.getAttribute('data-value')}`));
  const timings = await page.evaluate(
    ([warm, sim, measured]) => {
      const spans = (name: string) =>
        performance.getEntriesByName(name).map((e) => ({ start: e.startTime, end: e.startTime + e.duration }));
      return { warmUps: spans(warm), simulations: spans(sim), measurements: spans(measured) };
    },
    [CACHE_WARM_UP_ENTRY, CACHE_SIMULATION_ENTRY, MEASUREMENT_ENTRY] as const,
  );
  return { figures, ...timings };
}

test('the cache worker warms up once after the first GFLOPS figure, before the first cache figures, changing none', async ({
  page,
}) => {
  const warm = await simulated(page, '');
  expect(warm.warmUps).toHaveLength(1);
  expect(warm.simulations.length).toBeGreaterThan(0);
  // Asked once the first GFLOPS figure was in the store, never while it was being measured.
  expect(warm.measurements.length).toBeGreaterThan(0);
  expect(warm.warmUps[0].start).toBeGreaterThanOrEqual(warm.measurements[0].end);
  // The first simulation's figures come after the warm-up ended (it waited, or was asked later).
  expect(warm.simulations[0].end).toBeGreaterThanOrEqual(warm.warmUps[0].end);

  const cold = await simulated(page, `?${CACHE_WARM_UP_PARAM}=off`);
  expect(cold.warmUps).toHaveLength(0);
  // Three tensors at two levels (Zen 4's L1d and L2 at least), misses and bytes each.
  expect(cold.figures.length).toBeGreaterThanOrEqual(12);
  expect(warm.figures).toEqual(cold.figures);
  expect(warm.figures.some((f) => !f.endsWith('=0'))).toBe(true);
});
