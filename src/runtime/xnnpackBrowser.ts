// tfjs-core with the wasm backend (XNNPACK) in the kernel worker. Only ever loaded with a dynamic
// `import()` (src/workers/kernel/api.ts, on the first `xnnpack` call), so neither the page's first load nor the
// worker's start pays for tfjs: Vite puts this module, tfjs and the backend into their own chunk,
// and the backend's .wasm files become hashed assets served through `setWasmPaths`.
//
// Single-threaded like our kernels; `WASM_HAS_MULTITHREAD_SUPPORT` is switched off before the
// backend starts, which also avoids the threaded build's hang in cross-origin-isolated pages.
import * as tf from '@tensorflow/tfjs-core';
import { setWasmPaths } from '@tensorflow/tfjs-backend-wasm';
import wasmPlain from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm.wasm?url';
import wasmSimd from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm-simd.wasm?url';
import wasmThreadedSimd from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm-threaded-simd.wasm?url';
import type { Tf } from './xnnpackCore.ts';

let ready: Promise<Tf> | null = null;

/** tfjs-core on its wasm backend, started once per worker. */
export function loadTfWasmBrowser(): Promise<Tf> {
  ready ??= (async () => {
    // setWasmPaths wants an entry for every binary, even those this configuration never fetches.
    setWasmPaths({
      'tfjs-backend-wasm.wasm': wasmPlain,
      'tfjs-backend-wasm-simd.wasm': wasmSimd,
      'tfjs-backend-wasm-threaded-simd.wasm': wasmThreadedSimd,
    });
    tf.env().set('WASM_HAS_MULTITHREAD_SUPPORT', false);
    if (!(await tf.setBackend('wasm'))) throw new Error('could not start the tfjs wasm backend');
    await tf.ready();
    return tf;
  })();
  // A failed start is not cached: the next call tries again.
  ready.catch(() => {
    ready = null;
  });
  return ready;
}
