// The `xnnpack` baseline for convolutions: tf.conv2d of @tensorflow/tfjs-backend-wasm, which runs
// XNNPACK's NHWC convolution, single-threaded like our kernels (shared by Node and the worker
// through xnnpackCore.ts, which dispatches here).
//
// Recognized (core/convShape.ts): a 'valid' convolution of one image, CHW with OIHW filters or HWC
// with HWIO or blocked filters, a stride on both axes. XNNPACK wants NHWC input and HWIO filters, so
// before timing (untimed) a CHW image is transposed to [1,H,W,CI] and any other filter copied to
// [KH,KW,CI,CO]; an HWC image is handed over as it is. tfjs-backend-wasm creates XNNPACK's operator,
// which packs the filter, on the first call (the untimed check) and keeps it per filter tensor. A blocked problem's output O[oh,ow,cb,cv] is NHWC's memory, so it needs no copy either.
//
// What is timed: per call, one `tf.conv2d` on tensors already living in the backend's heap, plus
// disposing the result (a CHW problem's NHWC output is not transposed back; the check does that, untimed).
import type { Tensor4D } from '@tensorflow/tfjs-core';
import { convShape, type ConvShape } from '../core/convShape.ts';
import type { Problem } from '../core/types.ts';
import type { KernelBuffers } from './buffers.ts';
import { convChannels, convFilter } from './convFilter.ts';
import { checkOutput, type CheckOptions, type CheckResult } from './check.ts';
import { measureThroughput, type TimingOptions } from './timing.ts';
import type { Tf } from './tf.ts';

export interface XnnpackConvMeasurement {
  gflops: number | null;
  gflopsMedian: number | null;
  check: CheckResult;
  shape: ConvShape;
}

/**
 * Checks and times tf.conv2d (of `tf`, already on its wasm backend) for a convolution-shaped
 * problem on the given buffers' inputs; null when the problem is not one. Leaves the output zeroed.
 */
export function measureXnnpackConvWith(
  tf: Tf,
  problem: Problem,
  buffers: KernelBuffers,
  options: { timing?: TimingOptions; check?: CheckOptions } = {},
): XnnpackConvMeasurement | null {
  const shape = convShape(problem);
  if (!shape) return null;
  const inputs = [buffers.in0, buffers.in1];
  const imageAccess = problem.inputs[shape.imageInput];
  const live: Array<{ dispose(): void }> = [];
  const keep = <T extends { dispose(): void }>(t: T): T => {
    live.push(t);
    return t;
  };
  try {
    const chw = shape.layout === 'chw';
    // Untimed: CHW -> NHWC and OIHW -> HWIO (an HWC problem is in XNNPACK's layout already).
    const [c, h, w] = chw ? imageAccess.shape : [imageAccess.shape[2], imageAccess.shape[0], imageAccess.shape[1]];
    const given = keep(tf.tensor(inputs[shape.imageInput].slice(), imageAccess.shape, 'float32'));
    const image = keep(tf.reshape(chw ? keep(tf.transpose(given, [1, 2, 0])) : given, [1, h, w, c])) as Tensor4D;
    const sizes = problem.sizes;
    const co = convChannels(problem, shape);
    const hwio = convFilter(problem, shape, inputs[1 - shape.imageInput], 'hwio');
    const filter = keep(
      tf.tensor(hwio, [sizes[shape.kh], sizes[shape.kw], sizes[shape.ci], co], 'float32'),
    ) as Tensor4D;
    const s = shape.stride;
    const conv = () => tf.conv2d(image, filter, s, 'valid');
    const [oh, ow] = [sizes[shape.oh], sizes[shape.ow]];
    const out = buffers.out;

    const check = checkOutput(
      problem,
      buffers,
      () => {
        const result = conv();
        const nhwc = result.dataSync() as Float32Array;
        result.dispose();
        if (nhwc.length !== co * oh * ow)
          throw new Error(`tf.conv2d returned ${nhwc.length} values, expected ${co * oh * ow}`);
        if (!chw) for (let i = 0; i < nhwc.length; i++) out[i] += nhwc[i];
        else
          for (let y = 0; y < oh; y++)
            for (let x = 0; x < ow; x++)
              for (let o = 0; o < co; o++) out[(o * oh + y) * ow + x] += nhwc[(y * ow + x) * co + o];
      },
      options.check,
    );
    if (!check.correct) return { gflops: null, gflopsMedian: null, check, shape };
    const t = measureThroughput(() => conv().dispose(), problem.flops, options.timing);
    return { gflops: t.gflops, gflopsMedian: t.gflopsMedian, check, shape };
  } finally {
    for (const t of live) t.dispose();
  }
}
