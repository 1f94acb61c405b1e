// The lab client over an in-process MessageChannel: events and answers pass through comlink, a
// run that honours cancel ends normally, one that does not is stopped by terminating the worker
// after the grace period (its call rejects in words), and the next call starts a fresh worker.
import { describe, expect, it } from 'vitest';
import { channelWorker } from '../testWorker.ts';
import { createLabClient, type LabWorkerLike } from './client.ts';
import type { LabWorkerApi, RaceEvent, RaceResult } from './protocol.ts';

/** A fake lab worker; `hang` races ignore cancel (like a kernel that never returns). */
function fakeWorkers() {
  const made: { terminated: boolean }[] = [];
  const createWorker = (): LabWorkerLike => {
    let cancel: (() => void) | null = null;
    const api: LabWorkerApi = {
      async race(problemText, _options, onEvent) {
        onEvent?.({ kind: 'default', gflops: 2 });
        onEvent?.({ kind: 'start', method: 'greedy1' });
        if (problemText === 'quick') return { defaultGflops: 2, runs: [], cancelled: false };
        return new Promise<RaceResult>((resolve) => {
          if (problemText !== 'hang') cancel = () => resolve({ defaultGflops: 2, runs: [], cancelled: true });
        });
      },
      fineTune: () => Promise.reject(new Error('not in this fake')),
      cancel: () => cancel?.(),
    };
    const record = { terminated: false };
    made.push(record);
    return channelWorker(api, () => (record.terminated = true));
  };
  return { made, createWorker };
}

describe('createLabClient', () => {
  it('streams events and answers', async () => {
    const f = fakeWorkers();
    const client = createLabClient({ createWorker: f.createWorker });
    const events: RaceEvent[] = [];
    const r = await client.race('quick', { budgetMs: 10 }, (e) => events.push(e));
    expect(r.cancelled).toBe(false);
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(events.map((e) => e.kind)).toEqual(['default', 'start']);
    expect(f.made).toHaveLength(1);
    client.terminate();
  });

  it('lets a run that honours cancel end by itself', async () => {
    const f = fakeWorkers();
    const client = createLabClient({ createWorker: f.createWorker, cancelGraceMs: 100 });
    const run = client.race('slow', { budgetMs: 10 });
    await new Promise((resolve) => setTimeout(resolve, 20));
    client.cancel();
    expect((await run).cancelled).toBe(true);
    await new Promise((resolve) => setTimeout(resolve, 150));
    expect(f.made[0].terminated).toBe(false);
    client.terminate();
  });

  it('terminates a worker that does not stop, and starts a fresh one for the next call', async () => {
    const f = fakeWorkers();
    const client = createLabClient({ createWorker: f.createWorker, cancelGraceMs: 50 });
    const run = client.race('hang', { budgetMs: 10 });
    await new Promise((resolve) => setTimeout(resolve, 20));
    client.cancel();
    await expect(run).rejects.toThrow(/did not stop within 0.05 s/);
    expect(f.made[0].terminated).toBe(true);
    expect((await client.race('quick', { budgetMs: 10 })).cancelled).toBe(false);
    expect(f.made).toHaveLength(2);
    client.terminate();
  });
});
