// The fully associative LRU against a plain list, on traces long and skewed enough to wrap and
// compact its log many times (a hot line referenced over and over between colder ones).
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { FullyAssociativeLru } from './lru.ts';

function listHits(capacity: number, trace: number[]): boolean[] {
  const list: number[] = [];
  return trace.map((line) => {
    const at = list.indexOf(line);
    if (at >= 0) list.splice(at, 1);
    list.unshift(line);
    if (list.length > capacity) list.pop();
    return at >= 0;
  });
}

const LINES = 64;

describe('FullyAssociativeLru', () => {
  it('hits exactly when a plain LRU list holds the line', () => {
    const runs = fc.array(
      fc.record({ line: fc.integer({ min: 0, max: LINES - 1 }), times: fc.integer({ min: 1, max: 90 }) }),
      { maxLength: 120 },
    );
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 12 }), runs, (capacity, rs) => {
        const trace = rs.flatMap((r) => Array.from({ length: r.times }, (_, i) => (i % 3 === 2 ? r.line : 7)));
        const lru = new FullyAssociativeLru(capacity, LINES);
        expect(trace.map((line) => lru.touch(line))).toEqual(listHits(capacity, trace));
      }),
      { numRuns: 300 },
    );
  });
});
