// The lifecycle the runtime, agent and lab clients share: a worker that fails rejects its call
// with the worker's name and is replaced on the next call; `stop(reason)` rejects the call in
// flight; a failed init is tried again on the next call; a hung init rejects naming its limit.
import { describe, expect, it } from 'vitest';
import { formatLimit, supervisedWorker, WorkerTimeoutError, type WorkerLike } from './supervisedWorker.ts';
import { channelWorker } from './testWorker.ts';

interface Api {
  init(): Promise<number>;
  work(what: 'quick' | 'hang'): Promise<string>;
}

/**
 * Fake workers over in-process MessageChannels; `made[i].fail` raises an error event in worker i.
 * Each init call (in any worker) takes the next of `initAnswers` (none left: answers the worker's index).
 */
function fakeWorkers(initAnswers: (() => Promise<number>)[] = []) {
  const made: { terminated: boolean; fail: (message: string) => void }[] = [];
  const create = (): WorkerLike => {
    const index = made.length;
    const api: Api = {
      init: () => (initAnswers.shift() ?? (() => Promise.resolve(index)))(),
      work: (what) => (what === 'quick' ? Promise.resolve(`done by ${index}`) : new Promise(() => {})),
    };
    const worker = channelWorker(api, () => (record.terminated = true));
    const record = {
      terminated: false,
      fail: (message: string) => worker.dispatchEvent(Object.assign(new Event('error'), { message })),
    };
    made.push(record);
    return worker;
  };
  return { made, create };
}

describe('supervisedWorker', () => {
  it('states limits in seconds', () => {
    expect(formatLimit(300)).toBe('0.3 s');
    expect(formatLimit(60_000)).toBe('60 s');
    expect(formatLimit(1234)).toBe('1.23 s');
  });

  it('rejects the call of a worker that fails, naming it, and starts a fresh one for the next call', async () => {
    const f = fakeWorkers();
    const w = supervisedWorker<Api>({ create: f.create, name: 'the test worker' });
    const hung = w.call((api) => api.work('hang'));
    f.made[0].fail('out of memory');
    await expect(hung).rejects.toThrow('the test worker failed: out of memory');
    expect(f.made[0].terminated).toBe(true);
    expect(w.api()).toBeNull();
    expect(await w.call((api) => api.work('quick'))).toBe('done by 1');
    expect([w.crashes, w.timeouts]).toEqual([1, 0]);
    w.stop();
  });

  it('rejects the call in flight with the reason it was stopped for', async () => {
    const f = fakeWorkers();
    const w = supervisedWorker<Api>({ create: f.create, name: 'the test worker' });
    const hung = w.call((api) => api.work('hang'));
    w.stop('closed by the test');
    await expect(hung).rejects.toThrow('closed by the test');
    expect(f.made[0].terminated).toBe(true);
  });

  it('tries a failed init again on the next call; a hung init rejects naming its limit', async () => {
    const never = () => new Promise<number>(() => {});
    const f = fakeWorkers([() => Promise.reject(new Error('no generator')), () => Promise.resolve(7), never]);
    let inits = 0;
    const w = supervisedWorker<Api, number>({
      create: f.create,
      name: 'the test worker',
      init: (api) => {
        inits++;
        return api.init();
      },
      // Long enough that a loaded machine's scheduling never reaches it before a quick init settles.
      initLimit: { ms: 1000, message: (limit) => `did not start within ${limit}` },
    });
    await expect(w.serial(() => w.call((api) => api.work('quick')))).rejects.toThrow('no generator');
    // The same worker is readied again, once.
    expect(await w.serial(() => w.call((api) => api.work('quick')))).toBe('done by 0');
    expect(await w.serial(() => w.ready())).toBe(7);
    expect([inits, f.made.length]).toEqual([2, 1]);
    w.stop();
    const err = await w.serial(() => w.ready()).catch((e: Error) => e);
    expect(err).toBeInstanceOf(WorkerTimeoutError);
    expect((err as Error).message).toBe('did not start within 1 s');
    expect(w.timeouts).toBe(1);
    expect(f.made[1].terminated).toBe(true);
  });
});
