// Which SIMD features this engine validates (a module containing a relaxed opcode fails to
// compile where relaxed SIMD is missing, so the generator must know before emitting), and how
// its optimizing compiler spends registers on an unrolled tile.
import type { Target } from './types.ts';

// (module (func (param v128 v128 v128) (result v128)
//   local.get 0 local.get 1 local.get 2 f32x4.relaxed_madd))
const RELAXED_MADD_PROBE = new Uint8Array([
  0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00, 0x01, 0x08, 0x01, 0x60, 0x03, 0x7b, 0x7b, 0x7b, 0x01, 0x7b, 0x03,
  0x02, 0x01, 0x00, 0x0a, 0x0d, 0x01, 0x0b, 0x00, 0x20, 0x00, 0x20, 0x01, 0x20, 0x02, 0xfd, 0x85, 0x02, 0x0b,
]);

/**
 * V8 before 12 (Node 20) optimizes wasm with TurboFan, whose scheduler puts all of a tile's loads
 * before its multiply-adds (seen in `node --print-wasm-code`); Chromium 156's Turboshaft keeps the
 * emitted order. Browsers do not say which V8 they run; the ones this page supports are newer.
 */
function hoistsLoads(): boolean {
  const v8 = typeof process !== 'undefined' ? process.versions?.v8 : undefined;
  return typeof v8 === 'string' && Number(v8.split('.')[0]) < 12;
}

export function detectTarget(): Target {
  return { relaxedSimd: WebAssembly.validate(RELAXED_MADD_PROBE), hoistsLoads: hoistsLoads() };
}
