// `npm run bench -- --engine chromium`: the kernels timed in Debian's Chromium, the engine the
// playground runs in, through the page's own kernel worker (bench.html, src/store/benchApi.ts) on the
// production build served by `vite preview`. Node 20's TurboFan and Chromium's Turboshaft spend
// registers differently (docs/codegen.md), so a tile's speed, and which tile is best, can differ
// between `npm run bench` and the page; this times what the page would show.
import { existsSync } from 'node:fs';
import path from 'node:path';
import type { BenchApi, Target } from '../src/workers/kernel/protocol.ts';
import { newPage, openPreview } from './previewPage.ts';

export const DEFAULT_BENCH_PORT = 4191;

/** The page's kernel worker, driven from Node: one Chromium, one page; the bench page's calls, its target known. */
export interface PageBench extends Omit<BenchApi, 'target'> {
  /** Chromium's version, as its user agent says. */
  engine: string;
  target: Target;
  close(): Promise<void>;
}

/** Why `dist` cannot serve the bench page, or null when it can. */
export function benchBuildProblem(dist: string): string | null {
  if (!existsSync(path.join(dist, 'bench.html')))
    return `no build with bench.html in ${dist}/ (run npm run build, or pass --dist)`;
  return null;
}

// The functions handed to page.evaluate run in the page: they name nothing of this module.
type BenchWindow = Window & { looplabBench: BenchApi };

/** Opens the bench page of the build in `dist` on `port`; the caller closes it. */
export async function openPageBench(dist: string, port: number): Promise<PageBench> {
  const problem = benchBuildProblem(dist);
  if (problem) throw new Error(problem);
  const preview = await openPreview(dist, port);
  try {
    const page = await newPage(preview.browser);
    const failures: string[] = [];
    page.on('pageerror', (e) => failures.push(e.message));
    await page.goto(`${preview.url}bench.html`);
    await page.waitForFunction(() => (window as Partial<BenchWindow>).looplabBench !== undefined, null, {
      timeout: 60_000,
    });
    const engine = await page.evaluate(
      () => navigator.userAgent.match(/Chrom(e|ium)\/[\d.]+/)?.[0] ?? navigator.userAgent,
    );
    const target = await page.evaluate(() => (window as BenchWindow).looplabBench.target());
    const failed = <T>(p: Promise<T>) =>
      p.catch((e: unknown) => {
        throw failures.length > 0 ? new Error(`${String(e)} (the page: ${failures.join('; ')})`) : e;
      });
    return {
      engine,
      target,
      measure: (problemText, scheduleText, options) =>
        failed(
          page.evaluate(([p, s, o]) => (window as BenchWindow).looplabBench.measure(p, s, o), [
            problemText,
            scheduleText,
            options,
          ] as const),
        ),
      xnnpack: (problemText) =>
        failed(page.evaluate((p) => (window as BenchWindow).looplabBench.xnnpack(p), problemText)),
      peak: (threads) => failed(page.evaluate((n) => (window as BenchWindow).looplabBench.peak(n), threads)),
      close: () => preview.close(),
    };
  } catch (e) {
    await preview.close();
    throw e;
  }
}
