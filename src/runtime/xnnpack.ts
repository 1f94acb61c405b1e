// The `xnnpack` baseline in Node (scripts/bench.ts): loads tfjs-core with the wasm backend from
// node_modules and runs the shared measurement of xnnpackCore.ts (see there for what is timed).
// The kernel worker loads tfjs its own way (xnnpackBrowser.ts).
import { createRequire } from 'node:module';
import path from 'node:path';
import type { Problem } from '../core/types.ts';
import type { KernelBuffers } from './buffers.ts';
import { xnnpackOp } from '../core/xnnpackOp.ts';
import { measureXnnpackWith, type Tf, type XnnpackMeasurement, type XnnpackOptions } from './xnnpackCore.ts';

export { measureXnnpackWith } from './xnnpackCore.ts';
export type { Tf, XnnpackMeasurement, XnnpackOptions } from './xnnpackCore.ts';

let tfReady: Promise<Tf> | null = null;

/** Loads tfjs-core with the wasm backend from node_modules, single-threaded. */
export function loadTfWasm(): Promise<Tf> {
  tfReady ??= (async () => {
    const tf = await import('@tensorflow/tfjs-core');
    const wasm = await import('@tensorflow/tfjs-backend-wasm');
    // In Node, Emscripten reads the .wasm with fs from a plain directory path (no file:// URL).
    const require = createRequire(import.meta.url);
    const dist =
      path.join(path.dirname(require.resolve('@tensorflow/tfjs-backend-wasm/package.json')), 'dist') + path.sep;
    wasm.setWasmPaths(dist);
    tf.env().set('WASM_HAS_MULTITHREAD_SUPPORT', false);
    if (!(await tf.setBackend('wasm'))) throw new Error('could not initialize the tfjs wasm backend');
    await tf.ready();
    return tf;
  })();
  return tfReady;
}

/**
 * Checks and times tf.matMul or tf.conv2d (see xnnpackOp) on the given buffers' inputs; null when
 * XNNPACK has no op for the problem (tfjs is then not loaded). Leaves the output zeroed.
 */
export async function measureXnnpack(
  problem: Problem,
  buffers: KernelBuffers,
  options: XnnpackOptions = {},
): Promise<XnnpackMeasurement | null> {
  if (!xnnpackOp(problem)) return null;
  return measureXnnpackWith(await loadTfWasm(), problem, buffers, options);
}
