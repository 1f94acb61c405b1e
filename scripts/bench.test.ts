// Spawns the bench script and checks its handling of bad input: one line on stderr, exit code 2,
// no stack trace. (Speed is never asserted.)
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('..', import.meta.url));

function bench(...args: string[]) {
  const r = spawnSync(process.execPath, ['--experimental-wasm-relaxed-simd', '--import', 'tsx', 'scripts/bench.ts', ...args], {
    cwd: root,
    encoding: 'utf8',
    timeout: 60_000,
  });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

function expectBadInput(r: ReturnType<typeof bench>, pattern: RegExp) {
  expect(r.code).toBe(2);
  expect(r.stderr).toMatch(pattern);
  expect(r.stderr).not.toMatch(/\n\s+at /); // no stack trace
  expect(r.stdout).toBe('');
}

const MATMUL = 'C[m,n] += A[m,k] * B[k,n]';

describe('bench arguments', () => {
  it('rejects an unknown flag', () => {
    expectBadInput(bench('--op', MATMUL, '--sizes', 'm=8,n=8,k=8', '--bogus'), /^bench: unknown option --bogus \(see --help\)\n$/);
  });

  it('requires --op', () => {
    expectBadInput(bench('--sizes', 'm=8,n=8,k=8'), /^bench: missing --op/);
  });

  it('requires --sizes', () => {
    expectBadInput(bench('--op', MATMUL), /^bench: missing --sizes/);
  });

  it('rejects a flag without its value', () => {
    expectBadInput(bench('--sizes', 'm=8', '--op'), /^bench: option --op needs a value/);
  });

  it('rejects a bad --samples', () => {
    expectBadInput(bench('--op', MATMUL, '--sizes', 'm=8,n=8,k=8', '--samples', 'lots'), /--samples wants an integer/);
  });

  it('prints usage with --help', () => {
    const r = bench('--help');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^usage: npm run bench/);
  });

  it('reports a DSL error in one line', () => {
    const r = bench('--op', 'C[m,n] += A[m,q] * B[k,n]', '--sizes', 'm=8,n=8,k=8');
    expectBadInput(r, /^bench: .*q/);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
  });

  it('reports a schedule error in one line', () => {
    const r = bench('--op', MATMUL, '--sizes', 'm=8,n=8,k=8', '--schedule', 'm n z');
    expectBadInput(r, /^bench: --schedule "m n z": /);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
  });
});

describe('bench output', () => {
  it('prints the JSON rows for a small matmul (no speed asserted)', () => {
    const r = bench('--op', MATMUL, '--sizes', 'm=24,n=20,k=9', '--schedule', 'm n k m:2 n:8', '--samples', '2', '--compile-reps', '3', '--json');
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const out = JSON.parse(r.stdout);
    expect(out.op).toBe(MATMUL);
    expect(out.sizes).toBe('m=24,n=20,k=9');
    expect(out.rows.map((row: { impl: string }) => row.impl)).toEqual(['naive-js', 'default', 'schedule', 'xnnpack', 'peak']);
    for (const row of out.rows) {
      expect(row.correct).toBe(true);
      expect(row.gflops).toBeGreaterThan(0);
      expect(row.gflops_median).toBeGreaterThan(0);
    }
    const kernel = out.rows.find((row: { impl: string }) => row.impl === 'schedule');
    expect(kernel.schedule).toBe('m:12 n:2 r4 k:9 m:2 n:8');
    expect(kernel.generate_ms).toBeGreaterThan(0);
    expect(kernel.compile_ms).toBeGreaterThan(0);
  });

  it('prints a readable table with the xnnpack conv2d row for a strided convolution', () => {
    const r = bench('--op', 'O[co,oh,ow] += I[ci,2*oh+kh,2*ow+kw] * W[co,ci,kh,kw]', '--sizes', 'co=4, ci=3, oh=5, ow=6, kh=3, kw=2', '--samples', '2', '--compile-reps', '3');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^impl +GFLOPS best +GFLOPS median +correct/m);
    expect(r.stdout).toMatch(/^naive-js .* yes/m);
    expect(r.stdout).toMatch(/^default .* yes +[\d.]+x/m);
    expect(r.stdout).toMatch(/^xnnpack .* yes +1\.00x/m);
    expect(r.stdout).toMatch(/^peak /m);
    expect(r.stdout).toMatch(/generating \+ compiling one kernel \(median of 3\)/);
  });

  it('prints no xnnpack row for a problem XNNPACK has no op for', () => {
    const r = bench('--op', 'C[i] += A[i] * B[i]', '--sizes', 'i=64', '--samples', '2', '--compile-reps', '3');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^peak /m);
    expect(r.stdout).not.toMatch(/^xnnpack/m);
  });
});
