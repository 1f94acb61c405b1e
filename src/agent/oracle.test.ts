// The caching oracle (memory and JSON file) and the runtime oracle on a tiny problem.
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { detectTarget, loadCodegen } from '../codegen/index.ts';
import { parseProblem } from '../core/problem.ts';
import { parseSchedule } from '../core/schedule.ts';
import { CacheFileError, JsonFileStore } from './cacheFile.ts';
import { CachingOracle, RuntimeOracle, functionOracle, measurementKey } from './oracle.ts';

const p = parseProblem('C[m,n] += A[m,k] * B[k,n]', 'm=16, n=16, k=8');
const dir = mkdtempSync(path.join(tmpdir(), 'looplab-oracle-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('CachingOracle', () => {
  it('asks the inner oracle once per problem + schedule', async () => {
    const inner = functionOracle((_, s) => s.loops.length);
    const oracle = new CachingOracle(inner);
    const s = parseSchedule(p, 'm n k n:4');
    expect(await oracle.gflops(p, s)).toBe(4);
    expect(await oracle.gflops(p, parseSchedule(p, 'm n:4 k n:4'))).toBe(4);
    expect(inner.calls).toBe(1);
    const other = parseProblem('C[m,n] += A[m,k] * B[k,n]', 'm=16, n=16, k=16');
    await oracle.gflops(other, parseSchedule(other, 'm n k n:4'));
    expect(inner.calls).toBe(2);
    expect([oracle.hits, oracle.misses]).toEqual([1, 2]);
    expect(oracle.peek(p, s)).toBe(4);
  });

  it('shares one measurement between concurrent requests', async () => {
    const inner = functionOracle(() => 3);
    const oracle = new CachingOracle(inner);
    const s = parseSchedule(p, 'm n k');
    const all = await Promise.all([oracle.gflops(p, s), oracle.gflops(p, s), oracle.gflops(p, s)]);
    expect(all).toEqual([3, 3, 3]);
    expect(inner.calls).toBe(1);
  });

  it('keeps answers in a JSON file for the next run', async () => {
    const file = path.join(dir, 'sub', 'cache.json');
    const store = new JsonFileStore(file, { flushEvery: 1000, createFolder: true });
    const first = new CachingOracle(
      functionOracle(() => 7.5),
      store,
      'relaxed',
    );
    await first.gflops(p, parseSchedule(p, 'n m k'));
    store.flush();
    const data = JSON.parse(readFileSync(file, 'utf8'));
    expect(data.entries[measurementKey(p, parseSchedule(p, 'n m k'), 'relaxed')]).toBe(7.5);

    const inner = functionOracle(() => 99);
    const second = new CachingOracle(inner, new JsonFileStore(file), 'relaxed');
    expect(await second.gflops(p, parseSchedule(p, 'n m k'))).toBe(7.5);
    expect(inner.calls).toBe(0);
    // Another prefix (e.g. another target) does not share answers.
    const third = new CachingOracle(inner, new JsonFileStore(file), 'simd');
    expect(await third.gflops(p, parseSchedule(p, 'n m k'))).toBe(99);
  });

  it('refuses a file that is not a measurement cache and leaves it as it was', async () => {
    const cases: [string, string, RegExp][] = [
      [
        'notes.txt',
        'my notes, not JSON',
        /notes\.txt is not a measurement cache \(not JSON\) and is left as it is; give another file name/,
      ],
      ['other.json', '{"name":"package"}', /other\.json is not a measurement cache \(no "version": 1\)/],
      [
        'list.json',
        '{"version":1,"entries":[1,2,3]}',
        /list\.json is not a measurement cache \("entries" is not an object/,
      ],
      [
        'mine.json',
        '{"version":1,"entries":{"x":"not a number"},"mine":"keep me"}',
        /mine\.json is not a measurement cache \(it holds "mine" besides "version" and "entries"\) and is left as it is/,
      ],
      [
        'words.json',
        '{"version":1,"entries":{"x":"not a number"}}',
        /words\.json is not a measurement cache \(entry "x" is not a number\)/,
      ],
      [
        'damaged.json',
        '{"version":1,"entries":',
        /damaged\.json is not a measurement cache \(not JSON\).*delete the file if it is a damaged cache/,
      ],
    ];
    for (const [name, content, message] of cases) {
      const file = path.join(dir, name);
      writeFileSync(file, content);
      expect(() => new JsonFileStore(file)).toThrow(CacheFileError);
      expect(() => new JsonFileStore(file)).toThrow(message);
      expect(readFileSync(file, 'utf8')).toBe(content);
    }
    expect(() => new JsonFileStore(dir)).toThrow(/is a folder, not a measurement cache; give a file name/);
    expect(() => new JsonFileStore('/dev/null')).toThrow(
      "/dev/null is not a regular file (a device, pipe or socket), so it can't hold a measurement cache; give a file name",
    );
  });

  it('refuses a file in a folder that does not exist unless asked to create it', () => {
    const file = path.join(dir, 'no', 'such', 'cache.json');
    expect(() => new JsonFileStore(file)).toThrow(
      `the folder ${path.join(dir, 'no', 'such')} does not exist; create it, or give a cache file in an existing folder`,
    );
    expect(existsSync(path.join(dir, 'no'))).toBe(false);
    const created = new JsonFileStore(file, { createFolder: true });
    created.set('k', 1);
    created.flush();
    expect(new JsonFileStore(file).get('k')).toBe(1);
  });
});

describe('RuntimeOracle', () => {
  it('measures a real kernel (no speed asserted)', async () => {
    const oracle = new RuntimeOracle(await loadCodegen(), detectTarget(), {
      samples: 2,
      minSampleMs: 0.5,
      warmupMs: 1,
    });
    const g = await oracle.gflops(p, parseSchedule(p, 'm n k m:2 n:8'));
    expect(g).toBeGreaterThan(0);
    expect(oracle.measured).toBe(1);
  });
});
