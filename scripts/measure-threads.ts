// npm run measure:threads -- [--dist dist] [--port 4197] [--preset matmul-512]
//                            [--schedule "||m:4 k:16 m:64 n k:32 m:2 n:16"] [--threads 2] [--rounds 3] [--json]
//
// The speedup of a parallel schedule in the page: the production build in Debian's Chromium, one
// page, the schedule's refined figure (median of samples interleaved with the reference kernel)
// on one thread and on --threads, alternating in --rounds rounds (each round chooses the thread
// count in the performance panel, then re-measures with `b` so that every round is a new
// measurement). The ratio of each round is printed, and their median: a ratio from one run, as
// the machine is shared (the load average is printed with it).
import { loadavg } from 'node:os';
import type { Page } from '@playwright/test';
import { PRESETS } from '../src/core/problem.ts';
import { percentile } from './measure-page.ts';
import { newPage, openPreview, pageMeasurementMain, runAsScript, wholeNumberOption } from './previewPage.ts';

const DEFAULT_SCHEDULE = '||m:4 k:16 m:64 n k:32 m:2 n:16';

interface Options {
  dist: string;
  port: number;
  preset: string;
  schedule: string;
  threads: number;
  rounds: number;
}

interface Round {
  oneThread: number;
  onThreads: number;
  ratio: number;
}

interface Report {
  preset: string;
  schedule: string;
  threads: number;
  rounds: Round[];
  medianRatio: number;
  peakOnThreads: number | null;
  peak: number | null;
  loadAverage: number[];
}

/** The refined figure of the current schedule on `threads`, after a fresh `b` re-measure. */
async function refinedOn(page: Page, threads: number): Promise<number> {
  await page.getByTestId('threads-select').selectOption(String(threads));
  const figure = page.getByTestId('gflops');
  const threadsFigure = page.getByTestId('threads-figure');
  await page.waitForFunction(
    (t) =>
      document.querySelector('[data-testid="threads-figure"]')?.getAttribute('data-value') === String(t) &&
      document.querySelector('[data-testid="gflops"]')?.getAttribute('data-stage') === 'refined',
    threads,
    { timeout: 180_000 },
  );
  // A new long run, so that each round measures again rather than reading a kept figure.
  await page.keyboard.press('b');
  await page.getByTestId('long-run-progress').waitFor({ state: 'attached', timeout: 30_000 });
  await page.getByTestId('long-run-progress').waitFor({ state: 'detached', timeout: 180_000 });
  await page.waitForFunction(() => document.querySelector('[data-testid="long-run-badge"]') !== null, null, {
    timeout: 30_000,
  });
  if ((await threadsFigure.getAttribute('data-value')) !== String(threads))
    throw new Error(`the figure is not on ${threads} threads`);
  return Number(await figure.getAttribute('data-value'));
}

async function run(opts: Options): Promise<Report> {
  const { url, browser, close } = await openPreview(opts.dist, opts.port);
  try {
    const page = await newPage(browser);
    await page.goto(`${url}#preset=${opts.preset}&s=${encodeURIComponent(opts.schedule)}`);
    await page.waitForFunction(
      () => document.querySelector('[data-testid="cross-origin-isolated"]')?.getAttribute('data-value') === 'true',
      null,
      { timeout: 60_000 },
    );
    if ((await page.getByTestId('threads-select').count()) === 0)
      throw new Error('threads are off in this page (no thread chooser)');
    const rounds: Round[] = [];
    for (let r = 0; r < opts.rounds; r++) {
      const oneThread = await refinedOn(page, 1);
      const onThreads = await refinedOn(page, opts.threads);
      rounds.push({ oneThread, onThreads, ratio: onThreads / oneThread });
      process.stderr.write(
        `measure-threads: round ${r + 1}: ${oneThread.toFixed(1)} GFLOPS on 1 thread, ${onThreads.toFixed(1)} on ${opts.threads}\n`,
      );
    }
    const value = async (id: string) => {
      const v = await page.getByTestId(id).getAttribute('data-value');
      return v ? Number(v) : null;
    };
    const report: Report = {
      preset: opts.preset,
      schedule: opts.schedule,
      threads: opts.threads,
      rounds,
      medianRatio: percentile(
        rounds.map((x) => x.ratio),
        50,
      ),
      peakOnThreads: await value('peak-on-threads'),
      peak: await value('peak'),
      loadAverage: loadavg(),
    };
    await page.close();
    return report;
  } finally {
    await close();
  }
}

function format(r: Report): string {
  const lines = [`${r.preset}, ${r.schedule}: refined figures on 1 and ${r.threads} threads, alternating`];
  for (const [i, x] of r.rounds.entries())
    lines.push(
      `  round ${i + 1}: ${x.oneThread.toFixed(1)} -> ${x.onThreads.toFixed(1)} GFLOPS = ${x.ratio.toFixed(2)}x`,
    );
  lines.push(`median speedup on ${r.threads} threads: ${r.medianRatio.toFixed(2)}x`);
  if (r.peak !== null && r.peakOnThreads !== null)
    lines.push(
      `peak: ${r.peak.toFixed(1)} GFLOPS on 1 thread, ${r.peakOnThreads.toFixed(1)} on ${r.threads} (${(r.peakOnThreads / r.peak).toFixed(2)}x)`,
    );
  lines.push(`load average at the end: ${r.loadAverage.map((x) => x.toFixed(1)).join(' ')} (a shared machine)`);
  return lines.join('\n');
}

runAsScript('measure-threads', (argv) =>
  pageMeasurementMain(argv, {
    name: 'measure-threads',
    usage:
      'usage: npm run measure:threads -- [--dist dist] [--port 4197] [--preset matmul-512] [--schedule "||m:4 k:16 m:64 n k:32 m:2 n:16"] [--threads 2] [--rounds 3] [--json]',
    port: 4197,
    options: {
      preset: { type: 'string' },
      schedule: { type: 'string' },
      threads: { type: 'string' },
      rounds: { type: 'string' },
    },
    parse(values, common) {
      const preset = (values.preset as string | undefined) ?? 'matmul-512';
      if (!PRESETS.some((p) => p.id === preset))
        throw new Error(`'${preset}' is not a preset; the presets are ${PRESETS.map((p) => p.id).join(', ')}`);
      const schedule = (values.schedule as string | undefined) ?? DEFAULT_SCHEDULE;
      if (!schedule.includes('||'))
        throw new Error(`the schedule '${schedule}' has no parallel loop; mark one with ||, like '||m n k'`);
      return {
        ...common,
        preset,
        schedule,
        threads: wholeNumberOption('threads', values.threads as string | undefined, 2, 2),
        rounds: wholeNumberOption('rounds', values.rounds as string | undefined, 3, 1),
      };
    },
    run,
    format,
  }),
);
