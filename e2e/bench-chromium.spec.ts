// `npm run bench -- --engine chromium`: the bench CLI on the build under test, its kernels timed in
// Chromium by the page's kernel worker (bench.html). No speed is asserted: the rows are there, checked
// against the reference and timed, and the table says which engine timed them.
import { spawn } from 'node:child_process';
import { createServer } from 'node:http';
import { builtPage, expect, test } from './fixtures';

const MATMUL = 'C[m,n] += A[m,k] * B[k,n]';
// Not the port the tests' own preview server takes.
const PORT = String(Number(process.env.LOOPLAB_E2E_PORT ?? 4173) + 19);

function bench(...args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(
      process.execPath,
      ['--import', 'tsx', 'scripts/bench.ts', '--engine', 'chromium', '--dist', builtPage(), '--port', PORT, ...args],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

test('bench --engine chromium: the default, each schedule, XNNPACK and the peak, timed in the page worker', async () => {
  const common = ['--op', MATMUL, '--sizes', 'm=24,n=20,k=9', '--schedule', 'm n k m:2 n:8', '--samples', '2'];
  const json = await bench(...common, '--json');
  expect(json.stderr).toBe('');
  expect(json.code).toBe(0);
  const out = JSON.parse(json.stdout);
  expect(out.engine).toMatch(/^Chrom(e|ium)\/\d+/);
  expect(out.rows.map((row: { impl: string }) => row.impl)).toEqual(['default', 'schedule', 'xnnpack', 'peak']);
  for (const row of out.rows) {
    expect(row.correct).toBe(true);
    expect(row.gflops).toBeGreaterThan(0);
  }
  const kernel = out.rows.find((row: { impl: string }) => row.impl === 'schedule');
  expect(kernel.schedule).toBe('m:12 n:2 r4 k:9 m:2 n:8');
  expect(kernel.checked).toBe('full');
  // Generated for Chromium's compiler, which keeps the emitted order: the 2 x 8 tile holds its 4
  // accumulators, B's 2 vectors and one splat of A at once (Node 20's TurboFan loads both splats
  // first: 8).
  expect(kernel.report.registers).toBe(7);
  expect(kernel.generate_ms).toBeGreaterThan(0);

  const table = await bench(...common, '--rounds', '2');
  expect(table.code).toBe(0);
  expect(table.stdout).toMatch(/one thread; in Chrom(e|ium)\/\d+[\d.]*, through the page's kernel worker\)/);
  expect(table.stdout).toMatch(/^schedule .* yes .*m:12 n:2 r4 k:9 m:2 n:8$/m);
  expect(table.stdout).toContain("generating + compiling one kernel (once, in the page's worker):");
});

test('bench --engine chromium --threads 2: each schedule again on 2 threads, its parallel loop marked, and the peak on both', async () => {
  const threaded = await bench(
    '--op',
    MATMUL,
    '--sizes',
    'm=64,n=32,k=16',
    '--schedule',
    'm n k m:2 n:8',
    '--samples',
    '2',
    '--threads',
    '2',
    '--json',
  );
  expect(threaded.stderr).toBe('');
  expect(threaded.code).toBe(0);
  const rows = JSON.parse(threaded.stdout).rows as {
    impl: string;
    threads: number;
    schedule?: string;
    correct: boolean;
    gflops: number;
  }[];
  expect(rows.map((row) => `${row.impl} ${row.threads}`)).toEqual([
    'default 1',
    'schedule 1',
    'schedule 2',
    'xnnpack 1',
    'peak 1',
    'peak 2',
  ]);
  for (const row of rows) {
    expect(row.correct).toBe(true);
    expect(row.gflops).toBeGreaterThan(0);
  }
  expect(rows[1].schedule).toBe('m:32 n:4 k:16 m:2 n:8');
  // The page ran it on its threads: the outermost loop that may be parallel, marked.
  expect(rows[2].schedule).toBe('||m:32 n:4 k:16 m:2 n:8');
});

test('bench --engine chromium on a port another server holds: an error that says so, not that server measured', async () => {
  const other = createServer((_, response) => response.end('another page'));
  await new Promise<void>((resolve) => other.listen(Number(PORT), resolve));
  try {
    const r = await bench('--op', MATMUL, '--sizes', 'm=8,n=8,k=8');
    expect(r.code).not.toBe(0);
    expect(r.stderr).toMatch(/bench: vite preview could not serve .* on port \d+ \(is the port taken\? pass --port\)/);
    expect(r.stdout).toBe('');
  } finally {
    await new Promise((resolve) => other.close(resolve));
  }
});
