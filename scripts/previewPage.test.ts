// The main every page measurement shares: its own options parsed, bad input refused in one line
// with exit code 2 before anything runs, the report printed as a table or JSON.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { pageMeasurementMain, wholeNumberOption, type PageMeasurement } from './previewPage.ts';

const build = () => {
  const dist = mkdtempSync(path.join(tmpdir(), 'looplab-dist-'));
  writeFileSync(path.join(dist, 'index.html'), '<!doctype html>');
  return dist;
};

function fake() {
  const runs: unknown[] = [];
  const m: PageMeasurement<{ dist: string; port: number; n: number }, { n: number }> = {
    name: 'measure-fake',
    usage: 'usage: measure-fake [--n N]',
    port: 4999,
    options: { n: { type: 'string' } },
    parse: (values, common) => ({ ...common, n: wholeNumberOption('n', values.n as string | undefined, 3, 1) }),
    run: async (o) => {
      runs.push(o);
      return { n: o.n };
    },
    format: (r) => `n is ${r.n}`,
  };
  return { m, runs };
}

describe('pageMeasurementMain', () => {
  afterEach(() => vi.restoreAllMocks());

  it('runs with the defaults and its own options, and prints a table or JSON', async () => {
    const log = vi.spyOn(console, 'log').mockImplementation(() => {});
    const dist = build();
    const { m, runs } = fake();
    expect(await pageMeasurementMain(['--dist', dist], m)).toBe(0);
    expect(runs).toEqual([{ dist, port: 4999, n: 3 }]);
    expect(log).toHaveBeenLastCalledWith('n is 3');
    expect(await pageMeasurementMain(['--dist', dist, '--port', '5001', '--n', '7', '--json'], m)).toBe(0);
    expect(runs[1]).toEqual({ dist, port: 5001, n: 7 });
    expect(JSON.parse(log.mock.calls.at(-1)![0] as string)).toEqual({ n: 7 });
  });

  it('refuses bad input in one line with exit code 2, before measuring', async () => {
    const error = vi.spyOn(console, 'error').mockImplementation(() => {});
    const dist = build();
    const { m, runs } = fake();
    expect(await pageMeasurementMain(['--dist', dist, '--bogus'], m)).toBe(2);
    expect(error.mock.calls.at(-1)![0]).toMatch(
      /^measure-fake: Unknown option '--bogus'.*\nusage: measure-fake \[--n N\]$/s,
    );
    expect(await pageMeasurementMain(['--dist', dist, '--n', '0'], m)).toBe(2);
    expect(error).toHaveBeenLastCalledWith("measure-fake: --n wants a whole number >= 1, got '0'");
    expect(await pageMeasurementMain(['--dist', dist, '--port', 'x'], m)).toBe(2);
    expect(error).toHaveBeenLastCalledWith("measure-fake: --port wants a whole number >= 1, got 'x'");
    expect(await pageMeasurementMain(['--dist', path.join(dist, 'nowhere')], m)).toBe(2);
    expect(error).toHaveBeenLastCalledWith(
      `measure-fake: no build in ${path.join(dist, 'nowhere')}/ (run npm run build, or pass --dist)`,
    );
    expect(runs).toEqual([]);
  });
});
