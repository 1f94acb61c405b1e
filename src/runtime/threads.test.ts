// The thread pool on Node's worker_threads: ranges, a shared memory, traps and runaway kernels.
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { parseProblem } from '../core/problem.ts';
import { parseSchedule } from '../core/schedule.ts';
import { loadCodegen, type Codegen } from '../codegen/index.ts';
import { allocateSharedBuffers, measureScheduleOnThreads } from './measureThreads.ts';
import { createNodeThreadPool } from './nodeThreads.ts';
import { RunawayKernelError, splitIterations, type ThreadPool } from './threads.ts';

describe('splitIterations', () => {
  it('gives contiguous balanced ranges covering every iteration once', () => {
    expect(splitIterations(10, 3)).toEqual([
      [0, 3],
      [3, 6],
      [6, 10],
    ]);
    expect(splitIterations(2, 4)).toEqual([
      [0, 0],
      [0, 1],
      [1, 1],
      [1, 2],
    ]);
    for (let n = 0; n < 40; n++) {
      for (let t = 1; t <= 5; t++) {
        const r = splitIterations(n, t);
        expect(r[0][0]).toBe(0);
        expect(r[t - 1][1]).toBe(n);
        r.forEach(([b, e], i) => {
          if (i > 0) expect(b).toBe(r[i - 1][1]);
          expect(e - b).toBeGreaterThanOrEqual(Math.floor(n / t));
          expect(e - b).toBeLessThanOrEqual(Math.ceil(n / t));
        });
      }
    }
  });
});

describe('thread pool', () => {
  const MATMUL = parseProblem('C[m,n] += A[m,k] * B[k,n]', 'm=67, n=40, k=24');
  let codegen: Codegen;
  let pool: ThreadPool | undefined;
  beforeAll(async () => {
    codegen = await loadCodegen();
  });
  afterEach(() => pool?.terminate());

  it('runs a parallel kernel on 3 threads, each on its range, and it matches the reference', async () => {
    pool = createNodeThreadPool(3);
    const m = await measureScheduleOnThreads(
      codegen,
      MATMUL,
      parseSchedule(MATMUL, '||m:16 r3 n k m:4 n:8'),
      { relaxedSimd: false },
      pool,
      {
        timing: { samples: 2, minSampleMs: 1, warmupMs: 1 },
      },
    );
    expect(m.correct).toBe(true);
    expect(m.ranges).toEqual([
      [0, 5],
      [5, 11],
      [11, 17],
    ]);
    expect(m.gflops).toBeGreaterThan(0);
  });

  it('runs a schedule without a parallel loop whole on the first thread', async () => {
    pool = createNodeThreadPool(2);
    const m = await measureScheduleOnThreads(
      codegen,
      MATMUL,
      parseSchedule(MATMUL, 'm n k n:8'),
      { relaxedSimd: false },
      pool,
      { checkOnly: true },
    );
    expect(m.correct).toBe(true);
    expect(m.ranges).toBeNull();
  });

  it('reports a trap on a thread as an error of the call', async () => {
    pool = createNodeThreadPool(2);
    const { bytes } = codegen.generate(MATMUL, parseSchedule(MATMUL, '||m n k'), {
      relaxedSimd: false,
      sharedMemory: true,
    });
    const buffers = allocateSharedBuffers(MATMUL);
    await pool.load(await WebAssembly.compile(bytes as Uint8Array<ArrayBuffer>), 'kernel_range', buffers.memory);
    const { outPtr, in0Ptr, in1Ptr } = buffers;
    expect(() =>
      pool?.run([
        [outPtr, in0Ptr, in1Ptr, 0, 30],
        [0x7ffffff0, in0Ptr, in1Ptr, 30, 67],
      ]),
    ).toThrow(/^thread 1: .*out of bounds/);
    // The pool stays usable after a trap.
    expect(() =>
      pool?.run([
        [outPtr, in0Ptr, in1Ptr, 0, 30],
        [outPtr, in0Ptr, in1Ptr, 30, 67],
      ]),
    ).not.toThrow();
  });

  it('stops a runaway kernel: the call throws and the threads are terminated', async () => {
    pool = createNodeThreadPool(2, { callTimeoutMs: 300 });
    const { bytes } = codegen.peak({ relaxedSimd: false });
    await pool.load(await WebAssembly.compile(bytes as Uint8Array<ArrayBuffer>), 'peak');
    pool.run([[1000], [1000]]);
    const t0 = performance.now();
    // peak(0) counts down from 0: 2^32 iterations, minutes of work.
    expect(() => pool?.run([[1000], [0]])).toThrow(RunawayKernelError);
    expect(performance.now() - t0).toBeLessThan(5_000);
    expect(() => pool?.run([[1], [1]])).toThrow(/terminated/);
  });

  it('refuses buffers in a plain memory', async () => {
    pool = createNodeThreadPool(1);
    const { allocateBuffers } = await import('./buffers.ts');
    await expect(
      measureScheduleOnThreads(codegen, MATMUL, parseSchedule(MATMUL, '||m n k'), { relaxedSimd: false }, pool, {
        buffers: allocateBuffers(MATMUL),
      }),
    ).rejects.toThrow('threads need buffers in a shared memory; allocate them with allocateSharedBuffers');
  });
});
