// npm run bench:path -- [--old <git revision>] [--rounds 5] [--json]
// Times the typed-schedule path finder (core/actionPath.ts) against the version at a git revision
// (default: main), in one run and interleaved, so that the machine's load weighs on both alike:
// per target, each side's best time over the rounds, the path length (null: gave up at its
// default bound) and the ratio old/new. The targets are reachable register tiles and schedules
// the search can't reach within its space (the case that used to hold the page up), and one it
// gives up on only at its bound (every state explored: the worst case).
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { actionPath } from '../src/core/actionPath.ts';
import { parseProblem } from '../src/core/problem.ts';
import { parseSchedule } from '../src/core/schedule.ts';
import type { NestState, Problem, Schedule } from '../src/core/types.ts';
import { fmt, parseFlags, positiveInt, runScript, table } from './cli.ts';

const USAGE = 'usage: npm run bench:path -- [--old <git revision>] [--rounds 5] [--json]';

type Finder = (problem: Problem, from: NestState, target: Schedule) => unknown[] | null;

const root = fileURLToPath(new URL('..', import.meta.url));

/** The path finder as it was at `revision`, loaded from a copy whose imports point at today's core. */
async function oldFinder(revision: string): Promise<{ find: Finder; cleanup: () => void }> {
  const source = execFileSync('git', ['show', `${revision}:src/core/actionPath.ts`], { cwd: root, encoding: 'utf8' });
  const core = pathToFileURL(join(root, 'src/core/')).href;
  const dir = mkdtempSync(join(tmpdir(), 'looplab-path-'));
  const file = join(dir, 'actionPath.old.ts');
  writeFileSync(file, source.replace(/from '\.\//g, `from '${core}`));
  const module = (await import(pathToFileURL(file).href)) as { actionPath: Finder };
  return { find: module.actionPath, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

const MATMUL = parseProblem('C[m,n] += A[m,k] * B[k,n]', 'm=256, n=256, k=256');
const CONV = parseProblem(
  'O[co,oh,ow] += I[ci,oh+kh,ow+kw] * W[co,ci,kh,kw]',
  'co=64, oh=56, ow=56, ci=64, kh=3, kw=3',
);

const CASES: { name: string; problem: Problem; from: string; cursor: number; target: string }[] = [
  { name: 'matmul tile', problem: MATMUL, from: 'm n k', cursor: 0, target: 'k m n k:32 m:2 n:16' },
  { name: 'matmul 4x8', problem: MATMUL, from: 'm n k', cursor: 0, target: '||m n k m:4 n:8' },
  {
    name: 'matmul split chain',
    problem: MATMUL,
    from: 'm n k',
    cursor: 0,
    target: 'm:8 m:2 m:16 ||n:1 n:1 n:4 n:64 k',
  },
  { name: 'conv ow:4', problem: CONV, from: 'co oh ow ci kh kw', cursor: 0, target: 'co oh ow ci kh kw ow:4' },
  { name: 'matmul re-tile', problem: MATMUL, from: 'm n k m:4 n:4 k:4', cursor: 0, target: 'm n k m:2 n:8 k:4' },
  { name: 'unreachable matmul', problem: MATMUL, from: 'm n k', cursor: 0, target: 'n m k n:20 r2 n:3' },
  {
    name: 'unreachable conv',
    problem: CONV,
    from: 'co oh ow ci kh kw',
    cursor: 0,
    target: 'co oh ci ow kh kw co:5 r3 co:5',
  },
  // Out of reach only by the bound: the search explores all its states, the worst case.
  { name: 'matmul past the bound', problem: MATMUL, from: 'm n k m:4 n:4 k:4', cursor: 0, target: 'k n m k:8 n:8 m:8' },
];

interface Row {
  name: string;
  old_ms: number;
  new_ms: number;
  old_actions: number | null;
  new_actions: number | null;
  ratio: number;
}

function timeOnce(find: Finder, c: (typeof CASES)[number]): { ms: number; actions: number | null } {
  const from = { schedule: parseSchedule(c.problem, c.from), cursor: c.cursor };
  const target = parseSchedule(c.problem, c.target);
  const t0 = performance.now();
  const path = find(c.problem, from, target);
  return { ms: performance.now() - t0, actions: path ? path.length : null };
}

async function main(): Promise<number> {
  return runScript(
    'bench:path',
    USAGE,
    (argv) => {
      const v = parseFlags(argv, {
        old: { type: 'string' },
        rounds: { type: 'string' },
        json: { type: 'boolean' },
        help: { type: 'boolean', short: 'h' },
      });
      if (v.help) return 'help' as const;
      return { old: v.old ?? 'main', rounds: positiveInt('rounds', v.rounds, 5, 1, 100), json: v.json === true };
    },
    async (args) => {
      const old = await oldFinder(args.old);
      try {
        const rows: Row[] = CASES.map((c) => {
          let oldBest = Number.POSITIVE_INFINITY;
          let newBest = Number.POSITIVE_INFINITY;
          let oldActions: number | null = null;
          let newActions: number | null = null;
          for (let round = 0; round < args.rounds; round++) {
            const o = timeOnce(old.find, c);
            const n = timeOnce(actionPath as Finder, c);
            oldBest = Math.min(oldBest, o.ms);
            newBest = Math.min(newBest, n.ms);
            oldActions = o.actions;
            newActions = n.actions;
          }
          return {
            name: c.name,
            old_ms: oldBest,
            new_ms: newBest,
            old_actions: oldActions,
            new_actions: newActions,
            ratio: oldBest / newBest,
          };
        });
        if (args.json) {
          process.stdout.write(`${JSON.stringify({ old: args.old, rounds: args.rounds, rows }, null, 2)}\n`);
        } else {
          const body = rows.map((r) => [
            r.name,
            fmt(r.old_ms, 1),
            fmt(r.new_ms, 1),
            String(r.old_actions ?? 'gave up'),
            String(r.new_actions ?? 'gave up'),
            fmt(r.ratio, 1),
          ]);
          for (const line of table(
            ['target', `${args.old} ms`, 'now ms', `${args.old} actions`, 'now actions', 'old/new'],
            body,
            [0],
          ))
            process.stdout.write(`${line}\n`);
        }
        return 0;
      } finally {
        old.cleanup();
      }
    },
  );
}

process.exitCode = await main();
