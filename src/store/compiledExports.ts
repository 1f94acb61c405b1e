// The exports that compile elsewhere: Halide (C++) and C with wasm SIMD intrinsics. Their writers
// (codegen/halideExport.ts, codegen/simdCExport.ts) are loaded only when one of them is asked for,
// so the page's first load does not carry them.
import { halideExport } from '../codegen/halideExport.ts';
import { simdCExport } from '../codegen/simdCExport.ts';
import type { ExportState } from './exchange.ts';
import { currentMeasurement } from './measurement.ts';

/**
 * The current schedule as a Halide C++ program (codegen/halideExport.ts). With the measured
 * kernel's report, the loops the generator unrolls are unrolled in Halide too.
 */
export function exportHalide(s: ExportState): string {
  return halideExport(s.problem, s.current.schedule, currentMeasurement(s)?.report).source;
}

/**
 * The current schedule's kernel as C with wasm SIMD intrinsics (codegen/simdCExport.ts), written
 * from the generator's report of the measured kernel: refused, in words, until there is one.
 */
export function exportSimdC(s: ExportState): string {
  const report = currentMeasurement(s)?.report;
  if (!report)
    throw new Error(
      "it is written from the code generator's report of this schedule's kernel, which comes with its measurement; wait for the GFLOPS figure",
    );
  return simdCExport(s.problem, s.current.schedule, report);
}
