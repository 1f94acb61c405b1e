// npm run measure:agent -- [--dist dist] [--port 4196] [--presets matmul-256,conv-3x3] [--runs 3]
//                           [--method agent|looptune] [--json]
//
// The in-page agent's tuning time (<= 1 s per problem in the page): for each preset, `--runs` fresh
// pages of the production build in Debian's Chromium; in each, after the page's own start-up
// measurements (first kernel, peak, bandwidth, XNNPACK), "Let the agent drive" once (cold: a fresh
// agent worker, kernels never compiled in it) and once more from the same start (repeat: V8 keeps
// the compiled kernels of identical modules, so they skip the slow first call in Liftoff). The
// figure is the panel's: the run's time in the agent's worker, not loading tfjs or the models. For
// the agent (the default): scoring candidates with the cost model, generating, compiling and timing
// the best few of them within 1 s; for LoopTune's agent: policy forward passes and 11 schedules.
// The machine is shared: read the numbers as noisy (the load average is printed with them).
import { loadavg } from 'node:os';
import type { Page } from '@playwright/test';
import { PRESETS } from '../src/core/problem.ts';
import { percentile } from './measure-page.ts';
import { newPage, openPreview, pageMeasurementMain, runAsScript, wholeNumberOption } from './previewPage.ts';

interface Rollout {
  tuningMs: number;
  /** Time of each step since the rollout started, ms. */
  stepsAtMs: number[];
  summary: string;
  /** Schedules measured (the search's; LoopTune's rollout measures the start and its 10 steps). */
  measured?: number;
}

interface PresetReport {
  preset: string;
  cold: Rollout[];
  repeat: Rollout[];
}

interface Report {
  presets: PresetReport[];
  loadAverage: number[];
  /** `uptime`'s load averages before the first page. */
  loadBefore: number[];
  method: 'agent' | 'looptune';
}

async function drive(page: Page): Promise<Rollout> {
  const panel = page.getByTestId('agent-panel');
  await panel.getByTestId('agent-drive').click();
  await page.waitForSelector(
    '[data-testid="agent-run"][data-status="done"], [data-testid="agent-run"][data-status="error"]',
    { timeout: 120_000 },
  );
  const summary = panel.getByTestId('agent-summary');
  const text = ((await summary.locator('p').first().textContent()) ?? '').split('·')[0].trim();
  if ((await panel.getByTestId('agent-run').getAttribute('data-status')) !== 'done')
    throw new Error(`the rollout failed: ${text}`);
  const stepsAtMs = await panel
    .locator('[data-elapsed-ms]')
    .evaluateAll((els) => els.map((e) => Number(e.getAttribute('data-elapsed-ms'))));
  const measured = /measured (\d+)\)/.exec(text)?.[1];
  return {
    tuningMs: Number(await summary.getAttribute('data-tuning-ms')),
    stepsAtMs,
    summary: text.replace(/\s+/g, ' '),
    ...(measured ? { measured: Number(measured) } : {}),
  };
}

async function run(opts: {
  dist: string;
  port: number;
  presets: string[];
  runs: number;
  method: 'agent' | 'looptune';
}): Promise<Report> {
  const loadBefore = loadavg();
  const { url, browser, close } = await openPreview(opts.dist, opts.port);
  const presets: PresetReport[] = [];
  try {
    for (const preset of opts.presets) {
      const report: PresetReport = { preset, cold: [], repeat: [] };
      for (let r = 0; r < opts.runs; r++) {
        const page = await newPage(browser);
        await page.goto(`${url}#preset=${preset}`);
        await page.getByTestId('agent-method').selectOption(opts.method);
        await page.waitForFunction(
          (method) => {
            const v = (id: string, a = 'data-value') =>
              document.querySelector(`[data-testid="${id}"]`)?.getAttribute(a);
            return (
              !!v('gflops') &&
              !!v('peak') &&
              ['done', 'error', 'n/a'].includes(v('xnnpack', 'data-state') ?? '') &&
              (method === 'agent' || v('agent-policy', 'data-status') === 'ready')
            );
          },
          opts.method,
          { timeout: 120_000 },
        );
        report.cold.push(await drive(page));
        // The same start again (the rollout's first position), once the player has stopped.
        await page.getByTestId('agent-play').waitFor({ timeout: 60_000 });
        await page.getByTestId('agent-step-0').click();
        report.repeat.push(await drive(page));
        await page.close();
      }
      presets.push(report);
    }
  } finally {
    await close();
  }
  return { presets, loadAverage: loadavg(), loadBefore, method: opts.method };
}

function format(r: Report): string {
  const ms = (xs: number[]) => `median ${percentile(xs, 50).toFixed(0)} ms, max ${Math.max(...xs).toFixed(0)} ms`;
  const lines = [
    r.method === 'agent'
      ? 'in-page agent tuning time (cost model + search in the agent worker; the best few measured within 1 s)'
      : 'in-page LoopTune tuning time (the rollout in the agent worker; 10 steps, 11 schedules measured)',
    `load average before: ${r.loadBefore.map((x) => x.toFixed(2)).join(' ')}`,
  ];
  for (const p of r.presets) {
    lines.push(`${p.preset}: cold ${ms(p.cold.map((x) => x.tuningMs))}; repeat ${ms(p.repeat.map((x) => x.tuningMs))}`);
    for (const x of p.cold)
      lines.push(`  cold: ${x.summary}${x.stepsAtMs.length ? ` | steps at ${x.stepsAtMs.join(' ')} ms` : ''}`);
    for (const x of p.repeat) lines.push(`  repeat: ${x.summary}`);
  }
  lines.push(
    `load average at the end: ${r.loadAverage.map((x) => x.toFixed(2)).join(' ')} (2 cores; a shared machine)`,
  );
  return lines.join('\n');
}

runAsScript('measure-agent', (argv) =>
  pageMeasurementMain(argv, {
    name: 'measure-agent',
    usage:
      'usage: npm run measure:agent -- [--dist dist] [--port 4196] [--presets matmul-256,conv-3x3] [--runs 3] [--method agent|looptune] [--json]',
    port: 4196,
    options: { presets: { type: 'string' }, runs: { type: 'string' }, method: { type: 'string' } },
    parse(values, common) {
      const presets = ((values.presets as string | undefined) ?? 'matmul-256,conv-3x3').split(',').map((s) => s.trim());
      const unknown = presets.find((id) => !PRESETS.some((p) => p.id === id));
      if (unknown !== undefined)
        throw new Error(`'${unknown}' is not a preset; the presets are ${PRESETS.map((p) => p.id).join(', ')}`);
      const method = (values.method as string | undefined) ?? 'agent';
      if (method !== 'agent' && method !== 'looptune')
        throw new Error(`'${method}' is not a method of the page's agent; use --method agent or --method looptune`);
      return {
        ...common,
        presets,
        runs: wholeNumberOption('runs', values.runs as string | undefined, 3, 1),
        method: method as 'agent' | 'looptune',
      };
    },
    run,
    format,
  }),
);
