import { describe, expect, it } from 'vitest';
import {
  DslError,
  MAX_PROBLEM_CHARS,
  MEMORY_CAP_BYTES,
  PRESETS,
  formatBytes,
  parseProblem,
  parseProblemText,
  problemText,
} from './problem.ts';

const MATMUL = 'C[m,n] += A[m,k] * B[k,n]';

function errorOf(fn: () => unknown): DslError {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(DslError);
    return e as DslError;
  }
  throw new Error('expected a DslError');
}

describe('parseProblem: derived layout', () => {
  it('matmul', () => {
    const p = parseProblem(MATMUL, 'm=4, n=5, k=6');
    expect(p.op).toBe(MATMUL);
    expect(p.variables).toEqual(['m', 'n', 'k']);
    expect(p.reductionVariables).toEqual(['k']);
    expect(p.output).toMatchObject({ name: 'C', shape: [4, 5], elements: 20, strides: { m: 5, n: 1, k: 0 } });
    expect(p.inputs[0]).toMatchObject({ name: 'A', shape: [4, 6], elements: 24, strides: { m: 6, n: 0, k: 1 } });
    expect(p.inputs[1]).toMatchObject({ name: 'B', shape: [6, 5], elements: 30, strides: { m: 0, n: 1, k: 5 } });
    expect(p.flops).toBe(2 * 4 * 5 * 6);
    expect(p.output.indices).toEqual([[{ variable: 'm', coef: 1 }], [{ variable: 'n', coef: 1 }]]);
  });

  it('batched matmul', () => {
    const p = parseProblem('C[b,m,n] += A[b,m,k] * B[b,k,n]', 'b=2 m=3 n=4 k=5');
    expect(p.variables).toEqual(['b', 'm', 'n', 'k']);
    expect(p.reductionVariables).toEqual(['k']);
    expect(p.output.shape).toEqual([2, 3, 4]);
    expect(p.output.strides).toEqual({ b: 12, m: 4, n: 1, k: 0 });
    expect(p.inputs[0].strides).toEqual({ b: 15, m: 5, n: 0, k: 1 });
    expect(p.inputs[1].shape).toEqual([2, 5, 4]);
    expect(p.inputs[1].strides).toEqual({ b: 20, m: 0, n: 1, k: 4 });
    expect(p.flops).toBe(240);
  });

  it('conv', () => {
    const p = parseProblem('O[co,oh,ow] += I[ci,oh+kh,ow+kw] * W[co,ci,kh,kw]', 'co=2, ci=3, oh=4, ow=5, kh=3, kw=2');
    expect(p.variables).toEqual(['co', 'oh', 'ow', 'ci', 'kh', 'kw']);
    expect(p.reductionVariables).toEqual(['ci', 'kh', 'kw']);
    expect(p.output.shape).toEqual([2, 4, 5]);
    // I: [3, 4+3-1=6, 5+2-1=6]
    expect(p.inputs[0].shape).toEqual([3, 6, 6]);
    expect(p.inputs[0].elements).toBe(108);
    expect(p.inputs[0].strides).toEqual({ co: 0, oh: 6, ow: 1, ci: 36, kh: 6, kw: 1 });
    expect(p.inputs[1].shape).toEqual([2, 3, 3, 2]);
    expect(p.inputs[1].strides).toEqual({ co: 18, oh: 0, ow: 0, ci: 6, kh: 2, kw: 1 });
    expect(p.flops).toBe(2 * 2 * 3 * 4 * 5 * 3 * 2);
  });

  it('strided conv', () => {
    const p = parseProblem(
      'O[co,oh,ow] += I[ci,2*oh+kh,2*ow+kw] * W[co,ci,kh,kw]',
      'co=2, ci=3, oh=4, ow=5, kh=3, kw=3',
    );
    expect(p.op).toBe('O[co,oh,ow] += I[ci,2*oh+kh,2*ow+kw] * W[co,ci,kh,kw]');
    // I: [3, 2*3+2+1=9, 2*4+2+1=11]
    expect(p.inputs[0].shape).toEqual([3, 9, 11]);
    expect(p.inputs[0].strides).toEqual({ co: 0, oh: 22, ow: 2, ci: 99, kh: 11, kw: 1 });
    expect(p.inputs[0].indices[1]).toEqual([
      { variable: 'oh', coef: 2 },
      { variable: 'kh', coef: 1 },
    ]);
  });

  it('canonicalizes spacing and orders sizes by variables', () => {
    const p = parseProblem('  C[ m , n ]+=A[m,k]*B[k,n] ', 'k=6 n=5,m=4');
    expect(p.op).toBe(MATMUL);
    expect(Object.keys(p.sizes)).toEqual(['m', 'n', 'k']);
    expect(problemText(p)).toBe(`${MATMUL}\nm=4, n=5, k=6`);
  });

  it('sizes accept spaces around =', () => {
    expect(parseProblem(MATMUL, 'm = 4 , n= 5 k =6').sizes).toEqual({ m: 4, n: 5, k: 6 });
  });

  it('allows an elementwise product (no reductions) and a variable in two input dimensions', () => {
    expect(parseProblem('C[m,n] += A[m,n] * B[m,n]', 'm=2, n=3').reductionVariables).toEqual([]);
    const d = parseProblem('C[m] += A[m,m] * B[m]', 'm=3');
    expect(d.inputs[0].strides.m).toBe(4);
  });
});

describe('parseProblemText', () => {
  it('op on the first non-empty line, sizes on the following lines', () => {
    const p = parseProblemText(`\n${MATMUL}\nm=4, n=5\n\nk=6\n`);
    expect(p.sizes).toEqual({ m: 4, n: 5, k: 6 });
  });

  it('round-trips every preset', () => {
    for (const preset of PRESETS) {
      const p = parseProblemText(preset.text);
      expect(parseProblem(preset.op, preset.sizes)).toEqual(p);
      expect(parseProblemText(problemText(p))).toEqual(p);
      expect(problemText(p).split('\n')[0]).toBe(preset.op);
    }
  });

  it('line numbers refer to the text', () => {
    const e = errorOf(() => parseProblemText(`\n${MATMUL}\nm=4, n=5\n  k=0`));
    expect(e.message).toBe("line 4, col 5: size of 'k' must be a positive integer, got '0'; write e.g. k=64");
    expect([e.line, e.col]).toEqual([4, 5]);
    const u = errorOf(() => parseProblemText(`\n\nC[m,n] += A[q,k] * B[k,n]\nm=1 n=1 k=1`));
    expect(u.message).toBe("line 3, col 13: unknown variable 'q' in A[q,k]; declare a size for it");
    expect(errorOf(() => parseProblemText(`${MATMUL}\nm=4 n=5 k=6 x=1`)).message).toBe(
      "line 2, col 13: unused size 'x'; remove it",
    );
  });

  it('empty text and missing sizes', () => {
    expect(errorOf(() => parseProblemText('  \n ')).message).toMatch(
      /^line 1, col 1: the problem is empty; write an operation like/,
    );
    expect(errorOf(() => parseProblemText(MATMUL)).message).toBe(
      'line 2, col 1: no sizes given; declare one for every variable, like m=64, n=64, k=64',
    );
  });
});

describe('parseProblem: errors name the place and the fix', () => {
  const cases: [string, string, string][] = [
    [
      MATMUL.replace('A[m,k]', 'A[q,k]'),
      'm=1, n=1, k=1',
      "line 1, col 13: unknown variable 'q' in A[q,k]; declare a size for it",
    ],
    ['', 'm=1', 'line 1, col 1: the operation is empty; write one like C[m,n] += A[m,k] * B[k,n]'],
    ['   ', 'm=1', 'line 1, col 1: the operation is empty; write one like C[m,n] += A[m,k] * B[k,n]'],
    [
      'C[m,n] = A[m,k] * B[k,n]',
      'm=1',
      "line 1, col 8: expected '+=' after C[m,n], found '='; the output accumulates: write C[m,n] += A[..] * B[..]",
    ],
    [
      'C[m,n] A[m,k] * B[k,n]',
      'm=1',
      "line 1, col 8: expected '+=' after C[m,n], found 'A'; the output accumulates: write C[m,n] += A[..] * B[..]",
    ],
    [
      'C[m,n]',
      'm=1',
      "line 1, col 7: expected '+=' after C[m,n], the statement ends there; the output accumulates: write C[m,n] += A[..] * B[..]",
    ],
    [
      'C[m,n] += A[m,k] B[k,n]',
      'm=1',
      "line 1, col 18: expected '*' and a second input after A[m,k], found 'B'; the two inputs are multiplied: write A[m,k] * B[..]",
    ],
    [
      'C[m,n] += A[m,k] + B[k,n]',
      'm=1',
      "line 1, col 18: expected '*' and a second input after A[m,k], found '+'; the two inputs are multiplied: write A[m,k] * B[..]",
    ],
    [
      'C[m,n] += A[m,k]',
      'm=1',
      "line 1, col 17: expected '*' and a second input after A[m,k], the statement ends there; the two inputs are multiplied: write A[m,k] * B[..]",
    ],
    [
      'C[m,n] += A[m,k] * B[k,n] * D[n]',
      'm=1',
      "line 1, col 27: more than two inputs: looplab multiplies exactly two; remove '* D[n]'",
    ],
    ['C[m,n += A[m,k] * B[k,n]', 'm=1', "line 1, col 2: '[' of C is never closed; add ']' after its indices"],
    ['C[m,n] += A[m,k] * B[k,n', 'm=1', "line 1, col 21: '[' of B is never closed; add ']' after its indices"],
    ['C[m,n] += A[m,k]] * B[k,n]', 'm=1', "line 1, col 17: unmatched ']'; remove it or add the '[' it closes"],
    [
      'C[m,n] += A[m,k] % B[k,n]',
      'm=1',
      "line 1, col 18: unexpected character '%'; write tensors like A[m,k] using names, integers, [ ] , + * and +=",
    ],
    ['C[m,n] += A[m,k] * B[k,n]', 'm=1, n=1, k=1, x=4', "sizes, col 16: unused size 'x'; remove it"],
    ['C[m,n] += A[m,k] * B[k,n]', 'm=1, n=2, m=3', "sizes, col 11: size of 'm' is given twice; keep one"],
    [
      'C[m,n] += A[m,k] * B[k,n]',
      'm=0',
      "sizes, col 3: size of 'm' must be a positive integer, got '0'; write e.g. m=64",
    ],
    [
      'C[m,n] += A[m,k] * B[k,n]',
      'm=-4',
      "sizes, col 3: size of 'm' must be a positive integer, got '-4'; write e.g. m=64",
    ],
    [
      'C[m,n] += A[m,k] * B[k,n]',
      'm=2.5',
      "sizes, col 3: size of 'm' must be a positive integer, got '2.5'; write e.g. m=64",
    ],
    ['C[m,n] += A[m,k] * B[k,n]', 'm=', "sizes, col 3: size of 'm' is missing; write it like m=256"],
    ['C[m,n] += A[m,k] * B[k,n]', 'm 4', "sizes, col 1: expected '=' after 'm'; write its size like m=256"],
    [
      'C[m,n] += A[m,k] * B[k,n]',
      'm=4; n=4',
      "sizes, col 3: size of 'm' must be a positive integer, got '4;'; write e.g. m=64",
    ],
    [
      'C[m,n] += A[m,k] * B[k,n]',
      '4=m',
      "sizes, col 1: expected a size like m=256, found '4=m'; write sizes as name=integer, e.g. m=256, n=256",
    ],
    [
      'C[m,n] += A[m,k] * B[k,n]',
      'm=99999999',
      "sizes, col 3: size of 'm' is 99999999, over the limit of 16777216 per variable; use a smaller size",
    ],
    [
      'C[m,n] += A[m,k] * B[k,n]',
      '',
      'sizes, col 1: no sizes given; declare one for every variable, like m=64, n=64, k=64',
    ],
    [
      'C[m,z] += A[m,k] * B[k,n]',
      'm=1, n=1, k=1, z=1',
      "line 1, col 5: output variable 'z' of C[m,z] appears in no input; use it in A or B, or remove it",
    ],
    [
      'C[m,m] += A[m,k] * B[k,m]',
      'm=1, k=1',
      "line 1, col 5: variable 'm' repeats in the output C[m,m]; give each output index its own variable",
    ],
    [
      'C[2*m,n] += A[m,k] * B[k,n]',
      'm=1',
      "line 1, col 3: output index '2*m' of C[2*m,n] is not a plain variable; output indices must be plain variables, like C[m,n]",
    ],
    [
      'C[m+n] += A[m,k] * B[k,n]',
      'm=1',
      "line 1, col 3: output index 'm+n' of C[m+n] is not a plain variable; output indices must be plain variables, like C[m,n]",
    ],
    [
      'A[m,n] += A[m,k] * B[k,n]',
      'm=1',
      "line 1, col 11: tensor name 'A' is used twice; give each tensor its own name",
    ],
    [
      'C[m,n] += A[m,k] * A[k,n]',
      'm=1',
      "line 1, col 20: tensor name 'A' is used twice; give each tensor its own name",
    ],
    [
      'C[m,n] += A[m,k+1] * B[k,n]',
      'm=1',
      "line 1, col 17: constant offset '1' in an index of A; an index is a sum of variables, optionally times a small integer (2*oh+kh)",
    ],
    ['C[m,n] += A[m,k*2] * B[k,n]', 'm=1', "line 1, col 17: write the constant first: '2*k' instead of 'k*2'"],
    [
      'C[m,n] += A[m,32*k] * B[k,n]',
      'm=1',
      "line 1, col 15: coefficient 32 of 'k' in A is out of range; use an integer from 1 to 16",
    ],
    [
      'C[m,n] += A[m,0*k] * B[k,n]',
      'm=1',
      "line 1, col 15: coefficient 0 of 'k' in A is out of range; use an integer from 1 to 16",
    ],
    [
      'C[m,n] += A[m,k+k] * B[k,n]',
      'm=1',
      "line 1, col 17: variable 'k' appears twice in one index of A; combine it into one term like 2*k",
    ],
    [
      'C[m,n] += A[m,,k] * B[k,n]',
      'm=1',
      "line 1, col 15: expected a variable in an index of A, found ','; write indices like A[m,k]",
    ],
    [
      'C[m n] += A[m,k] * B[k,n]',
      'm=1',
      "line 1, col 5: expected ',' or ']' in C[...], found 'n'; separate indices with commas, like C[m,k]",
    ],
    ['C[] += A[k] * B[k]', 'k=1', 'line 1, col 3: C[] has no indices; write at least one, like C[m]'],
    [
      'C += A[k] * B[k]',
      'k=1',
      "line 1, col 3: expected '[' after tensor name 'C', found '+='; write its indices like C[m,k]",
    ],
    [
      '+= A[k] * B[k]',
      'k=1',
      "line 1, col 1: expected the output tensor, found '+='; write it like A[m,k] (C[m,n] += A[m,k] * B[k,n])",
    ],
    [
      'C[m,n] += A[m,k] * B[k,n] m',
      'm=1',
      "line 1, col 27: unexpected 'm' after B[k,n]; the statement ends after the second input (sizes go on their own line)",
    ],
    [
      'C[a,b,c,d,e,f] += A[a,b,c,d,e,f,g,h,i] * B[i,j,k]',
      'a=1 b=1 c=1 d=1 e=1 f=1 g=1 h=1 i=1 j=1 k=1',
      'line 1, col 1: the problem has 11 variables, but a nest holds at most 10 loops; use at most 10 variables',
    ],
    // A variable named like a tail would make the schedule text ambiguous (`k:2 r1` is a loop with a tail).
    [
      'C[k,r1] += A[k,j] * B[j,r1]',
      'k=5, r1=4, j=3',
      "line 1, col 5: variable 'r1' reads as a tail in schedule text (as in m:24 r1); rename it, e.g. to 'r1_'",
    ],
    [
      'C[r16,n] += A[r16,k] * B[k,n]',
      'r16=4, n=4, k=4',
      "line 1, col 3: variable 'r16' reads as a tail in schedule text (as in m:24 r1); rename it, e.g. to 'r16_'",
    ],
    [
      'C[m,n] += A[m,2*r0+k] * B[k,n]',
      'm=1',
      "line 1, col 17: variable 'r0' reads as a tail in schedule text (as in m:24 r1); rename it, e.g. to 'r0_'",
    ],
    [
      'C[m,n] += A[m,k] * B[k,n]',
      'm=16384, n=16384, k=16384',
      'sizes, col 1: problem needs 3.0 GiB for its tensors, over the 512 MiB cap; use smaller sizes',
    ],
    [
      'C[a] += A[a+b+c] * B[b+c+d+e]',
      'a=1048576 b=1048576 c=1048576 d=1048576 e=1048576',
      'sizes, col 1: problem has 2.5e+30 FLOPs, too many to count exactly; use smaller sizes',
    ],
  ];
  it.each(cases)('%s / %s', (op, sizes, message) => {
    const e = errorOf(() => parseProblem(op, sizes));
    expect(e.message).toBe(message);
    const m = /^(?:line (\d+)|sizes), col (\d+): /.exec(message)!;
    expect(e.col).toBe(Number(m[2]));
    expect(e.line).toBe(m[1] ? Number(m[1]) : 2);
  });

  it('accepts names that only start like a tail', () => {
    for (const v of ['r', 'rx', 'r1x', 'R1', 'ar1', 'r_1']) {
      expect(parseProblem(`C[m,${v}] += A[m,k] * B[k,${v}]`, `m=2, ${v}=3, k=4`).variables).toEqual(['m', v, 'k']);
    }
  });

  it('a multi-line op reports the right line', () => {
    expect(errorOf(() => parseProblem('C[m,n] +=\n A[m,k] * B[q,n]', 'm=1 n=1 k=1')).message).toBe(
      "line 2, col 13: unknown variable 'q' in B[q,n]; declare a size for it",
    );
  });

  it('the memory cap is 512 MiB and accepts problems right under it', () => {
    expect(MEMORY_CAP_BYTES).toBe(512 * 1024 * 1024);
    // 3 * 4096 * 8192 * 4 bytes = 384 MiB: fine.
    expect(parseProblem(MATMUL, 'm=4096, n=4096, k=8192').output.elements).toBe(4096 * 4096);
    expect(parseProblem('C[m,n] += A[m,k] * B[k,n]', 'm=4096, n=4096, k=4096').flops).toBe(2 * 4096 ** 3);
    expect(formatBytes(3 * 1024 ** 3)).toBe('3.0 GiB');
    expect(formatBytes(576 * 1024 ** 2)).toBe('576 MiB');
  });
});

describe('PRESETS', () => {
  it('has the required presets and they all parse', () => {
    const ids = PRESETS.map((p) => p.id);
    expect(new Set(ids).size).toBe(ids.length);
    for (const n of [64, 128, 256, 384, 512, 1024]) {
      const p = PRESETS.find((x) => x.id === `matmul-${n}`)!;
      expect(parseProblem(p.op, p.sizes).sizes).toEqual({ m: n, n, k: n });
    }
    const rect = PRESETS.find((x) => x.id === 'matmul-512x128x1024')!;
    expect(parseProblemText(rect.text).sizes).toEqual({ m: 512, n: 128, k: 1024 });
    const bmm = parseProblemText(PRESETS.find((x) => x.id === 'bmm-attention')!.text);
    expect(bmm.sizes).toEqual({ b: 8, m: 128, n: 128, k: 64 });
    const conv = parseProblemText(PRESETS.find((x) => x.id === 'conv-3x3')!.text);
    expect(conv.inputs[0].shape).toEqual([64, 30, 30]);
    const conv1 = parseProblemText(PRESETS.find((x) => x.id === 'conv-1x1')!.text);
    expect(conv1.sizes.kh).toBe(1);
    const strided = parseProblemText(PRESETS.find((x) => x.id === 'conv-3x3-stride2')!.text);
    expect(strided.inputs[0].shape).toEqual([64, 57, 57]);
    for (const p of PRESETS) expect(p.title.length).toBeGreaterThan(0);
  });
});

describe('parseProblem: huge inputs', () => {
  const many = (n: number) => Array.from({ length: n }, (_, i) => `v${i}`);
  const mega = 1_000_000;

  it('refuses 40,000 output indices at once, with a short message', () => {
    const vars = many(40_000);
    const op = `C[${vars.join(',')}] += A[${vars.join(',')}] * B[${vars.join(',')}]`;
    const sizes = vars.map((v) => `${v}=1`).join(', ');
    const start = performance.now();
    expect(errorOf(() => parseProblem(op, sizes)).message).toBe(
      `line 1, col 10001: the operation is ${op.length} characters long, over the limit of 10000; a problem is one statement and the sizes of at most 10 variables`,
    );
    expect(errorOf(() => parseProblem('C[m] += A[m] * B[m]', sizes)).message).toMatch(
      /^sizes, col 10001: the sizes text is \d+ characters long, over the limit of 10000;/,
    );
    expect(errorOf(() => parseProblemText(`\n${op}\n${sizes}`)).message).toMatch(
      /^line 2, col 10000: the problem text is \d+ characters long, over the limit of 10000;/,
    );
    // Parsing used to be quadratic in the number of indices (seconds at 40,000); this takes milliseconds.
    expect(performance.now() - start).toBeLessThan(1000);
  });

  it('counts the variables before listing them, under the length limit too', () => {
    const vars = many(1400);
    const op = `C[${vars.join(',')}] += A[v0] * B[v0]`;
    expect(op.length).toBeLessThan(MAX_PROBLEM_CHARS);
    for (const sizes of ['', 'v0=1']) {
      expect(errorOf(() => parseProblem(op, sizes)).message).toBe(
        'line 1, col 1: the problem has 1400 variables, but a nest holds at most 10 loops; use at most 10 variables',
      );
    }
  });

  it('quotes at most a short excerpt of long input', () => {
    const long = 9000;
    const cases: [string, string, RegExp][] = [
      [
        `C[${'x'.repeat(long)}] += A[k] * B[k]`,
        'k=1',
        /^line 1, col 3: unknown variable 'x{40}\.\.\. \(9000 characters\)' in C\[x{38}\.\.\. \(9003 characters\); declare a size for it$/,
      ],
      [
        `${'T'.repeat(long)}[m] = A[m] * B[m]`,
        'm=1',
        /^line 1, col 9005: expected '\+=' after T{40}\.\.\. \(9003 characters\), found '='/,
      ],
      [
        'C[m] += A[m] * B[m]',
        `m=${'9'.repeat(long)}`,
        /^sizes, col 3: size of 'm' is 9{40}\.\.\. \(9000 characters\), over the limit/,
      ],
      [
        'C[m] += A[m] * B[m]',
        '#'.repeat(long),
        /^sizes, col 1: expected a size like m=256, found '#{40}\.\.\. \(9000 characters\)'/,
      ],
      [
        'C[m] += A[m] * B[m]',
        `m=1, ${'q'.repeat(long)}=2`,
        /^sizes, col 6: unused size 'q{40}\.\.\. \(9000 characters\)'; remove it$/,
      ],
      [
        `C[m] += A[m,${'1'.repeat(long)}*k] * B[k]`,
        'm=1, k=1',
        /^line 1, col 13: coefficient 1{40}\.\.\. \(9000 characters\) of 'k' in A is out of range/,
      ],
      [
        `C[m] += A[m] * B[m] ${'m'.repeat(long)}`,
        'm=1',
        /^line 1, col 21: unexpected 'm{40}\.\.\. \(9000 characters\)' after B\[m\]/,
      ],
    ];
    for (const [op, sizes, message] of cases) {
      const e = errorOf(() => parseProblem(op, sizes));
      expect(e.message).toMatch(message);
      expect(e.message.length).toBeLessThan(300);
    }
    const huge = errorOf(() => parseProblemText(`C[m] += A[m] * B[m]\nm=${'9'.repeat(mega)}`));
    expect(huge.message.length).toBeLessThan(300);
  });

  it('shortens a long tensor in a message to its start', () => {
    const dims = Array.from({ length: 2000 }, () => 'v0').join(',');
    const e = errorOf(() => parseProblem(`C[v0,v1] += A[${dims}] * B[q]`, 'v0=1, v1=1'));
    expect(e.message).toBe("line 1, col 6020: unknown variable 'q' in B[q]; declare a size for it");
    const out = errorOf(() => parseProblem(`C[${dims}] += A[v0] * B[v0]`, 'v0=1'));
    expect(out.message).toBe(
      "line 1, col 6: variable 'v0' repeats in the output C[v0,v0,v0,v0,v0,v0,v0,v0,v0,v0,v0,v0,v0... (6002 characters); give each output index its own variable",
    );
  });
});
