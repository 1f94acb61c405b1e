// The tfjs namespace the xnnpack baselines are handed (Node and the browser load it differently).
import type * as TfCore from '@tensorflow/tfjs-core';

/** tfjs-core's namespace, with the wasm backend set. */
export type Tf = typeof TfCore;
