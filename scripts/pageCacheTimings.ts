// `npm run measure:page -- --cache`: how long the page's cache simulations take in Chromium, the
// first one after a fresh load (a fresh cache worker) and the later ones. Each load opens matmul
// 256^3 on a register-tiled schedule, waits for its simulated figures, then types the other
// orders of its three outer loops (the same 3.7 M accesses each) and waits for theirs. The page
// records every simulation as a User Timing entry (src/core/cache/timings.ts): from its request
// to its figures, and the simulation's own time in the worker. Loads alternate with the cache
// worker's warm-up on and off (`?cache-warm-up=off`), so the two are compared within one run, and
// the first GFLOPS figure's time after navigation is read for both: the warm-up must not delay it.
// On a shared machine a wall time includes the time the worker waited for a core; a Chromium trace
// of each load gives the worker's CPU time in the task that ran each simulation too.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Browser, Page } from '@playwright/test';
import {
  CACHE_SIMULATION_ENTRY,
  CACHE_WARM_UP_ENTRY,
  CACHE_WARM_UP_PARAM,
  CACHE_WORKER_ENTRY,
  type CacheSimulationTiming,
} from '../src/core/cache/timings.ts';
import { newPage } from './previewPage.ts';

/** The register-tiled 256^3 schedule of issue 18's speed target, then the other orders of its outer loops. */
export const CACHE_SCHEDULES = [
  'k:16 m:64 n:32 k:16 m:4 n:8',
  'm:64 k:16 n:32 k:16 m:4 n:8',
  'n:32 m:64 k:16 k:16 m:4 n:8',
  'k:16 n:32 m:64 k:16 m:4 n:8',
  'm:64 n:32 k:16 k:16 m:4 n:8',
  'n:32 k:16 m:64 k:16 m:4 n:8',
];

export interface SimulationSample {
  schedule: string;
  /** From the page's request to the figures in the store (ms). */
  requestMs: number;
  /** The simulation itself in the worker (ms). */
  simulateMs: number;
  method: string;
  /** When it was asked, after the first GFLOPS figure (ms). */
  askedAfterFigureMs: number;
  /** The worker's longest task in the span (the simulation's): wall and CPU time (ms; null: not in the trace). */
  task: { wallMs: number; cpuMs: number } | null;
}

export interface CacheLoad {
  warmUp: boolean;
  /** Navigation -> first GFLOPS figure (ms, wall time in the script). */
  firstFigureMs: number;
  /** The warm-up: asked how long after the first figure, and how long it took (null: none). */
  warmUpSpan: {
    afterFigureMs: number;
    ms: number;
    detail: unknown;
    task: { wallMs: number; cpuMs: number } | null;
  } | null;
  simulations: SimulationSample[];
}

export interface TraceEvent {
  name: string;
  ph: string;
  pid: number;
  tid: number;
  ts: number;
  dur?: number;
  tdur?: number;
  args?: { name?: string; data?: { type?: string } };
}

/** User Timing spans of `name` in a Chromium trace (µs): its nestable async begin and end events. */
export function traceSpans(events: TraceEvent[], name: string): Array<{ start: number; end: number }> {
  const begins = events.filter((e) => e.name === name && e.ph === 'b').sort((a, b) => a.ts - b.ts);
  const ends = events.filter((e) => e.name === name && e.ph === 'e').sort((a, b) => a.ts - b.ts);
  return begins.map((b, i) => ({ start: b.ts, end: ends[i]?.ts ?? b.ts }));
}

/**
 * The cache worker's longest task (by CPU time) that started within a span: the simulation
 * itself, which runs in one task. The worker's thread is the one that recorded CACHE_WORKER_ENTRY
 * (the kernel and XNNPACK workers run beside it). Wall and CPU time in ms.
 */
export function workerTaskIn(
  events: TraceEvent[],
  span: { start: number; end: number },
): { wallMs: number; cpuMs: number } | null {
  const workers = new Set(
    events.filter((e) => e.name === CACHE_WORKER_ENTRY && e.ph === 'b').map((e) => `${e.pid}:${e.tid}`),
  );
  let best: TraceEvent | null = null;
  for (const e of events) {
    if (e.ph !== 'X' || e.name !== 'RunTask' || !workers.has(`${e.pid}:${e.tid}`)) continue;
    // Started within the span (it may end a little after the page has the answer it posted).
    if (e.ts < span.start || e.ts > span.end) continue;
    if (!best || (e.tdur ?? 0) > (best.tdur ?? 0)) best = e;
  }
  return best ? { wallMs: (best.dur ?? 0) / 1000, cpuMs: (best.tdur ?? best.dur ?? 0) / 1000 } : null;
}

interface PageEntry {
  startTime: number;
  duration: number;
  detail: unknown;
}

function readEntries(page: Page) {
  return page.evaluate(
    ([sim, warm]) => {
      const pick = (name: string) =>
        performance
          .getEntriesByName(name)
          .map((e) => ({ startTime: e.startTime, duration: e.duration, detail: (e as PerformanceMeasure).detail }));
      const gflops = (window as unknown as { __firstFigureAt?: number }).__firstFigureAt ?? Number.NaN;
      return { simulations: pick(sim), warmUps: pick(warm), firstFigureAt: gflops };
    },
    [CACHE_SIMULATION_ENTRY, CACHE_WARM_UP_ENTRY] as const,
  );
}

/** Installed before the page's scripts: the page time at which the first GFLOPS figure got its value. */
function watchFirstFigure() {
  const w = window as unknown as { __firstFigureAt?: number };
  const watch = () =>
    new MutationObserver(() => {
      if (
        w.__firstFigureAt === undefined &&
        document.querySelector('[data-testid="gflops"]')?.getAttribute('data-value')
      )
        w.__firstFigureAt = performance.now();
    }).observe(document.documentElement, { subtree: true, attributes: true, attributeFilter: ['data-value'] });
  if (document.documentElement) watch();
  else document.addEventListener('DOMContentLoaded', watch);
}

async function waitForSimulation(page: Page, schedule: string) {
  await page.waitForFunction(
    ([name, s]) =>
      performance
        .getEntriesByName(name)
        .some((e) => ((e as PerformanceMeasure).detail as { schedule?: string } | null)?.schedule === s),
    [CACHE_SIMULATION_ENTRY, schedule] as const,
    { timeout: 120_000 },
  );
}

async function typeSchedule(page: Page, text: string) {
  await page.getByTestId('schedule-edit').click();
  await page.getByTestId('schedule-input').fill(text);
  await page.keyboard.press('Enter');
  await page.getByTestId('schedule').filter({ hasText: text }).waitFor({ timeout: 30_000 });
}

/** One fresh page (a fresh cache worker): the first simulation, then the later ones. */
export async function cacheLoad(
  browser: Browser,
  url: string,
  opts: { panels: string; warmUp: boolean; schedules?: string[] },
): Promise<CacheLoad> {
  const schedules = opts.schedules ?? CACHE_SCHEDULES;
  const page = await newPage(browser);
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  await page.addInitScript(watchFirstFigure);
  const traceDir = mkdtempSync(path.join(tmpdir(), 'looplab-trace-'));
  const tracePath = path.join(traceDir, 'trace.json');
  await browser.startTracing(page, {
    path: tracePath,
    categories: ['devtools.timeline', 'disabled-by-default-devtools.timeline', 'blink.user_timing'],
  });
  try {
    const search = opts.warmUp ? '' : `?${CACHE_WARM_UP_PARAM}=off`;
    const hash = `#preset=matmul-256&s=${encodeURIComponent(schedules[0])}&panels=${opts.panels}`;
    const t0 = Date.now();
    await page.goto(`${url}${search}${hash}`);
    await page.waitForFunction(
      () => document.querySelector('[data-testid="gflops"]')?.getAttribute('data-value'),
      null,
      { timeout: 120_000 },
    );
    const firstFigureMs = Date.now() - t0;
    await waitForSimulation(page, schedules[0]);
    for (const schedule of schedules.slice(1)) {
      await typeSchedule(page, schedule);
      await waitForSimulation(page, schedule);
    }
    const read = await readEntries(page);
    await browser.stopTracing();
    const parsed = JSON.parse(readFileSync(tracePath, 'utf8')) as { traceEvents?: TraceEvent[] } | TraceEvent[];
    const events = Array.isArray(parsed) ? parsed : (parsed.traceEvents ?? []);
    const simulationSpans = traceSpans(events, CACHE_SIMULATION_ENTRY);
    const warmUpSpans = traceSpans(events, CACHE_WARM_UP_ENTRY);
    if (errors.length > 0) throw new Error(`the page threw: ${errors.join('; ')}`);
    const after = (e: PageEntry) => e.startTime - read.firstFigureAt;
    const warm = read.warmUps[0];
    const taskIn = (span: { start: number; end: number } | undefined) => (span ? workerTaskIn(events, span) : null);
    return {
      warmUp: opts.warmUp,
      firstFigureMs,
      warmUpSpan: warm
        ? { afterFigureMs: after(warm), ms: warm.duration, detail: warm.detail, task: taskIn(warmUpSpans[0]) }
        : null,
      simulations: read.simulations.map((e, i) => {
        const d = e.detail as CacheSimulationTiming;
        return {
          schedule: d.schedule,
          requestMs: e.duration,
          simulateMs: d.simulateMs,
          method: d.method,
          askedAfterFigureMs: after(e),
          task: taskIn(simulationSpans[i]),
        };
      }),
    };
  } finally {
    await page.close();
    rmSync(traceDir, { recursive: true, force: true });
  }
}

const median = (values: number[]) => {
  if (values.length === 0) return Number.NaN;
  const s = [...values].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

/** The figures of the loads with one setting: medians, and every first simulation. */
export function summarize(loads: CacheLoad[]) {
  const firsts = loads.map((l) => l.simulations[0]).filter((s) => s !== undefined);
  const later = loads.flatMap((l) => l.simulations.slice(1).filter((s) => CACHE_SCHEDULES.includes(s.schedule)));
  return {
    loads: loads.length,
    firstFigureMs: median(loads.map((l) => l.firstFigureMs)),
    firstRequestMs: median(firsts.map((s) => s.requestMs)),
    firstSimulateMs: median(firsts.map((s) => s.simulateMs)),
    laterRequestMs: median(later.map((s) => s.requestMs)),
    laterSimulateMs: median(later.map((s) => s.simulateMs)),
    firstCpuMs: median(firsts.flatMap((s) => (s.task ? [s.task.cpuMs] : []))),
    laterCpuMs: median(later.flatMap((s) => (s.task ? [s.task.cpuMs] : []))),
    firsts: firsts.map((s) => ({
      request: s.requestMs,
      simulate: s.simulateMs,
      cpu: s.task?.cpuMs ?? Number.NaN,
      askedAfterFigure: s.askedAfterFigureMs,
    })),
    warmUps: loads.flatMap((l) => (l.warmUpSpan ? [l.warmUpSpan] : [])),
  };
}

export function formatCacheTimings(loads: CacheLoad[], panels: string): string {
  const ms = (v: number) => `${v.toFixed(0)} ms`;
  const lines = [
    `matmul 256^3, ${CACHE_SCHEDULES[0]} first, then ${CACHE_SCHEDULES.length - 1} other orders of its outer loops (zen4, 3.7 M accesses each); panels ${panels}`,
    'each simulation: request -> figures / the simulation in the worker (wall) / its task in the worker (CPU time, from the trace)',
  ];
  for (const warmUp of [true, false]) {
    const s = summarize(loads.filter((l) => l.warmUp === warmUp));
    if (s.loads === 0) continue;
    lines.push(
      `warm-up ${warmUp ? 'on ' : 'off'} (${s.loads} loads): first GFLOPS figure ${ms(s.firstFigureMs)} after navigation (median)`,
      `  first simulation: ${ms(s.firstRequestMs)} / ${ms(s.firstSimulateMs)} / ${ms(s.firstCpuMs)} CPU (medians); each: ` +
        s.firsts
          .map(
            (f) =>
              `${f.request.toFixed(0)}/${f.simulate.toFixed(0)}/${f.cpu.toFixed(0)} (asked ${ms(f.askedAfterFigure)} after the figure)`,
          )
          .join(', '),
      `  later simulations: ${ms(s.laterRequestMs)} / ${ms(s.laterSimulateMs)} / ${ms(s.laterCpuMs)} CPU (medians)`,
    );
    if (s.warmUps.length > 0)
      lines.push(
        `  warm-ups: ${s.warmUps
          .map(
            (w) =>
              `asked ${ms(w.afterFigureMs)} after the figure, took ${ms(w.ms)} (${w.task ? `longest task ${ms(w.task.cpuMs)} CPU` : 'no task in the trace'}) ${JSON.stringify(w.detail, (_, v) => (typeof v === 'number' ? Math.round(v * 10) / 10 : v))}`,
          )
          .join('; ')}`,
      );
  }
  lines.push('shared, noisy machine: compare figures within one run');
  return lines.join('\n');
}
