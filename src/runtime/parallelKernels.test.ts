// Kernels of schedules with a parallel loop: `kernel_range` runs a range of that loop's
// iterations (the tail last), `kernel` all of them, and a shared-memory target imports a shared
// memory. The pool of threads is tested in threads.test.ts.
import { beforeAll, describe, expect, it } from 'vitest';
import { parseProblem } from '../core/problem.ts';
import { parseSchedule } from '../core/schedule.ts';
import { allocateBuffers } from './buffers.ts';
import { checkOutput } from './check.ts';
import { loadCodegen, type Codegen } from '../codegen/index.ts';

const MATMUL = parseProblem('C[m,n] += A[m,k] * B[k,n]', 'm=97, n=24, k=16');
const TARGET = { relaxedSimd: false };

type RangeFn = (out: number, in0: number, in1: number, begin: number, end: number) => void;

describe('parallel kernels', () => {
  let codegen: Codegen;
  beforeAll(async () => {
    codegen = await loadCodegen();
  });

  it('report the parallel loop and its iterations, the tail counted as one', () => {
    const { report } = codegen.generate(MATMUL, parseSchedule(MATMUL, '||m:24 r1 n k m:4 n:8'), TARGET);
    expect(report.parallel).toEqual({ loop: 0, text: '||m:24 r1', iterations: 25 });
    expect(report.notes).toContain(
      '||m:24 r1 runs in parallel: its 25 iterations (the last one is the tail of 1) are divided among the threads.',
    );
    expect(codegen.generate(MATMUL, parseSchedule(MATMUL, 'm n k m:4 n:8'), TARGET).report.parallel).toBeNull();
  });

  it('export kernel_range next to kernel only when a loop is parallel', () => {
    const names = (text: string) =>
      WebAssembly.Module.exports(
        new WebAssembly.Module(
          codegen.generate(MATMUL, parseSchedule(MATMUL, text), TARGET).bytes as Uint8Array<ArrayBuffer>,
        ),
      ).map((e) => e.name);
    expect(names('||m:24 r1 n k m:4 n:8').sort()).toEqual(['kernel', 'kernel_range']);
    expect(names('m n k m:4 n:8')).toEqual(['kernel']);
  });

  it.each(['||m:24 r1 n k m:4 n:8', 'n:3 ||m:24 r1 k m:4 n:8', 'm:1 r17 ||m:20 n k m:4 n:8', '||n:3 m k n:8'])(
    '%s: ranges run one after another compute the whole output',
    async (text) => {
      const schedule = parseSchedule(MATMUL, text);
      const { bytes, report } = codegen.generate(MATMUL, schedule, TARGET);
      const buffers = allocateBuffers(MATMUL, 3);
      const { instance } = await WebAssembly.instantiate(bytes as Uint8Array<ArrayBuffer>, {
        env: { memory: buffers.memory },
      });
      const range = instance.exports.kernel_range as RangeFn;
      const iterations = report.parallel?.iterations ?? 0;
      const cuts = [0, 1, Math.floor(iterations / 2), iterations - 1, iterations];
      const run = () => {
        for (let i = 0; i + 1 < cuts.length; i++)
          range(buffers.outPtr, buffers.in0Ptr, buffers.in1Ptr, cuts[i], cuts[i + 1]);
      };
      expect(checkOutput(MATMUL, buffers, run).correct).toBe(true);
      const whole = () =>
        (instance.exports.kernel as (a: number, b: number, c: number) => void)(
          buffers.outPtr,
          buffers.in0Ptr,
          buffers.in1Ptr,
        );
      expect(checkOutput(MATMUL, buffers, whole).correct).toBe(true);
      const withoutLast = () => range(buffers.outPtr, buffers.in0Ptr, buffers.in1Ptr, 0, iterations - 1);
      expect(checkOutput(MATMUL, buffers, withoutLast).correct).toBe(false);
    },
  );

  it('import a shared memory for a shared-memory target, and only then', async () => {
    const schedule = parseSchedule(MATMUL, '||m:24 r1 n k m:4 n:8');
    const shared = new WebAssembly.Module(
      codegen.generate(MATMUL, schedule, { ...TARGET, sharedMemory: true }).bytes as Uint8Array<ArrayBuffer>,
    );
    const plain = new WebAssembly.Module(codegen.generate(MATMUL, schedule, TARGET).bytes as Uint8Array<ArrayBuffer>);
    const sharedMemory = allocateBuffers(MATMUL, 1, { shared: true }).memory;
    const plainMemory = allocateBuffers(MATMUL, 1).memory;
    await expect(WebAssembly.instantiate(shared, { env: { memory: sharedMemory } })).resolves.toBeDefined();
    await expect(WebAssembly.instantiate(shared, { env: { memory: plainMemory } })).rejects.toThrow();
    await expect(WebAssembly.instantiate(plain, { env: { memory: plainMemory } })).resolves.toBeDefined();
  });
});
