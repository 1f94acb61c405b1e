// The generator's report against the kernel it describes: what it says about vector loads must be
// what the wasm does (counted in wabt's disassembly of the same bytes).
import { beforeAll, describe, expect, it } from 'vitest';
import { loadCodegen, type Codegen } from './index.ts';
import { parseProblem } from '../core/problem.ts';
import { defaultSchedule, parseSchedule } from '../core/schedule.ts';
import type { Problem, Schedule } from '../core/types.ts';

async function wasmText(bytes: Uint8Array): Promise<string> {
  const factory = (await import('wabt')).default as unknown as () => Promise<{
    readWasm(b: Uint8Array, o: object): { toText(o: object): string; destroy(): void };
  }>;
  const module = (await factory()).readWasm(bytes, { simd: true, relaxed_simd: true });
  try {
    return module.toText({});
  } finally {
    module.destroy();
  }
}

const count = (text: string, op: string) => text.split('\n').filter((l) => l.trim().startsWith(op)).length;

const conv = parseProblem('O[co,oh,ow] += I[ci,oh+kh,ow+kw] * W[co,ci,kh,kw]', 'co=8, oh=6, ow=6, ci=4, kh=3, kw=3');
const mm = parseProblem('C[m,n] += A[m,k] * B[k,n]', 'm=16, n=16, k=16');

describe('describeReport: vector loads', () => {
  let codegen: Codegen;
  beforeAll(async () => {
    codegen = await loadCodegen();
  });
  const generate = async (p: Problem, s: Schedule) => {
    const kernel = codegen.generate(p, s, { relaxedSimd: true });
    return { report: kernel.report, text: await wasmText(kernel.bytes) };
  };

  it('conv 3x3 default (innermost kw:3): no v128 load claimed, and the wasm has none', async () => {
    const { report, text } = await generate(conv, defaultSchedule(conv));
    expect(count(text, 'v128.load')).toBe(0);
    expect(count(text, 'f32.load')).toBeGreaterThan(0);
    expect(count(text, 'f32x4.')).toBe(0);
    expect(report.lanes).toEqual({ extent: 3, vectors: 0, scalarRest: 3 });
    const notes = report.notes.join(' ');
    expect(notes).not.toMatch(/v128|f32x4\.|0 f32x4|relaxed/);
    expect(notes).toContain('kw:3 covers 3 values, fewer than the 4 lanes of an f32x4');
  });

  it('matmul m n k m:2 n:16: 4 vectors a pass, and the wasm loads vectors', async () => {
    const { report, text } = await generate(mm, parseSchedule(mm, 'm n k m:2 n:16'));
    expect(count(text, 'v128.load')).toBeGreaterThan(0);
    expect(report.lanes).toEqual({ extent: 16, vectors: 4, scalarRest: 0 });
    expect(report.notes.join(' ')).toContain('B reads 4 neighbours with one v128 load');
  });

  it('an innermost n:6 is 1 vector and 2 scalar values, and the notes say so', async () => {
    const { report, text } = await generate(mm, parseSchedule(mm, 'm k n n:6'));
    expect(count(text, 'v128.load')).toBeGreaterThan(0);
    expect(report.lanes).toEqual({ extent: 6, vectors: 1, scalarRest: 2 });
    expect(report.notes.join(' ')).toContain('n:6 covers 6 values: 1 f32x4 vector + 2 scalar values');
  });
});
