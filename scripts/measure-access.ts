// npm run measure:access -- [--dist dist] [--port 4197] [--seconds 4] [--json]
//
// How smooth the access-pattern view plays (issue 5: smooth up to 64 per dimension, larger ones
// sampled): the production build in Debian's Chromium, the access panel alone beside the nest,
// matmul 64^3 (every element drawn) and 256^3 (downsampled), at a slow, a fast and the top speed.
// In the same page it first counts animation frames while nothing plays: the frame rate the
// machine gives this page right now. Each figure is then read against that: frames per second
// while playing over idle, and the worst frame. Long tasks (>= 50 ms) are counted too. The
// machine is shared: the load average is printed with the numbers.
import { loadavg } from 'node:os';
import type { Page } from '@playwright/test';
import { percentile } from './measure-page.ts';
import { newPage, openPreview, pageMeasurementMain, runAsScript, wholeNumberOption } from './previewPage.ts';

const CASES = [
  { preset: 'matmul-64', speeds: [64, 4096, 65536] },
  { preset: 'matmul-256', speeds: [64, 4096, 65536] },
];

interface Frames {
  fps: number;
  /** Frame intervals, ms. */
  p50: number;
  p95: number;
  worst: number;
  longTasks: number;
}

interface Row extends Frames {
  preset: string;
  speed: number;
  /** fps while playing / fps idle in the same page just before. */
  ofIdle: number;
  /** Steps the view advanced while measured. */
  steps: number;
}

interface Report {
  idle: Array<{ preset: string } & Frames>;
  rows: Row[];
  loadAverage: number[];
}

/** Animation frames and long tasks in the page over `ms`. */
async function frames(page: Page, ms: number): Promise<Frames> {
  const t = await page.evaluate(
    (duration) =>
      new Promise<{ times: number[]; longTasks: number }>((resolve) => {
        const times: number[] = [];
        let longTasks = 0;
        const observer = new PerformanceObserver((list) => (longTasks += list.getEntries().length));
        observer.observe({ type: 'longtask' });
        const start = performance.now();
        const tick = (now: number) => {
          times.push(now);
          if (now - start < duration) requestAnimationFrame(tick);
          else {
            observer.disconnect();
            resolve({ times, longTasks });
          }
        };
        requestAnimationFrame(tick);
      }),
    ms,
  );
  const gaps = t.times.slice(1).map((x, i) => x - t.times[i]);
  const span = t.times[t.times.length - 1] - t.times[0];
  return {
    fps: (1000 * gaps.length) / span,
    p50: percentile(gaps, 50),
    p95: percentile(gaps, 95),
    worst: Math.max(...gaps),
    longTasks: t.longTasks,
  };
}

const stepOf = async (page: Page) =>
  Number((/step (\d+)/.exec((await page.getByTestId('access-status').textContent()) ?? '') ?? [])[1] ?? 0);

async function run(opts: { dist: string; port: number; seconds: number }): Promise<Report> {
  const { url, browser, close } = await openPreview(opts.dist, opts.port);
  const report: Report = { idle: [], rows: [], loadAverage: [] };
  try {
    for (const c of CASES) {
      const page = await newPage(browser);
      await page.goto(`${url}#preset=${c.preset}&panels=nest,access`);
      await page.getByTestId('access-play').waitFor();
      const idle = await frames(page, opts.seconds * 1000);
      report.idle.push({ preset: c.preset, ...idle });
      for (const speed of c.speeds) {
        await page.getByTestId('access-reset').click();
        await page.getByTestId('access-speed').selectOption(String(speed));
        await page.getByTestId('access-play').click();
        const from = await stepOf(page);
        const f = await frames(page, opts.seconds * 1000);
        const to = await stepOf(page);
        if ((await page.getByTestId('access-play').getAttribute('aria-pressed')) === 'true')
          await page.getByTestId('access-play').click();
        report.rows.push({ preset: c.preset, speed, ...f, ofIdle: f.fps / idle.fps, steps: to - from });
      }
      await page.close();
    }
  } finally {
    await close();
  }
  report.loadAverage = loadavg();
  return report;
}

function format(r: Report): string {
  const f = (x: number) => x.toFixed(0);
  const lines = [
    'access-pattern view, animation frames (fps; frame interval p50 / p95 / worst, ms; long tasks >= 50 ms)',
  ];
  for (const i of r.idle) {
    lines.push(
      `${i.preset} idle: ${f(i.fps)} fps; ${f(i.p50)} / ${f(i.p95)} / ${f(i.worst)} ms; ${i.longTasks} long tasks`,
    );
    for (const x of r.rows.filter((row) => row.preset === i.preset)) {
      lines.push(
        `  playing at ${x.speed} steps/s: ${f(x.fps)} fps = ${(100 * x.ofIdle).toFixed(0)}% of idle; ${f(x.p50)} / ${f(x.p95)} / ${f(x.worst)} ms; ${x.longTasks} long tasks; ${x.steps} steps shown`,
      );
    }
  }
  lines.push(
    `load average at the end: ${r.loadAverage.map((x) => x.toFixed(1)).join(' ')} (2 cores; a shared machine)`,
  );
  return lines.join('\n');
}

runAsScript('measure-access', (argv) =>
  pageMeasurementMain(argv, {
    name: 'measure-access',
    usage: 'usage: npm run measure:access -- [--dist dist] [--port 4197] [--seconds 4] [--json]',
    port: 4197,
    options: { seconds: { type: 'string' } },
    parse: (values, common) => ({
      ...common,
      seconds: wholeNumberOption('seconds', values.seconds as string | undefined, 4, 1),
    }),
    run,
    format,
  }),
);
