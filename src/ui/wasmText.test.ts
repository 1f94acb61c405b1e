import { describe, expect, it } from 'vitest';
import { instructionCounts, wasmToText } from './wasmText.ts';

type Wabt = Awaited<ReturnType<typeof import('wabt')>>;

/** A module shaped like a generated kernel (imported memory, SIMD body), assembled by wabt. */
async function kernelLikeBytes(body: string): Promise<Uint8Array> {
  const m = await import('wabt');
  const wabt = await (((m as { default?: unknown }).default ?? m) as () => Promise<Wabt>)();
  const wat = `(module (import "env" "memory" (memory 1))
    (func (export "kernel") (param i32 i32 i32)
      local.get 0
      local.get 1 v128.load
      local.get 2 v128.load
      ${body}
      v128.store))`;
  const module = wabt.parseWat('kernel.wat', wat, { simd: true, relaxed_simd: true });
  try {
    return new Uint8Array(module.toBinary({}).buffer);
  } finally {
    module.destroy();
  }
}

describe('wasmToText (wabt)', () => {
  it('disassembles a kernel with SIMD instructions, one per line', async () => {
    const text = await wasmToText(await kernelLikeBytes('f32x4.mul local.get 1 v128.load f32x4.add'));
    expect(text).toMatch(/^\(module/);
    expect(text).toContain('(import "env" "memory"');
    expect(text).toContain('(export "kernel"');
    expect(text).not.toContain('relaxed_madd');
    const counts = instructionCounts(text);
    expect(counts.find((c) => c.op === 'v128.load')?.count).toBe(3);
    expect(counts.find((c) => c.op === 'f32x4.mul')?.count).toBe(1);
    expect(counts.find((c) => c.op === 'f32x4.add')?.count).toBe(1);
  });

  it('reads relaxed SIMD (f32x4.relaxed_madd) with the relaxed_simd feature', async () => {
    const text = await wasmToText(await kernelLikeBytes('local.get 1 v128.load f32x4.relaxed_madd'));
    expect(text).toContain('f32x4.relaxed_madd');
  });

  it('counts instructions by name', () => {
    expect(instructionCounts('  v128.load offset=16\n  f32x4.mul\n  v128.load\n  local.get $l1\n  f32.load\n')).toEqual(
      [
        { op: 'v128.load', count: 2 },
        { op: 'f32.load', count: 1 },
        { op: 'f32x4.mul', count: 1 },
      ],
    );
  });
});
