// Spawns the cache script: its table and JSON on a small problem, the Dinero trace, the same
// figures on a second run, and one-line messages (exit 2) for bad input.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('..', import.meta.url));

function cache(...args: string[]) {
  const r = spawnSync(process.execPath, ['--import', 'tsx', 'scripts/cache.ts', ...args], {
    cwd: root,
    encoding: 'utf8',
    timeout: 110_000,
  });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

function expectBadInput(r: ReturnType<typeof cache>, pattern: RegExp) {
  expect(r.code).toBe(2);
  expect(r.stderr).toMatch(pattern);
  expect(r.stderr).not.toMatch(/\n\s+at /);
  expect(r.stdout).toBe('');
}

const MATMUL = ['--op', 'C[m,n] += A[m,k] * B[k,n]', '--sizes', 'm=32,n=32,k=32'];

describe('npm run cache', () => {
  it('prints per level and per tensor the accesses, the three Cs, bytes and misses per 1000 FMAs, with the source', () => {
    const r = cache(...MATMUL, '--schedule', 'm n k m:2 n:16', '--machine', 'golden-cove');
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(
      /Machine: Intel Golden Cove P-core \(Alder Lake\) \[golden-cove\]: L1d 48 KiB 12-way \(64 sets\), L2 1\.25 MiB 10-way/,
    );
    expect(r.stdout).toMatch(/figures from: Intel 64 and IA-32 Architectures Optimization Reference Manual/);
    expect(r.stdout).toMatch(
      /tensor +accesses +misses +compulsory +capacity +conflict +bytes to\/from L2 +misses per 1000 FMAs/,
    );
    expect(r.stdout).toMatch(/bytes to\/from memory/);
    expect(r.stdout).toMatch(/tensor +carried by +reuses +in L1d +in L2 +from memory/);
    expect(r.stdout).toMatch(/\n {2}B: L1d keeps its lines across m:16 \(loop 1\)/);
    // 32^3 fits in L1: only compulsory misses, 12 KiB of lines (3 tensors of 4 KiB).
    expect(r.stdout).toMatch(/\nall +[\d,]+ +192 +192 +0 +0 +/);
  });

  it('samples a long kernel by default and says so; --exact simulates every access', () => {
    const large = [
      '--op',
      'C[m,n] += A[m,k] * B[k,n]',
      '--sizes',
      'm=1024,n=1024,k=1024',
      '--schedule',
      'm n k m:4 n:8',
    ];
    const sampled = cache(...large);
    expect(sampled.code).toBe(0);
    expect(sampled.stdout).toMatch(
      /\nMethod: Sampled: [\d,.]+( M)? of the kernel's 201\.9 M memory accesses simulated; the loops? m:256 \(loop 1\)/,
    );
    expect(sampled.stdout).toMatch(/--exact simulates every access\./);
    const exact = cache(...MATMUL, '--exact');
    expect(exact.stdout).toMatch(/\nMethod: Exact: all [\d,]+ memory accesses of the kernel simulated\./);
  });

  it('gives the same figures on a second run, as JSON', () => {
    const run = () => {
      const r = cache(...MATMUL, '--schedule', 'k m n', '--machine', 'teaching', '--json');
      expect(r.code).toBe(0);
      const { simulate_ms, ...figures } = JSON.parse(r.stdout);
      expect(simulate_ms).toBeGreaterThanOrEqual(0);
      return figures;
    };
    const first = run();
    expect(first.machine.id).toBe('teaching');
    expect(first.levels.map((l: { name: string }) => l.name)).toEqual(['L1']);
    expect(first.fmas).toBe(32 ** 3);
    expect(run()).toEqual(first);
  });

  it('times --runs N simulations in one process, each giving the same figures', () => {
    const text = cache(...MATMUL, '--exact', '--runs', '3');
    expect(text.code).toBe(0);
    expect(text.stdout).toMatch(/simulated in \d+ ms \(3 runs in one process: \d+, \d+, \d+ ms; the first one cold\)/);
    const json = JSON.parse(cache(...MATMUL, '--runs', '2', '--json').stdout);
    expect(json.simulate_ms_runs).toHaveLength(2);
    expect(json.simulate_ms).toBe(json.simulate_ms_runs[0]);
    // After the cache worker's warm-up: the same figures, and the output says the first one was warmed up.
    const warmed = cache(...MATMUL, '--exact', '--runs', '2', '--warm-up');
    expect(warmed.stdout).toMatch(/\(2 runs in one process: \d+, \d+ ms; the first one after the warm-up\)/);
    const warmedJson = JSON.parse(cache(...MATMUL, '--runs', '2', '--json', '--warm-up').stdout);
    expect(warmedJson.warmed_up).toBe(true);
    const { simulate_ms: _a, simulate_ms_runs: _b, warmed_up: _c, ...warmFigures } = warmedJson;
    const { simulate_ms: _d, simulate_ms_runs: _e, ...coldFigures } = json;
    expect(warmFigures).toEqual(coldFigures);
  });

  it('writes the stream in Dinero IV din format, one record per line reference', () => {
    const file = join(mkdtempSync(join(tmpdir(), 'looplab-cache-')), 'trace.din');
    const r = cache(...MATMUL, '--schedule', 'm n k m:2 n:16', '--machine', 'teaching', '--trace', file, '--json');
    expect(r.code).toBe(0);
    const l1 = JSON.parse(r.stdout).levels[0].total;
    const records = readFileSync(file, 'utf8').trimEnd().split('\n');
    expect(records.length).toBe(l1.accesses);
    expect(records.every((x) => /^[01] [0-9a-f]+$/.test(x))).toBe(true);
    // Stores: every output element once (2 x 16 accumulator vectors per m:2 n:16 tile), as v128 stores.
    expect(records.filter((x) => x.startsWith('1 ')).length).toBe((32 * 32) / 4);
  });

  it('takes custom levels', () => {
    const r = cache(...MATMUL, '--l1', '4K:2', '--l2', '64K:4', '--line', '32', '--json');
    expect(r.code).toBe(0);
    const figures = JSON.parse(r.stdout);
    expect(figures.machine.name).toBe('Custom: L1d 4 KiB 2-way, L2 64 KiB 4-way, 32-byte lines');
    expect(figures.levels.map((l: { sets: number }) => l.sets)).toEqual([64, 512]);
  });

  it('refuses bad input with a one-line message', () => {
    expectBadInput(
      cache(...MATMUL, '--machine', 'cray'),
      /^cache: unknown machine 'cray'; choose one of zen4, zen3, golden-cove/,
    );
    expectBadInput(cache(...MATMUL, '--l1', '32K'), /^cache: L1d: '32K' is not SIZE:WAYS; write e.g. 32K:8/);
    expectBadInput(cache(...MATMUL, '--l1', '1000:8'), /not a whole number of sets of 8 ways x 64 B lines/);
    expectBadInput(cache(...MATMUL, '--l2', '1M:8'), /^cache: custom levels go outward from the core: --l1, then --l2/);
    expectBadInput(cache(...MATMUL, '--line', '64'), /^cache: --line goes with custom levels/);
    expectBadInput(
      cache(...MATMUL, '--machine', 'zen4', '--l1', '32K:8'),
      /^cache: give either --machine or custom levels/,
    );
    expectBadInput(cache('--sizes', 'm=8'), /^cache: missing --op/);
    expectBadInput(cache(...MATMUL, '--schedule', 'm q'), /^cache: .*q/);
    expectBadInput(
      cache(...MATMUL, '--exact', '--max-accesses', '10'),
      /^cache: the kernel makes [\d,]+ memory accesses, over the limit of 10: .*leave out --exact to sample it, .* pass --max-accesses \d+ to run it anyway/,
    );
    expectBadInput(cache(...MATMUL, '--max-accesses', '10'), /^cache: --max-accesses limits an exact run: add --exact/);
    expectBadInput(cache(...MATMUL, '--runs', '0'), /^cache: --runs .*1 to 20/);
    expectBadInput(cache(...MATMUL, '--runs', '2', '--trace', 'x.din'), /^cache: --runs times the compiled simulator/);
    expectBadInput(
      cache(...MATMUL, '--warm-up', '--trace', 'x.din'),
      /^cache: --warm-up readies the compiled simulator/,
    );
  });
});
