// The client's queueing, time limit and restart logic, with a worker_threads stand-in for the
// browser worker (client.fixture.mjs exposes the same API with comlink).
import { afterEach, describe, expect, it } from 'vitest';
import { nodeWorker as nodeThread } from '../testWorker.ts';
import { createKernelClient, WorkerTimeoutError, type KernelClient, type WorkerLike } from './client.ts';

/** The fixture worker on a worker_threads thread. */
const nodeWorker = (): WorkerLike => nodeThread(new URL('./client.fixture.mjs', import.meta.url));

let client: KernelClient | null = null;
afterEach(() => client?.terminate());

describe('createKernelClient', () => {
  it('initializes and forwards calls', async () => {
    client = createKernelClient({ createWorker: nodeWorker });
    expect(await client.init()).toEqual({ relaxedSimd: false });
    expect(await client.measure('C[i] += A[i] * B[i]\ni=4', 'i')).toMatchObject({ schedule: 'i', inits: 1 });
    expect(await client.peak()).toBe(42);
    expect(client.restarts).toBe(0);
  });

  it('a measurement asked for during a refine call cuts the refine short', async () => {
    client = createKernelClient({ createWorker: nodeWorker });
    await client.init();
    const refining = client.refine('p', 'r');
    await new Promise((r) => setTimeout(r, 200));
    const t0 = Date.now();
    const measured = await client.measure('C[i] += A[i] * B[i]\ni=4', 'i');
    const r = (await refining) as Awaited<typeof refining> & { tookMs: number };
    expect(measured).toMatchObject({ schedule: 'i' });
    expect(Date.now() - t0).toBeLessThan(2000);
    expect(r.tookMs).toBeLessThan(2000);
    expect(r.kernelSeconds.length).toBeGreaterThan(0);
    // The next refine runs until stopped again: the flag was cleared when it started.
    const next = client.refine('p', 'r');
    await new Promise((r) => setTimeout(r, 100));
    await client.measure('C[i] += A[i] * B[i]\ni=4', 'i');
    expect(((await next) as typeof r).tookMs).toBeGreaterThanOrEqual(90);
  });

  it('passes errors of the worker through with their message and name', async () => {
    client = createKernelClient({ createWorker: nodeWorker });
    await client.init();
    const err = await client.measure('p', 'throw').catch((e: Error) => e);
    expect(err).toBeInstanceOf(Error);
    expect((err as Error).message).toBe("line 1, col 3: unknown variable 'z'");
    expect((err as Error).name).toBe('ScheduleError');
  });

  it('stops a runaway call, restarts the worker and keeps serving', async () => {
    client = createKernelClient({ createWorker: nodeWorker, timeLimitMs: 300 });
    await client.init();
    const queued = client.measure('p', 'after'); // queued behind nothing: runs first
    const hung = client.measure('p', 'hang');
    const next = client.measure('p', 'next'); // queued behind the runaway call
    expect(await queued).toMatchObject({ schedule: 'after' });
    const err = await hung.catch((e: Error) => e);
    expect(err).toBeInstanceOf(WorkerTimeoutError);
    expect((err as Error).message).toBe('the kernel ran longer than 0.3 s; the worker was restarted');
    // The fresh worker was initialized again before serving the queued call.
    expect(await next).toMatchObject({ schedule: 'next', inits: 1 });
    expect(client.restarts).toBe(1);
  });

  it('raises the time limit for one call when asked (long runs)', async () => {
    client = createKernelClient({ createWorker: nodeWorker, timeLimitMs: 200 });
    await client.init();
    expect(client.timeLimitMs).toBe(200);
    const slow = await client
      .measure('p', 'sleep', { sleepMs: 400 } as never, { timeLimitMs: 2000 })
      .catch((e: Error) => e);
    expect(slow).toMatchObject({ schedule: 'sleep' });
    const err = await client.measure('p', 'sleep', { sleepMs: 400 } as never).catch((e: Error) => e);
    expect(err).toBeInstanceOf(WorkerTimeoutError);
    expect(client.restarts).toBe(1);
  });

  it('delivers progress posted by the worker through a comlink proxy', async () => {
    client = createKernelClient({ createWorker: nodeWorker });
    const seen: number[] = [];
    await client.measure('p', 'with progress', {}, { onProgress: (f) => seen.push(f) });
    await expect.poll(() => seen).toEqual([0, 0.5, 1]);
  });

  it('forwards bandwidth and xnnpack; a runaway xnnpack call has its own limit and message', async () => {
    client = createKernelClient({ createWorker: nodeWorker, timeLimitMs: 5000, xnnpackTimeLimitMs: 300 });
    expect(await client.bandwidth()).toBe(5e10);
    expect(await client.xnnpack('C[m,n] += A[m,k] * B[k,n]\nm=2, n=2, k=2')).toMatchObject({
      gflops: 30,
      correct: true,
    });
    expect(await client.xnnpack('C[i] += A[i] * B[i]\ni=4')).toBeNull();
    const err = await client.xnnpack('hang').catch((e: Error) => e);
    expect(err).toBeInstanceOf(WorkerTimeoutError);
    expect((err as Error).message).toBe('XNNPACK ran longer than 0.3 s; the worker was restarted');
    expect(await client.peak()).toBe(42);
  });

  it('uses whole seconds in the message for the default-style limits', async () => {
    client = createKernelClient({ createWorker: nodeWorker, timeLimitMs: 1000 });
    const err = await client.measure('p', 'hang').catch((e: Error) => e);
    expect((err as Error).message).toBe('the kernel ran longer than 1 s; the worker was restarted');
  });
});
