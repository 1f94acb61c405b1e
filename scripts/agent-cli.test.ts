// Spawns tune, eval and train: bad input gives one line on stderr and exit code 2; tune's JSON
// follows DESIGN section 7. (Speed is never asserted.)
import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('..', import.meta.url));
const empty = mkdtempSync(path.join(tmpdir(), 'looplab-cli-'));
afterAll(() => rmSync(empty, { recursive: true, force: true }));

function script(name: string, ...args: string[]) {
  const r = spawnSync(
    process.execPath,
    ['--experimental-wasm-relaxed-simd', '--import', 'tsx', `scripts/${name}.ts`, ...args],
    {
      cwd: root,
      encoding: 'utf8',
      timeout: 60_000,
    },
  );
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

function expectBadInput(r: ReturnType<typeof script>, pattern: RegExp) {
  expect(r.stderr).toMatch(pattern);
  expect(r.code).toBe(2);
  expect(r.stderr.trim().split('\n')).toHaveLength(1);
  expect(r.stdout).toBe('');
}

const MATMUL = 'C[m,n] += A[m,k] * B[k,n]';

describe('tune', () => {
  it('rejects bad input in one line', () => {
    expectBadInput(script('tune', '--sizes', 'm=8,n=8,k=8', '--method', 'greedy1'), /^tune: missing --op/);
    expectBadInput(
      script('tune', '--op', MATMUL, '--sizes', 'm=8,n=8,k=8'),
      /^tune: missing --method, one of agent, looptune, expert, greedy1/,
    );
    expectBadInput(
      script('tune', '--op', MATMUL, '--sizes', 'm=8,n=8,k=8', '--method', 'beam9'),
      /^tune: --method must be one of/,
    );
    expectBadInput(
      script('tune', '--op', MATMUL, '--sizes', 'm=8,n=8,k=8', '--method', 'random', '--budget-s', '0'),
      /--budget-s wants a number > 0/,
    );
    expectBadInput(
      script('tune', '--op', 'C[m,n] += A[m,q] * B[k,n]', '--sizes', 'm=8,n=8,k=8', '--method', 'greedy1'),
      /^tune: line 1, col \d+: unknown variable 'q'/,
    );
  });

  it('prints the JSON of DESIGN section 7 for a search on a small problem', () => {
    const r = script(
      'tune',
      '--op',
      MATMUL,
      '--sizes',
      'm=24,n=20,k=9',
      '--method',
      'greedy1',
      '--steps',
      '3',
      '--json',
    );
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const out = JSON.parse(r.stdout);
    expect(Object.keys(out)).toEqual([
      'method',
      'schedule',
      'gflops',
      'default_gflops',
      'speedup',
      'tuning_s',
      'actions',
    ]);
    expect(out.method).toBe('greedy1');
    expect(out.gflops).toBeGreaterThan(0);
    expect(out.speedup).toBeCloseTo(out.gflops / out.default_gflops, 9);
    expect(out.actions.length).toBeLessThanOrEqual(3);
  });

  it("says which of LoopTune's policy files is missing and how to fix it", () => {
    const fix =
      '; pass a folder holding model.json and weights.bin, as npm run train writes them \\(to public/agent by default\\)\n$';
    const base = ['--op', MATMUL, '--sizes', 'm=8,n=8,k=8', '--method', 'looptune', '--policy'];
    expectBadInput(
      script('tune', ...base, empty),
      new RegExp(`^tune: --policy ${empty}: no trained policy at .*model\\.json${fix}`),
    );
    expectBadInput(
      script('tune', ...base, '/no/such/policy'),
      new RegExp(`^tune: --policy /no/such/policy: no folder /no/such/policy${fix}`),
    );
    const noWeights = path.join(empty, 'no-weights');
    mkdirSync(noWeights);
    copyFileSync(path.join(root, 'public/agent/model.json'), path.join(noWeights, 'model.json'));
    const r = script('tune', ...base, noWeights);
    expectBadInput(
      r,
      new RegExp(
        `^tune: --policy ${noWeights}: ${noWeights}/weights\\.bin is missing \\(.*model\\.json names it as its weights\\)${fix}`,
      ),
    );
    expect(r.stderr).not.toMatch(/ENOENT/);
  });

  it("says where the agent's cost model is missing", () => {
    expectBadInput(
      script('tune', '--op', MATMUL, '--sizes', 'm=8,n=8,k=8', '--method', 'agent', '--cost-model', empty),
      new RegExp(
        `^tune: --cost-model ${empty}: no cost model at .*model\\.json; train one with npm run train:cost; pass a folder holding model\\.json and weights\\.bin, as npm run train:cost writes them \\(to public/agent/cost-model by default\\)\n$`,
      ),
    );
  });

  it('tunes with the expert grid', () => {
    const r = script('tune', '--op', MATMUL, '--sizes', 'm=16,n=32,k=40', '--method', 'expert', '--json');
    expect(r.code).toBe(0);
    const out = JSON.parse(r.stdout);
    expect(out.method).toBe('expert');
    expect(out.schedule).toMatch(/ m:\d+ n:\d+$/);
    expect(out.actions).toEqual([]);
  });

  it('never writes over a file that is not a measurement cache, nor creates folders for one', () => {
    const notes = path.join(empty, 'notes.txt');
    writeFileSync(notes, 'my notes');
    const base = ['--op', MATMUL, '--sizes', 'm=8,n=8,k=8', '--method', 'greedy1', '--steps', '1', '--cache'];
    expectBadInput(
      script('tune', ...base, notes),
      /^tune: .*notes\.txt is not a measurement cache \(not JSON\) and is left as it is; give another file name/,
    );
    expect(readFileSync(notes, 'utf8')).toBe('my notes');
    expectBadInput(
      script('tune', ...base, '/no/such/dir/c.json'),
      /^tune: the folder \/no\/such\/dir does not exist; create it, or give a cache file in an existing folder\n$/,
    );
    expect(existsSync('/no/such')).toBe(false);
  });

  it('refuses flags it would ignore and empty paths', () => {
    const base = ['--op', MATMUL, '--sizes', 'm=8,n=8,k=8'];
    expectBadInput(
      script('tune', ...base, '--method', 'greedy1', '--policy', '/garbage'),
      /^tune: --policy is read only by --method looptune \(LoopTune's trained policy\); drop it for greedy1 \(see --help\)\n$/,
    );
    expectBadInput(
      script('tune', ...base, '--method', 'expert', '--cost-model', '/garbage'),
      /^tune: --cost-model is read only by --method agent \(its cost model\); drop it for expert/,
    );
    expectBadInput(
      script('tune', ...base, '--method', 'expert', '--threads', '2'),
      /^tune: --threads is read only by --method agent \(it measures on threads\); drop it for expert/,
    );
    expectBadInput(
      script('tune', ...base, '--method', 'greedy1', '--cache', ''),
      /^tune: --cache needs a path, got ''; give one, or drop --cache/,
    );
    expectBadInput(
      script('tune', ...base, '--method', 'greedy1', '--max-gflop', '-Infinity'),
      /^tune: --max-gflop wants a number > 0, got '-Infinity'/,
    );
    expectBadInput(
      script('tune', ...base, '--method', 'greedy1', '--steps', '1', '--cache', '/dev/null'),
      /^tune: \/dev\/null is not a regular file \(a device, pipe or socket\)/,
    );
  });

  it('refuses a policy folder whose model.json is not a policy, in words', () => {
    const folder = path.join(empty, 'bare-policy');
    mkdirSync(folder);
    writeFileSync(path.join(folder, 'model.json'), '{}');
    writeFileSync(path.join(folder, 'weights.bin'), '');
    expectBadInput(
      script('tune', '--op', MATMUL, '--sizes', 'm=8,n=8,k=8', '--method', 'looptune', '--policy', folder),
      /^tune: --policy .*bare-policy: the policy in .*bare-policy: model\.json has no modelTopology \(not a tfjs layers model\); pass a folder/,
    );
  });

  it('bounds and checks its numbers', () => {
    const base = ['--op', MATMUL, '--sizes', 'm=8,n=8,k=8', '--method', 'greedy1'];
    expectBadInput(
      script('tune', ...base, '--steps', '99999999999999999999'),
      /^tune: --steps must be at most 100, got '99999999999999999999' \(see --help\)\n$/,
    );
    expectBadInput(
      script('tune', ...base, '--steps', '-1'),
      /^tune: --steps must be an integer from 1 to 100, got '-1'/,
    );
    expectBadInput(script('tune', ...base, '--seed', '-3'), /^tune: --seed must be an integer >= 0, got '-3'/);
    expectBadInput(script('eval', '--steps', '1000'), /^eval: --steps must be at most 100, got '1000'/);
    expectBadInput(
      script('eval', '--rounds', '99999999999'),
      /^eval: --rounds must be at most 1000, got '99999999999'/,
    );
    expectBadInput(
      script('tune', '--op', MATMUL, '--sizes', 'm=2048,n=2048,k=2048', '--method', 'greedy1'),
      /^tune: the problem takes 17\.2 GFLOP a call, over the limit of 10 GFLOP: tuning \(every candidate is timed\) would run for minutes; use smaller sizes, or pass --max-gflop 18 to run it anyway\n$/,
    );
  });
});

describe('eval, train, train:cost and train:all', () => {
  it('reject bad input in one line', () => {
    expectBadInput(script('eval', '--methods', 'agent,beam3'), /^eval: --methods: unknown method 'beam3'/);
    expectBadInput(script('eval', '--bogus'), /^eval: unknown option --bogus/);
    expectBadInput(script('train', '--features', 'fancy'), /^train: --features must be one of looptune, extended/);
    expectBadInput(script('train', '--minutes', 'soon'), /^train: --minutes wants a number > 0/);
    expectBadInput(script('eval', '--set', 'big'), /^eval: --set must be one of heldout, expert, large; got 'big'/);
    expectBadInput(
      script('eval', '--set', 'expert', '--odd', '3'),
      /^eval: --per-family and --odd choose problems of the held-out set; the expert set is fixed/,
    );
    expectBadInput(
      script('train-cost', '--epochs', 'many'),
      /^train:cost: --epochs must be a positive integer, got 'many'/,
    );
    expectBadInput(
      script('train-cost', '--large-share', '1.5'),
      /^train:cost: --large-share takes a fraction from 0 to 1, not "1.5"/,
    );
    expectBadInput(
      script('train-cost', '--collect-only', '--collect-minutes', '0'),
      /^train:cost: --collect-only with --collect-minutes 0 does nothing/,
    );
    expectBadInput(script('train-all', '--policy-minutes', 'lots'), /^train:all: --policy-minutes wants a number > 0/);
  });

  it('print their usage with --help', () => {
    for (const name of ['tune', 'eval', 'train', 'train-cost', 'train-all']) {
      const r = script(name, '--help');
      expect(r.code).toBe(0);
      expect(r.stdout).toMatch(new RegExp(`^usage: npm run ${name.replace('-', ':')}`));
    }
  });
});
