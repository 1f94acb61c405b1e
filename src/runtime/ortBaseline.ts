// The threaded baseline for a problem: ORT's MatMul for a matmul-shaped one, its Conv for a
// convolution; null for anything else.
import type { Problem } from '../core/types.ts';
import type { KernelBuffers } from './buffers.ts';
import type { OrtMeasurement, OrtOptions } from './ort.ts';
import { measureOrtConv } from './ortConv.ts';
import { measureOrtMatmul } from './ortMatmul.ts';

export async function measureOrt(
  problem: Problem,
  buffers: KernelBuffers,
  threads: number,
  options: OrtOptions = {},
): Promise<OrtMeasurement | null> {
  return (
    (await measureOrtMatmul(problem, buffers, threads, options)) ??
    (await measureOrtConv(problem, buffers, threads, options))
  );
}
