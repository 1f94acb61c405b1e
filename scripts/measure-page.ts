// npm run measure:page -- [--dist dist] [--port 4195] [--actions 24] [--seed 1] [--panels a,b] [--json]
// npm run measure:page -- --cache [--loads 3] [--panels a,b] [--json]
//
// Drives the production build in Debian's Chromium (as the e2e tests do) and reports the speed
// figures of issue 3 for matmul 256^3:
//   - latency: from an action's key press (the keydown event's timeStamp, in the page) to the frame
//     that shows the new GFLOPS number (the `gflops` element gets a value for the new schedule;
//     taken in a requestAnimationFrame callback after that change), p50/p95/max over N actions;
//   - where that time goes: key press -> the page asks for the measurement (status `measuring`)
//     -> the worker's result is in the store (status `done`) -> the frame that shows it;
//   - the longest main-thread task while those actions were measured (PerformanceObserver
//     'longtask': the browser only reports tasks of 50 ms or more), and from a Chromium trace of
//     the same span the longest task both in wall time and in the main thread's own CPU time: on
//     a busy machine a task's wall time includes the time the thread waited for a core, its CPU
//     time does not.
// Every action leads to a schedule the page has not seen (a seeded walk over swap, split and merge,
// checked with the core beforehand), so no figure comes from the page's cache. Before the first
// action the script waits for the page's own start-up work (first kernel, peak, bandwidth,
// XNNPACK), which would otherwise queue ahead of the actions.
//
// `--cache` measures the cache simulations instead (scripts/pageCacheTimings.ts): the first one
// after a fresh load and the later ones, `--loads` fresh pages with the cache worker's warm-up on
// and as many with it off, alternating, with the first GFLOPS figure's time of each.
//
// `--panels problem,nest,perf` shows only those panels (the link's `panels`), to see what the other
// panels cost. Needs a build (`npm run build`, or LOOPLAB_DIST=… / --dist). Starts `vite preview` on its own
// port and stops it at the end. The machine is shared: read the numbers as noisy.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Page } from '@playwright/test';
import { applyAction, type Action } from '../src/core/actions.ts';
import { parseProblemText } from '../src/core/problem.ts';
import { defaultSchedule, printSchedule } from '../src/core/schedule.ts';
import { MAX_LOOPS } from '../src/core/limits.ts';
import { seededRandom } from '../src/core/random.ts';
import { formatGflops } from '../src/core/format.ts';
import { newPage, openPreview, pageMeasurementMain, runAsScript, wholeNumberOption } from './previewPage.ts';
import type { NestState } from '../src/core/types.ts';
import { type CacheLoad, cacheLoad, formatCacheTimings, type TraceEvent } from './pageCacheTimings.ts';

const MATMUL_256 = 'C[m,n] += A[m,k] * B[k,n]\nm=256, n=256, k=256';

interface Step {
  /** The schedule-changing action (cursor moves before it are `moves`). */
  action: Action;
  moves: Action[];
  schedule: string;
}

/**
 * N actions from the default schedule, each leading to a schedule not seen before (checked with
 * the core): swaps, splits by 2/4/8 and merges, with cursor moves in between when needed.
 */
export function plannedSteps(count: number, seed: number): Step[] {
  const problem = parseProblemText(MATMUL_256);
  const random = seededRandom(seed);
  let state: NestState = { schedule: defaultSchedule(problem), cursor: 0 };
  const seen = new Set([printSchedule(state.schedule)]);
  const steps: Step[] = [];
  const kinds: Action[] = ['swap_down', 'swap_up', 'split_2', 'split_4', 'split_8', 'merge'];
  for (let guard = 0; steps.length < count && guard < count * 200; guard++) {
    // Try every loop position, nearest first in a random direction, for a fresh schedule.
    const order = [...kinds].sort(() => random() - 0.5);
    const positions = [...state.schedule.loops.keys()].sort(
      (a, b) => Math.abs(a - state.cursor) - Math.abs(b - state.cursor) || random() - 0.5,
    );
    let done = false;
    for (const target of positions) {
      for (const action of order) {
        const moved: NestState = { schedule: state.schedule, cursor: target };
        const r = applyAction(problem, moved, action);
        if (!r.ok || r.state.schedule.loops.length > MAX_LOOPS) continue;
        const text = printSchedule(r.state.schedule);
        if (seen.has(text)) continue;
        const moves: Action[] = [];
        for (let c = state.cursor; c !== target; c += target > c ? 1 : -1) moves.push(target > c ? 'down' : 'up');
        steps.push({ action, moves, schedule: text });
        seen.add(text);
        state = r.state;
        done = true;
        break;
      }
      if (done) break;
    }
    if (!done) throw new Error(`no fresh schedule reachable from ${printSchedule(state.schedule)}`);
  }
  return steps;
}

/** Percentile by nearest rank (p in 0..100) of unsorted values. */
export function percentile(values: number[], p: number): number {
  if (values.length === 0) return NaN;
  const s = [...values].sort((a, b) => a - b);
  const rank = Math.max(1, Math.ceil((p / 100) * s.length));
  return s[rank - 1];
}

// ------------------------------------------------------------------ the page side

/** Installed before the page's scripts: records key presses, GFLOPS changes and long tasks. */
function instrument() {
  const w = window as unknown as {
    __perf: {
      keys: Array<{ key: string; t: number }>;
      shown: Array<{ schedule: string; value: string; t: number }>;
      states: Array<{ state: string; t: number }>;
      longtasks: Array<{ start: number; duration: number }>;
    };
  };
  w.__perf = { keys: [], shown: [], states: [], longtasks: [] };
  window.addEventListener('keydown', (e) => w.__perf.keys.push({ key: e.key, t: e.timeStamp }), { capture: true });
  try {
    new PerformanceObserver((list) => {
      for (const e of list.getEntries()) w.__perf.longtasks.push({ start: e.startTime, duration: e.duration });
    }).observe({ type: 'longtask', buffered: true });
  } catch {
    // No longtask support: the report says none were seen.
  }
  const watch = () => {
    new MutationObserver((records) => {
      for (const r of records) {
        const el = r.target as Element;
        if (el.getAttribute('data-testid') === 'measure-status' && r.attributeName === 'data-state') {
          w.__perf.states.push({ state: el.getAttribute('data-state') ?? '', t: performance.now() });
          continue;
        }
        if (el.getAttribute('data-testid') !== 'gflops') continue;
        const value = el.getAttribute('data-value') ?? '';
        const schedule = el.getAttribute('data-schedule') ?? '';
        if (value === '') continue;
        // The number is on screen in the frame after this change.
        requestAnimationFrame(() => w.__perf.shown.push({ schedule, value, t: performance.now() }));
      }
    }).observe(document.documentElement, {
      subtree: true,
      attributes: true,
      attributeFilter: ['data-value', 'data-schedule', 'data-state'],
    });
  };
  if (document.documentElement) watch();
  else document.addEventListener('DOMContentLoaded', watch);
}

type PagePerf = {
  keys: Array<{ key: string; t: number }>;
  shown: Array<{ schedule: string; value: string; t: number }>;
  states: Array<{ state: string; t: number }>;
  longtasks: Array<{ start: number; duration: number }>;
};

const perf = (page: Page) => page.evaluate(() => (window as unknown as { __perf: PagePerf }).__perf);

const KEYS: Record<string, string> = {
  up: 'ArrowUp',
  down: 'ArrowDown',
  swap_up: 'Shift+ArrowUp',
  swap_down: 'Shift+ArrowDown',
  merge: 'Backspace',
};

async function press(page: Page, action: Action) {
  const m = /^split_(\d+)$/.exec(action);
  if (m) {
    await page.keyboard.press('s');
    await page.getByTestId('split-input').waitFor();
    await page.keyboard.type(m[1]);
    await page.keyboard.press('Enter');
  } else {
    await page.keyboard.press(KEYS[action]);
  }
}

// ------------------------------------------------------------------ the trace

export interface TraceTasks {
  /** Longest main-thread task in wall time and in thread CPU time (ms). */
  longestWallMs: number;
  longestCpuMs: number;
  /** Tasks of 50 ms or more, by wall time and by CPU time. */
  over50Wall: number;
  over50Cpu: number;
}

/**
 * The page's main-thread tasks in a Chromium trace: the renderer main thread (CrRendererMain)
 * that dispatched key presses, its top-level `RunTask` events.
 */
export function traceTasks(events: TraceEvent[]): TraceTasks {
  const mains = new Set(
    events.filter((e) => e.name === 'thread_name' && e.args?.name === 'CrRendererMain').map((e) => `${e.pid}:${e.tid}`),
  );
  const keyThreads = new Set(
    events
      .filter((e) => e.name === 'EventDispatch' && e.args?.data?.type === 'keydown')
      .map((e) => `${e.pid}:${e.tid}`),
  );
  const main = [...mains].filter((t) => keyThreads.has(t));
  const tasks = events.filter((e) => e.ph === 'X' && e.name === 'RunTask' && main.includes(`${e.pid}:${e.tid}`));
  const wall = tasks.map((t) => (t.dur ?? 0) / 1000);
  const cpu = tasks.map((t) => (t.tdur ?? t.dur ?? 0) / 1000);
  return {
    longestWallMs: wall.length > 0 ? Math.max(...wall) : 0,
    longestCpuMs: cpu.length > 0 ? Math.max(...cpu) : 0,
    over50Wall: wall.filter((d) => d >= 50).length,
    over50Cpu: cpu.filter((d) => d >= 50).length,
  };
}

// ------------------------------------------------------------------ main

interface Report {
  url: string;
  panels: string | null;
  actions: number;
  latenciesMs: number[];
  /** Medians of the parts: key -> measuring, measuring -> done (worker and messaging), done -> frame. */
  partsMs: { request: number; worker: number; render: number };
  p50Ms: number;
  p95Ms: number;
  maxMs: number;
  firstFigureMs: number;
  longestTaskMs: number | null;
  longTasks: number;
  trace: TraceTasks;
  gflops: { first: number; last: number };
  crossOriginIsolated: boolean;
}

async function run(opts: {
  dist: string;
  port: number;
  actions: number;
  seed: number;
  panels: string | null;
}): Promise<Report> {
  const steps = plannedSteps(opts.actions, opts.seed);
  const { url, browser, close } = await openPreview(opts.dist, opts.port);
  try {
    const page = await newPage(browser);
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    await page.addInitScript(instrument);
    const t0 = Date.now();
    await page.goto(`${url}#preset=matmul-256${opts.panels ? `&panels=${opts.panels}` : ''}`);
    const gflops = page.getByTestId('gflops');
    await page.waitForFunction(
      () => document.querySelector('[data-testid="gflops"]')?.getAttribute('data-value'),
      null,
      { timeout: 120_000 },
    );
    const firstFigureMs = Date.now() - t0;
    const first = Number(await gflops.getAttribute('data-value'));
    // The page's own start-up measurements (peak, bandwidth, XNNPACK) run after the first kernel.
    await page.waitForFunction(
      () => {
        const v = (id: string, a = 'data-value') => document.querySelector(`[data-testid="${id}"]`)?.getAttribute(a);
        return (
          !!v('peak') && ['done', 'error', 'n/a'].includes(v('xnnpack', 'data-state') ?? '') && !!v('roofline-memory')
        );
      },
      null,
      { timeout: 120_000 },
    );
    const isolated = await page.evaluate(() => globalThis.crossOriginIsolated === true);
    await page.locator('body').click({ position: { x: 2, y: 2 } });
    await page.evaluate(() => {
      const p = (window as unknown as { __perf: PagePerf }).__perf;
      p.longtasks.length = 0;
    });
    const traceDir = mkdtempSync(path.join(tmpdir(), 'looplab-trace-'));
    const tracePath = path.join(traceDir, 'trace.json');
    await browser.startTracing(page, {
      path: tracePath,
      categories: ['devtools.timeline', 'disabled-by-default-devtools.timeline'],
    });

    const latencies: number[] = [];
    const parts = { request: [] as number[], worker: [] as number[], render: [] as number[] };
    let last = first;
    for (const [i, step] of steps.entries()) {
      for (const move of step.moves) await press(page, move);
      await press(page, step.action);
      await page
        .waitForFunction(
          (schedule) => (window as unknown as { __perf: PagePerf }).__perf.shown.some((s) => s.schedule === schedule),
          step.schedule,
          { timeout: 60_000 },
        )
        .catch(async () => {
          const onScreen = await page.getByTestId('schedule').textContent();
          throw new Error(
            `step ${i + 1} (${step.action}): no figure for '${step.schedule}' (the page shows '${onScreen}')`,
          );
        });
      const p = await perf(page);
      const key = p.keys.at(-1)!;
      const shown = p.shown.find((s) => s.schedule === step.schedule)!;
      latencies.push(shown.t - key.t);
      const measuring = p.states.find((x) => x.t >= key.t && x.state === 'measuring');
      const done = p.states.find((x) => x.t >= key.t && x.state === 'done');
      if (measuring && done) {
        parts.request.push(measuring.t - key.t);
        parts.worker.push(done.t - measuring.t);
        parts.render.push(shown.t - done.t);
      }
      last = Number(shown.value);
      // Let the page settle between actions (a person doesn't press 20 keys a second).
      await page.waitForTimeout(150);
    }
    await browser.stopTracing();
    const parsed = JSON.parse(readFileSync(tracePath, 'utf8')) as { traceEvents?: TraceEvent[] } | TraceEvent[];
    const trace = traceTasks(Array.isArray(parsed) ? parsed : (parsed.traceEvents ?? []));
    rmSync(traceDir, { recursive: true, force: true });
    const p = await perf(page);
    if (errors.length > 0) throw new Error(`the page threw: ${errors.join('; ')}`);
    const longest = p.longtasks.length > 0 ? Math.max(...p.longtasks.map((t) => t.duration)) : null;
    return {
      url,
      panels: opts.panels,
      actions: steps.length,
      latenciesMs: latencies.map((v) => Math.round(v * 10) / 10),
      partsMs: {
        request: percentile(parts.request, 50),
        worker: percentile(parts.worker, 50),
        render: percentile(parts.render, 50),
      },
      p50Ms: percentile(latencies, 50),
      p95Ms: percentile(latencies, 95),
      maxMs: Math.max(...latencies),
      firstFigureMs,
      longestTaskMs: longest,
      longTasks: p.longtasks.length,
      trace,
      gflops: { first, last },
      crossOriginIsolated: isolated,
    };
  } finally {
    await close();
  }
}

function format(r: Report): string {
  const ms = (v: number) => `${v.toFixed(0)} ms`;
  return [
    `matmul 256^3, ${r.actions} actions to fresh schedules (swap, split, merge) at ${r.url}`,
    `panels: ${r.panels ?? 'default'}; cross-origin isolated: ${r.crossOriginIsolated}; first figure ${ms(r.firstFigureMs)} after navigation`,
    `action -> new GFLOPS on screen: p50 ${ms(r.p50Ms)}, p95 ${ms(r.p95Ms)}, max ${ms(r.maxMs)} (target: p95 <= 150 ms)`,
    `  each: ${r.latenciesMs.map((v) => v.toFixed(0)).join(' ')}`,
    `  medians of the parts: key -> measuring ${ms(r.partsMs.request)}, measuring -> result in the store ${ms(r.partsMs.worker)}` +
      ` (worker), result -> frame ${ms(r.partsMs.render)}`,
    `longest main-thread task during the actions: ${r.longestTaskMs === null ? 'none of 50 ms or more' : ms(r.longestTaskMs)}` +
      ` (${r.longTasks} long tasks; target: none over 50 ms)`,
    `  from the trace: longest ${ms(r.trace.longestWallMs)} wall (${r.trace.over50Wall} of 50 ms or more),` +
      ` ${ms(r.trace.longestCpuMs)} of main-thread CPU time (${r.trace.over50Cpu} of 50 ms or more)`,
    `GFLOPS: ${formatGflops(r.gflops.first)} at the start, ${formatGflops(r.gflops.last)} after the last action`,
    'shared, noisy machine: compare figures within one run',
  ].join('\n');
}

/** The panels of a --cache run without --panels: the memory view with the nest and the roofline. */
const CACHE_PANELS = 'nest,perf,memory';

interface CacheReport {
  cache: true;
  panels: string;
  loads: CacheLoad[];
}

async function runCache(opts: {
  dist: string;
  port: number;
  loads: number;
  panels: string | null;
}): Promise<CacheReport> {
  const panels = opts.panels ?? CACHE_PANELS;
  const { url, browser, close } = await openPreview(opts.dist, opts.port);
  try {
    const loads: CacheLoad[] = [];
    for (let i = 0; i < opts.loads; i++)
      for (const warmUp of i % 2 === 0 ? [true, false] : [false, true])
        loads.push(await cacheLoad(browser, url, { panels, warmUp }));
    return { cache: true, panels, loads };
  } finally {
    await close();
  }
}

type Options = { dist: string; port: number; actions: number; seed: number; panels: string | null } & (
  | { cache: false }
  | { cache: true; loads: number }
);

runAsScript('measure-page', (argv) =>
  pageMeasurementMain<Options, Report | CacheReport>(argv, {
    name: 'measure-page',
    usage:
      'usage: npm run measure:page -- [--dist dist] [--port 4195] [--actions 24] [--seed 1] [--panels a,b] [--json]\n' +
      '       npm run measure:page -- --cache [--loads 3] [--panels a,b] [--json]',
    port: 4195,
    options: {
      actions: { type: 'string' },
      seed: { type: 'string' },
      panels: { type: 'string' },
      cache: { type: 'boolean' },
      loads: { type: 'string' },
    },
    parse: (values, common) => {
      const base = {
        ...common,
        actions: wholeNumberOption('actions', values.actions as string | undefined, 24, 1),
        seed: wholeNumberOption('seed', values.seed as string | undefined, 1, 0),
        panels: (values.panels as string | undefined) ?? null,
      };
      if (values.cache !== true) {
        if (values.loads !== undefined) throw new Error('--loads counts the page loads of --cache: add --cache');
        return { ...base, cache: false };
      }
      if (base.panels !== null && !base.panels.split(',').includes('perf'))
        throw new Error(
          "--cache waits for the first GFLOPS figure, which the 'perf' panel shows: add perf to --panels",
        );
      return { ...base, cache: true, loads: wholeNumberOption('loads', values.loads as string | undefined, 3, 1) };
    },
    run: (o) => (o.cache ? runCache(o) : run(o)),
    format: (r) => ('cache' in r ? formatCacheTimings(r.loads, r.panels) : format(r)),
  }),
);
