// ORT's Conv (MLAS's convolution: im2col + SGEMM, threaded) for convolution-shaped problems
// (core/convShape.ts): the threaded convolution baseline (ort.ts).
//
// ONNX Conv takes NCHW input and OIHW filters: a CHW problem is handed over as it is, an HWC image
// is transposed first and an HWIO or blocked filter copied to OIHW (untimed; the filter is a graph
// input, see ort.ts), and an HWC result transposed back when checked (untimed).
import { convShape } from '../core/convShape.ts';
import type { Problem } from '../core/types.ts';
import type { KernelBuffers } from './buffers.ts';
import { convChannels, convFilter } from './convFilter.ts';
import { convModelBytes } from './onnxModels.ts';
import { type OrtMeasurement, type OrtOptions, measureOrtModel } from './ort.ts';

/** [a][b][c] -> [c][a][b] (HWC -> CHW). */
function cFirst(data: Float32Array, a: number, b: number, c: number): Float32Array {
  const out = new Float32Array(a * b * c);
  for (let i = 0; i < a; i++)
    for (let j = 0; j < b; j++) for (let k = 0; k < c; k++) out[(k * a + i) * b + j] = data[(i * b + j) * c + k];
  return out;
}

/**
 * Checks and times ORT's Conv for a convolution-shaped problem on the buffers' inputs, on `threads`
 * threads; null when the problem is not one. Leaves the output zeroed.
 */
export async function measureOrtConv(
  problem: Problem,
  buffers: KernelBuffers,
  threads: number,
  options: OrtOptions = {},
): Promise<OrtMeasurement | null> {
  const shape = convShape(problem);
  if (!shape) return null;
  const chw = shape.layout === 'chw';
  const image = problem.inputs[shape.imageInput];
  const imageData = shape.imageInput === 0 ? buffers.in0 : buffers.in1;
  const filterData = shape.imageInput === 0 ? buffers.in1 : buffers.in0;
  const [ci, h, w] = chw ? image.shape : [image.shape[2], image.shape[0], image.shape[1]];
  const sizes = problem.sizes;
  const [co, oh, ow] = [convChannels(problem, shape), sizes[shape.oh], sizes[shape.ow]];
  const [kh, kw] = [sizes[shape.kh], sizes[shape.kw]];
  const x = [1, ci, h, w];
  const wDims = [co, ci, kh, kw];
  const y = [1, co, oh, ow];
  return measureOrtModel(
    problem,
    buffers,
    threads,
    {
      bytes: convModelBytes(x, wDims, y, shape.stride),
      inputs: {
        X: { data: chw ? imageData.slice(0, ci * h * w) : cFirst(imageData, h, w, ci), dims: x },
        W: { data: convFilter(problem, shape, filterData, 'oihw'), dims: wDims },
      },
      output: 'Y',
      addInto(result, out) {
        if (result.length !== co * oh * ow)
          throw new Error(`ORT's Conv returned ${result.length} values, expected ${co * oh * ow}`);
        if (chw) for (let i = 0; i < result.length; i++) out[i] += result[i];
        else
          for (let o = 0; o < co; o++)
            for (let r = 0; r < oh; r++)
              for (let c = 0; c < ow; c++) out[(r * ow + c) * co + o] += result[(o * oh + r) * ow + c];
      },
    },
    options,
  );
}
