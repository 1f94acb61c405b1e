// The bench page (bench.html): the playground's kernel worker alone, for `npm run bench -- --engine
// chromium` (scripts/benchChromium.ts drives it) to time kernels in the engine the playground runs in.
import { type BenchApi, createBenchApi } from '../store/benchApi.ts';

declare global {
  interface Window {
    looplabBench?: BenchApi;
  }
}

window.looplabBench = createBenchApi();
