import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { applyAction, type Action } from './actions.ts';
import { parseProblem } from './problem.ts';
import { scheduleToC } from './pseudoC.ts';
import { fillRandom, seededRandom } from './random.ts';
import { referenceCompute } from './reference.ts';
import { defaultSchedule, parseSchedule, printSchedule } from './schedule.ts';
import type { NestState, Problem, Schedule } from './types.ts';

const MATMUL = 'C[m,n] += A[m,k] * B[k,n]';
const mmSmall = parseProblem(MATMUL, 'm=8, n=8, k=8');

describe('scheduleToC', () => {
  it('matmul m n k m:2 n:16: blocks named m0/n0, the innermost loop of each variable named by it', () => {
    const p = parseProblem(MATMUL, 'm=256, n=256, k=256');
    expect(scheduleToC(p, parseSchedule(p, 'm n k m:2 n:16'))).toBe(
      [
        '// C[m,n] += A[m,k] * B[k,n]',
        '// m=256, n=256, k=256',
        '// schedule: m:128 n:16 k:256 m:2 n:16',
        'void kernel(float C[256][256],',
        '            const float A[256][256],',
        '            const float B[256][256]) {',
        '  for (int m0 = 0; m0 < 256; m0 += 2)         // m:128: 128 x 2',
        '    for (int n0 = 0; n0 < 256; n0 += 16)      // n:16: 16 x 16',
        '      for (int k = 0; k < 256; k++)           // k:256',
        '        for (int m = m0; m < m0 + 2; m++)     // m:2',
        '          for (int n = n0; n < n0 + 16; n++)  // n:16',
        '            C[m][n] += A[m][k] * B[k][n];',
        '}',
        '',
      ].join('\n'),
    );
  });

  it('tails: inner loops stop at the end of a partial range, only where one can reach', () => {
    const p = parseProblem(MATMUL, 'm=97, n=256, k=256');
    const c = scheduleToC(p, parseSchedule(p, 'm m:10 r3 n k m:4'));
    expect(c).toContain('for (int m0 = 0; m0 < 97; m0 += 43)');
    expect(c).toContain('// m:2 r11: 2 x 43, then a tail of 11');
    expect(c).toContain('for (int m1 = m0; m1 < m0 + 43 && m1 < 97; m1 += 4)');
    expect(c).toContain('for (int m = m1; m < m1 + 4 && m < m0 + 43 && m < 97; m++)');
    // No tail anywhere: no extra bounds.
    const even = parseProblem(MATMUL, 'm=96, n=64, k=64');
    expect(scheduleToC(even, parseSchedule(even, 'm m:8 n k m:4'))).toContain('for (int m = m1; m < m1 + 4; m++)');
  });

  it('strided conv: index expressions with coefficients', () => {
    const p = parseProblem(
      'O[co,oh,ow] += I[ci,2*oh+kh,2*ow+kw] * W[co,ci,kh,kw]',
      'co=8, ci=4, oh=6, ow=6, kh=3, kw=3',
    );
    const c = scheduleToC(p, defaultSchedule(p));
    expect(c).toContain(
      'void kernel(float O[8][6][6],\n            const float I[4][13][13],\n            const float W[8][4][3][3]) {',
    );
    expect(c).toContain('O[co][oh][ow] += I[ci][2*oh + kh][2*ow + kw] * W[co][ci][kh][kw];');
  });

  it('names that are C keywords or clash get an underscore', () => {
    const p = parseProblem('kernel[int,m0] += main[int,for] * B[for,m0]', 'int=7, m0=5, for=6');
    const c = scheduleToC(p, parseSchedule(p, 'int m0 for int:2 int:3'), { name: 'kernel' });
    expect(c).toContain(
      'void kernel_(float kernel[7][5],\n             const float main_[7][6],\n             const float B[6][5]) {',
    );
    expect(scheduleToC(mmSmall, defaultSchedule(mmSmall))).toContain(
      'void kernel(float C[8][8], const float A[8][8], const float B[8][8]) {',
    );
    expect(c).toContain('for (int int0 = 0; int0 < 7; int0 += 6)');
    expect(c).toContain('kernel[int_][m0] += main_[int_][for_] * B[for_][m0];');
  });
});

// ---------------------------------------------------------------- compiled with gcc

const gcc = spawnSync('gcc', ['--version'], { encoding: 'utf8' });
const hasGcc = gcc.status === 0;
if (!hasGcc)
  console.warn('pseudoC.test.ts: gcc not found on PATH; skipping the tests that compile and run the exported C');
/** With OpenMP the parallel loops really run on threads; without it the pragmas must still compile. */
const openmpFlag =
  hasGcc && spawnSync('gcc', ['-fopenmp', '-x', 'c', '-E', '-'], { input: '', encoding: 'utf8' }).status === 0
    ? '-fopenmp'
    : '-Wno-unknown-pragmas';

/** Schedules reached by seeded random actions from the default (splits, swaps, merges). */
function randomSchedules(problem: Problem, count: number, seed: number): Schedule[] {
  const rand = seededRandom(seed);
  const actions: Action[] = [
    'up',
    'down',
    'swap_up',
    'swap_down',
    'split_2',
    'split_4',
    'split_8',
    'merge',
    'parallel',
  ];
  const seen = new Map<string, Schedule>();
  for (let run = 0; run < count * 4 && seen.size < count; run++) {
    let st: NestState = { schedule: defaultSchedule(problem), cursor: 0 };
    for (let i = 0; i < 4 + Math.floor(rand() * 12); i++) {
      const r = applyAction(problem, st, actions[Math.floor(rand() * actions.length)]);
      if (r.ok) st = r.state;
    }
    seen.set(printSchedule(st.schedule), st.schedule);
  }
  return [...seen.values()];
}

function floatsC(values: Float32Array): string {
  return Array.from(values, (x) => x.toPrecision(9)).join(',');
}

/** Compiles the exported C of every schedule with gcc -std=c99 -pedantic -Werror, runs it, returns each output. */
function runWithGcc(problem: Problem, schedules: Schedule[], init: Float32Array[]): Float32Array[] {
  const [out, a, b] = [problem.output, problem.inputs[0], problem.inputs[1]];
  const inner = (shape: number[]) =>
    shape
      .slice(1)
      .map((d) => `[${d}]`)
      .join('');
  const pointer = (shape: number[]) => (shape.length > 1 ? `(const float (*)${inner(shape)})` : '(const float *)');
  const outPointer = (shape: number[]) => (shape.length > 1 ? `(float (*)${inner(shape)})` : '(float *)');
  const src: string[] = ['#include <stdio.h>', '#include <string.h>', ''];
  schedules.forEach((s, i) => {
    src.push(scheduleToC(problem, s, { name: `kernel_${i}` }));
  });
  src.push(`static const float out_init[${out.elements}] = {${floatsC(init[0])}};`);
  src.push(`static const float in0[${a.elements}] = {${floatsC(init[1])}};`);
  src.push(`static const float in1[${b.elements}] = {${floatsC(init[2])}};`);
  src.push(`static float out[${out.elements}];`);
  src.push('int main(void) {');
  schedules.forEach((_, i) => {
    src.push('  memcpy(out, out_init, sizeof out);');
    src.push(`  kernel_${i}(${outPointer(out.shape)}out, ${pointer(a.shape)}in0, ${pointer(b.shape)}in1);`);
    src.push(`  for (int i = 0; i < ${out.elements}; i++) printf("%.9g\\n", out[i]);`);
  });
  src.push('  return 0;', '}', '');
  const dir = mkdtempSync(join(tmpdir(), 'looplab-c-'));
  try {
    writeFileSync(join(dir, 'k.c'), src.join('\n'));
    const cc = spawnSync(
      'gcc',
      [
        '-std=c99',
        '-pedantic',
        '-Wall',
        '-Wextra',
        '-Werror',
        openmpFlag,
        '-O1',
        '-o',
        join(dir, 'k'),
        join(dir, 'k.c'),
      ],
      {
        encoding: 'utf8',
      },
    );
    if (cc.status !== 0) throw new Error(`gcc failed:\n${cc.stderr}`);
    const run = spawnSync(join(dir, 'k'), [], { encoding: 'utf8', maxBuffer: 1 << 26 });
    if (run.status !== 0) throw new Error(`the compiled kernels failed: ${run.stderr}`);
    const values = run.stdout.trim().split('\n').map(Number);
    return schedules.map((_, i) => Float32Array.from(values.slice(i * out.elements, (i + 1) * out.elements)));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

describe('scheduleToC: parallel loops', () => {
  it('puts #pragma omp parallel for above the parallel loop, with one bound when the range can be partial', () => {
    const p = parseProblem(MATMUL, 'm=7, n=10, k=6');
    const c = scheduleToC(p, parseSchedule(p, 'm:1 r2 ||m:2 r1 n k m:2'));
    expect(c).toContain('// schedule: m:1 r2 ||m:2 r1 n:10 k:6 m:2');
    expect(c).toContain('  #pragma omp parallel for\n    for (int m1 = m0; m1 < (m0 + 5 < 7 ? m0 + 5 : 7); m1 += 2)');
    expect(c.match(/#pragma/g)).toHaveLength(1);
    expect(scheduleToC(p, parseSchedule(p, 'm n k'))).not.toContain('#pragma');
  });
});

describe.skipIf(!hasGcc)('scheduleToC compiled with gcc and run (matches the core reference)', () => {
  const cases: [string, string, string, string[]][] = [
    [
      'matmul with tails',
      MATMUL,
      'm=7, n=10, k=6',
      [
        'm n k',
        'm n k m:2 n:4',
        'm:2 r1 n k m:3',
        'm m:2 r1 n k m:2',
        'n k m n:3 r1 m:2 n:2',
        '||m:2 r1 n k m:3',
        'm:1 r2 ||m:2 r1 n k m:2',
        'n ||m n:2 k',
      ],
    ],
    ['batched matmul', 'C[b,m,n] += A[b,m,k] * B[b,k,n]', 'b=2, m=5, n=6, k=3', ['b m n k', 'n b k m n:4']],
    [
      'conv',
      'O[co,oh,ow] += I[ci,oh+kh,ow+kw] * W[co,ci,kh,kw]',
      'co=3, ci=2, oh=5, ow=4, kh=3, kw=2',
      ['co oh ow ci kh kw', 'kw co ow oh ci kh co:2 ow:3'],
    ],
    [
      'strided conv',
      'O[co,oh,ow] += I[ci,2*oh+kh,2*ow+kw] * W[co,ci,kh,kw]',
      'co=3, ci=2, oh=5, ow=3, kh=3, kw=2',
      ['co oh ow ci kh kw', 'oh ow ci co kh kw oh:2 co:2'],
    ],
    [
      'keywords as names',
      'kernel[int,m0] += main[int,for] * B[for,m0]',
      'int=7, m0=5, for=6',
      ['int m0 for int:2 int:3'],
    ],
  ];
  for (const [title, op, sizes, written] of cases) {
    it(title, () => {
      const problem = parseProblem(op, sizes);
      const schedules = [
        ...written.map((s) => parseSchedule(problem, s)),
        ...randomSchedules(problem, 12, title.length),
      ];
      const init = [problem.output.elements, problem.inputs[0].elements, problem.inputs[1].elements].map((n, i) => {
        const arr = new Float32Array(n);
        fillRandom(arr, 100 + i);
        return arr;
      });
      const want = init[0].slice();
      referenceCompute(problem, want, init[1], init[2]);
      const got = runWithGcc(problem, schedules, init);
      schedules.forEach((s, i) => {
        const worst = Math.max(...Array.from(want, (w, j) => Math.abs(w - got[i][j]) / (1 + Math.abs(w))));
        expect(worst, `schedule ${printSchedule(s)}`).toBeLessThan(1e-5);
      });
    });
  }
});

describe('scheduleToC with packs', () => {
  it('says where each input is packed and in which layout', () => {
    const problem = parseProblem('C[m,n] += A[m,k] * B[k,n]', 'm=64, n=64, k=64');
    const c = scheduleToC(problem, parseSchedule(problem, 'k:2 pack(B) m n k:32 m:2 n:16'));
    expect(c).toContain('// schedule: k:2 pack(B) m:32 n:4 k:32 m:2 n:16');
    expect(c).toMatch(
      /for \(int k0 = 0; k0 < 64; k0 \+= 32\).*\n {4}\/\/ pack\(B\): here the part of B the loops below read is copied to a contiguous buffer, laid out n:4 x k:32 x n:16 in their order/,
    );
  });
});
