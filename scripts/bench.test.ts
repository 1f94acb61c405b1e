// Spawns the bench script and checks its handling of bad input: one line on stderr, exit code 2,
// no stack trace. (Speed is never asserted.)
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('..', import.meta.url));

function bench(...args: string[]) {
  const r = spawnSync(
    process.execPath,
    ['--experimental-wasm-relaxed-simd', '--import', 'tsx', 'scripts/bench.ts', ...args],
    {
      cwd: root,
      encoding: 'utf8',
      timeout: 110_000,
    },
  );
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
    expectBadInput(
      bench('--op', MATMUL, '--sizes', 'm=8,n=8,k=8', '--bogus'),
      /^bench: unknown option --bogus \(see --help\)\n$/,
    );
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
    const base = ['--op', MATMUL, '--sizes', 'm=8,n=8,k=8', '--samples'];
    expectBadInput(bench(...base, 'lots'), /^bench: --samples must be an integer from 1 to 1000, got 'lots'/);
    expectBadInput(
      bench(...base, '-1'),
      /^bench: --samples must be an integer from 1 to 1000, got '-1' \(see --help\)\n$/,
    );
    expectBadInput(bench(...base, '0'), /^bench: --samples must be an integer from 1 to 1000, got '0'/);
    expectBadInput(
      bench(...base, '99999999999999999999'),
      /^bench: --samples must be at most 1000, got '99999999999999999999'/,
    );
    expectBadInput(
      bench('--op', MATMUL, '--sizes', 'm=8,n=8,k=8', '--seed', '-1'),
      /^bench: --seed must be an integer >= 0, got '-1'/,
    );
  });

  it('rejects a bad --threads', () => {
    expectBadInput(
      bench('--op', MATMUL, '--sizes', 'm=8,n=8,k=8', '--threads', '0'),
      /--threads must be a positive integer, got '0'/,
    );
    expectBadInput(
      bench('--op', MATMUL, '--sizes', 'm=8,n=8,k=8', '--threads', '65'),
      /--threads wants at most 64 threads, got 65/,
    );
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

  it('quotes a huge --schedule as a short excerpt and names the cap', () => {
    const r = bench('--op', MATMUL, '--sizes', 'm=8,n=8,k=8', '--schedule', `m n k ${'m '.repeat(60_000)}`);
    expectBadInput(r, /^bench: --schedule "m n k m m .*\.\.\. \(120006 characters\)": .*over the limit of 10000/);
    expect(r.stderr.length).toBeLessThan(300);
  });
});

describe('bench work limits', () => {
  it('refuses a problem over --max-gflop at once, naming the limit and the flag', () => {
    expectBadInput(
      bench('--op', MATMUL, '--sizes', 'm=2048,n=2048,k=2048'),
      /^bench: the problem takes 17\.2 GFLOP a call, over the limit of 10 GFLOP: checking and timing every row would run for minutes; use smaller sizes, or pass --max-gflop 18 to run it anyway\n$/,
    );
    expectBadInput(
      bench(
        '--op',
        'O[co,oh,ow] += I[ci,oh+kh,ow+kw] * W[co,ci,kh,kw]',
        '--sizes',
        'co=512, ci=512, oh=112, ow=112, kh=7, kw=7',
      ),
      /^bench: the problem takes 322\.3 GFLOP a call, over the limit of 10 GFLOP.*--max-gflop 323 to run it anyway\n$/,
    );
    expectBadInput(
      bench('--op', MATMUL, '--sizes', 'm=8,n=8,k=8', '--max-gflop', '0'),
      /^bench: --max-gflop wants a number > 0, got '0'/,
    );
  });

  it('times naive-js on fewer rows past --naive-gflop, says so, and shows progress on stderr only', () => {
    const r = bench(
      '--op',
      MATMUL,
      '--sizes',
      'm=400,n=512,k=512',
      '--naive-gflop',
      '0.01',
      '--max-gflop',
      '1',
      '--samples',
      '1',
      '--compile-reps',
      '1',
      '--json',
    );
    expect(r.code).toBe(0);
    const out = JSON.parse(r.stdout);
    const naive = out.rows[0];
    expect(naive).toMatchObject({
      impl: 'naive-js',
      correct: true,
      sampled_sizes: 'm=19, n=512, k=512',
      schedule: 'm:19 n:512 k:512',
    });
    expect(naive.gflops).toBeGreaterThan(0);
    expect(out.rows.map((row: { impl: string }) => row.impl)).toEqual(['naive-js', 'default', 'xnnpack', 'peak']);
    // The default schedule's full run (0.2 GFLOP at 1-2 GFLOPS) is over 50 ms: it is timed on a slice.
    expect(out.rows[1].slice).toMatch(/^on \d+ of 400 iterations of m$/);
    expect(out.rows[1].correct).toBe(true);
    expect(r.stderr.split('\n').filter(Boolean)).toEqual([
      expect.stringMatching(/^bench: \[1\/3\] naive-js \(on m=19, n=512, k=512\) \.\.\. \d+\.\d s$/),
      expect.stringMatching(/^bench: \[2\/3\] default \.\.\. \d+\.\d s$/),
      expect.stringMatching(/^bench: \[3\/3\] round 1 of 1: schedules, baselines, peak \.\.\. \d+\.\d s$/),
    ]);
  });
});

describe('bench output', () => {
  it('--full times every kernel whole, and the table names the slices otherwise', () => {
    const args = ['--op', MATMUL, '--sizes', 'm=300,n=512,k=512', '--naive-gflop', '0.01', '--samples', '1'];
    const full = bench(...args, '--compile-reps', '1', '--full', '--json');
    expect(full.code).toBe(0);
    expect(JSON.parse(full.stdout).rows[1]).not.toHaveProperty('slice');
    const sliced = bench(...args, '--compile-reps', '1');
    expect(sliced.code).toBe(0);
    expect(sliced.stdout).toMatch(
      /timed on a slice \(a full run would take over 50 ms; --full runs every kernel whole\):\n {2}default {2}on \d+ of 300 iterations of m {3}m:300 n:512 k:512/,
    );
  });

  it("--c-export checks and times each schedule's C export beside the generator's kernel and prints the ratio", () => {
    const r = bench(
      '--op',
      MATMUL,
      '--sizes',
      'm=24,n=20,k=9',
      '--schedule',
      'm n k m:2 n:8',
      '--samples',
      '1',
      '--compile-reps',
      '1',
      '--c-export',
    );
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/\nc-export +[\d.]+ +[\d.]+ +yes .* m:12 n:2 r4 k:9 m:2 n:8\n/);
    expect(r.stdout).toMatch(
      /C export \(emcc -O2\) \/ the generator's kernel with the same multiply-add, best GFLOPS \(median\):\n {2}[\d.]+x \([\d.]+x\) {3}(relaxed|mul\+add) vs schedule(-simd128)? {3}m:12 n:2 r4 k:9 m:2 n:8\n/,
    );
  });

  it('rejects an unknown --engine, and what --engine chromium cannot do', () => {
    const base = ['--op', MATMUL, '--sizes', 'm=8,n=8,k=8'];
    expectBadInput(
      bench(...base, '--engine', 'firefox'),
      /^bench: --engine is node \(the default: kernels timed in this Node\) or chromium \(in the page's engine\), got 'firefox'/,
    );
    expectBadInput(
      bench(...base, '--engine', 'chromium', '--schedule', 'm n k', '--c-export'),
      /--c-export compiles and times the C in Node; drop --engine chromium/,
    );
    expectBadInput(bench(...base, '--dist', 'dist'), /--dist and --port are for --engine chromium/);
    expectBadInput(
      bench(...base, '--engine', 'chromium', '--dist', 'no-such-build'),
      /^bench: no build with bench\.html in no-such-build\/ \(run npm run build, or pass --dist\)/,
    );
  });

  it('--c-export without a schedule is bad input', () => {
    expectBadInput(
      bench('--op', MATMUL, '--sizes', 'm=8,n=8,k=8', '--c-export', '--samples', '1', '--compile-reps', '1'),
      /--c-export times the C export of each --schedule; give one/,
    );
  });

  it("names the tiles Node's compiler made the generator cut down that fit whole in Chromium's", () => {
    const r = bench(
      '--op',
      MATMUL,
      '--sizes',
      'm=48,n=32,k=64',
      '--schedule',
      'm:8 n:4 k:64 m:6 n:8',
      '--schedule',
      'm:16 n:4 k:64 m:3 n:8',
      '--samples',
      '1',
      '--compile-reps',
      '1',
    );
    expect(r.code).toBe(0);
    const note = r.stdout.split("Node 20's compiler loads all of a tile's operands")[1] ?? '';
    expect(note).toContain('they fit whole (npm run bench -- --engine chromium):');
    expect(note).toMatch(
      /^ {2}m:8 n:4 k:64 m:6 n:8: the m:6 n:8 tile needs 12 accumulators .* m:6 stays a loop of 2 x 3 outside k:64$/m,
    );
    // The 3 x 8 tile fits in both: not listed.
    expect(note).not.toContain('m:3 n:8:');
  });

  it('prints the JSON rows for a small matmul (no speed asserted)', () => {
    const r = bench(
      '--op',
      MATMUL,
      '--sizes',
      'm=24,n=20,k=9',
      '--schedule',
      'm n k m:2 n:8',
      '--samples',
      '2',
      '--compile-reps',
      '3',
      '--json',
    );
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const out = JSON.parse(r.stdout);
    expect(out.op).toBe(MATMUL);
    expect(out.sizes).toBe('m=24,n=20,k=9');
    expect(out.rows.map((row: { impl: string }) => row.impl)).toEqual([
      'naive-js',
      'default',
      'schedule',
      'xnnpack',
      'peak',
    ]);
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
    const r = bench(
      '--op',
      'O[co,oh,ow] += I[ci,2*oh+kh,2*ow+kw] * W[co,ci,kh,kw]',
      '--sizes',
      'co=4, ci=3, oh=5, ow=6, kh=3, kw=2',
      '--samples',
      '2',
      '--compile-reps',
      '3',
    );
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^impl +GFLOPS best +GFLOPS median +correct/m);
    expect(r.stdout).toMatch(/^naive-js .* yes/m);
    expect(r.stdout).toMatch(/^default .* yes +[\d.]+x/m);
    expect(r.stdout).toMatch(/^xnnpack .* yes +1\.00x/m);
    expect(r.stdout).toMatch(/^peak /m);
    expect(r.stdout).toMatch(/generating \+ compiling one kernel \(median of 3\)/);
  });

  it('with --threads 2: the schedules on 2 threads, parallelized where needed, the 2-thread peak and ort-mlas', () => {
    const r = bench(
      '--op',
      MATMUL,
      '--sizes',
      'm=24,n=20,k=9',
      '--schedule',
      'm n k m:2 n:8',
      '--schedule',
      'k m n',
      '--threads',
      '2',
      '--rounds',
      '2',
      '--samples',
      '2',
      '--compile-reps',
      '1',
      '--json',
    );
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const rows = JSON.parse(r.stdout).rows as {
      impl: string;
      threads: number;
      schedule?: string;
      correct: boolean;
      gflops: number;
      ranges?: unknown;
    }[];
    expect(rows.map((row) => `${row.impl}/${row.threads}`)).toEqual([
      'naive-js/1',
      'default/1',
      'schedule/1',
      'schedule/1',
      'schedule/2',
      'schedule/2',
      'xnnpack/1',
      'peak/1',
      'peak/2',
      'ort-mlas/2',
    ]);
    for (const row of rows) {
      expect(row.correct).toBe(true);
      expect(row.gflops).toBeGreaterThan(0);
    }
    expect(rows[4].schedule).toBe('||m:12 n:2 r4 k:9 m:2 n:8');
    expect(rows[4].ranges).toEqual([
      [0, 6],
      [6, 12],
    ]);
    // k is outermost: no loop may run in parallel, so the kernel runs whole on one thread.
    expect(rows[5].schedule).toBe('k:9 m:24 n:20');
    expect(rows[5].ranges).toBeNull();
  }, 120_000);

  it('with --threads 2 on an NHWC convolution: xnnpack on one thread and ort-mlas (its Conv) on 2, in the same run', () => {
    const r = bench(
      '--op',
      'O[oh,ow,co] += I[oh+kh,ow+kw,ci] * W[kh,kw,ci,co]',
      '--sizes',
      'co=8, ci=5, oh=7, ow=7, kh=3, kw=3',
      '--schedule',
      'oh ow ci kh kw co',
      '--threads',
      '2',
      '--rounds',
      '1',
      '--samples',
      '2',
      '--compile-reps',
      '1',
    );
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^xnnpack +1 .* yes/m);
    // ort-mlas on 2 threads: compared with xnnpack, and the baseline of the rows on 2 threads.
    expect(r.stdout).toMatch(/^ort-mlas +2 +[\d.]+ +[\d.]+ +yes +[\d.]+x +[\d.]+%/m);
    expect(r.stdout).toMatch(/^schedule +2 .* yes +[\d.]+x +[\d.]+x/m);
  }, 120_000);

  it('prints no xnnpack row for a problem XNNPACK has no op for', () => {
    const r = bench('--op', 'C[i] += A[i] * B[i]', '--sizes', 'i=64', '--samples', '2', '--compile-reps', '3');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^peak /m);
    expect(r.stdout).not.toMatch(/^xnnpack/m);
  });
});
