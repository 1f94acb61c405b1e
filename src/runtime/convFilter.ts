// A convolution's filter in a baseline's layout (HWIO for XNNPACK, OIHW for ORT's Conv), copied
// from the problem's own filter layout (core/convShape.ts: OIHW, HWIO or blocked in micro-panels
// of output channels), untimed, as the baselines prepare their weights.
import type { ConvShape } from '../core/convShape.ts';
import type { Problem } from '../core/types.ts';

/** All output channels: co, or cb x cv when the channel is split. */
export function convChannels(problem: Problem, shape: ConvShape): number {
  return problem.sizes[shape.co] * (shape.coInner === null ? 1 : problem.sizes[shape.coInner]);
}

/** The filter `data` (in the problem's layout) as [KH,KW,CI,CO] (`hwio`) or [CO,CI,KH,KW] (`oihw`). */
export function convFilter(
  problem: Problem,
  shape: ConvShape,
  data: Float32Array,
  order: 'hwio' | 'oihw',
): Float32Array {
  const sizes = problem.sizes;
  const stride: Record<string, number> = {};
  let step = 1;
  for (const v of [...shape.filterVars].reverse()) {
    stride[v] = step;
    step *= sizes[v];
  }
  const [kh, kw, ci] = [sizes[shape.kh], sizes[shape.kw], sizes[shape.ci]];
  const co = convChannels(problem, shape);
  const inner = shape.coInner === null ? 1 : sizes[shape.coInner];
  const innerStride = shape.coInner === null ? 0 : stride[shape.coInner];
  const out = new Float32Array(kh * kw * ci * co);
  for (let o = 0; o < co; o++) {
    const oBase = Math.floor(o / inner) * stride[shape.co] + (o % inner) * innerStride;
    for (let i = 0; i < ci; i++)
      for (let y = 0; y < kh; y++)
        for (let x = 0; x < kw; x++) {
          const to = order === 'hwio' ? ((y * kw + x) * ci + i) * co + o : ((o * ci + i) * kh + y) * kw + x;
          out[to] = data[oBase + i * stride[shape.ci] + y * stride[shape.kh] + x * stride[shape.kw]];
        }
  }
  return out;
}
