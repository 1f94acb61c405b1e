// The bench page's API (bench.html): the kernel worker's calls that `npm run bench -- --engine
// chromium` makes, through the playground's own client, so that the figures are the page's.
import type { BenchApi } from '../workers/kernel/protocol.ts';
import { createKernelClient } from '../workers/kernel/client.ts';

export type { BenchApi } from '../workers/kernel/protocol.ts';

// A bench's kernels may be timed for up to their budget plus a check of a large problem.
const CALL_LIMIT_MS = 600_000;

export function createBenchApi(): BenchApi {
  const client = createKernelClient({ timeLimitMs: CALL_LIMIT_MS, xnnpackTimeLimitMs: CALL_LIMIT_MS });
  return {
    target: () => client.init(),
    async measure(problemText, scheduleText, { threads, samples, budgetMs, full, seed }) {
      const { kernelBytes: _bytes, ...measurement } = await client.measure(problemText, scheduleText, {
        threads,
        samples,
        budgetMs,
        full,
        seed,
        minSamples: 3,
      });
      return measurement;
    },
    xnnpack: (problemText) => client.xnnpack(problemText),
    peak: (threads) => client.peak(threads),
  };
}
