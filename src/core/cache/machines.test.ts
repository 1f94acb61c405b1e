import { describe, expect, it } from 'vitest';
import { configProblem, setsOf } from './config.ts';
import { customMachine, MACHINES, machineById, parseLevelText } from './machines.ts';

describe('cache machines', () => {
  it('are all simulable, with whole numbers of sets, a source and a unique id', () => {
    for (const m of MACHINES) {
      expect(configProblem(m), m.id).toBeNull();
      expect(m.source.length, m.id).toBeGreaterThan(20);
    }
    expect(new Set(MACHINES.map((m) => m.id)).size).toBe(MACHINES.length);
    // The figures as cited: sets = size / (line x ways).
    expect(MACHINES.map((m) => [m.id, m.levels.map((l) => setsOf(l, m.lineBytes))])).toEqual([
      ['zen4', [64, 2048]],
      ['zen3', [64, 1024]],
      ['golden-cove', [64, 2048]],
      ['raptor-cove', [64, 2048]],
      ['apple-m1', [128, 8192]],
      ['teaching', [32]],
    ]);
    expect(machineById('teaching')?.lineBytes).toBe(32);
  });

  it('reads custom levels written SIZE:WAYS', () => {
    expect(parseLevelText('L1d', '32K:8')).toEqual({ name: 'L1d', bytes: 32768, ways: 8 });
    expect(parseLevelText('L2', '1.25MiB:10')).toEqual({ name: 'L2', bytes: 1310720, ways: 10 });
    const m = customMachine(
      [
        { name: 'L1d', text: '32K:8' },
        { name: 'L2', text: '1M:16' },
      ],
      64,
    );
    expect(typeof m === 'string' ? m : m.name).toBe('Custom: L1d 32 KiB 8-way, L2 1 MiB 16-way, 64-byte lines');
  });

  it('says what is wrong with a custom level', () => {
    expect(parseLevelText('L1d', '32K')).toMatch(/L1d: '32K' is not SIZE:WAYS; write e.g. 32K:8/);
    expect(customMachine([{ name: 'L1d', text: '1000:8' }], 64)).toMatch(/not a whole number of sets/);
    expect(customMachine([{ name: 'L1d', text: '32K:8' }], 48)).toMatch(/line size 48 B is not a power of two/);
  });
});
