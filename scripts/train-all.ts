// npm run train:all -- [--seed S] [--policy-minutes M] [--collect-minutes M]
//
// Everything the page ships, from a seed, in about 45 minutes on a 2-core machine: the agent's
// cost model in two rounds (measure random problems, train a first model, measure what it
// proposes, train the shipped model on both: public/agent/cost-model/), then LoopTune's policy
// (public/agent/). Each step is the CLI of its own (train:cost, train), run in turn with its
// progress on stdout; measurements go to the shared cache, whose keys name the code generator's
// build, so kernels of an older generator are not learned from.
import { spawnSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parseFlags, positiveInt, positiveNumber, runScript } from './cli.ts';

const USAGE = 'usage: npm run train:all -- [--seed S] [--policy-minutes 25] [--collect-minutes 13]';

interface Args {
  seed: number;
  policyMinutes: number;
  collectMinutes: number;
}

export function parseTrainAllArgs(argv: string[]): Args | 'help' {
  const v = parseFlags(argv, {
    seed: { type: 'string' },
    'policy-minutes': { type: 'string' },
    'collect-minutes': { type: 'string' },
    help: { type: 'boolean', short: 'h' },
  });
  if (v.help) return 'help';
  return {
    seed: positiveInt('seed', v.seed, 1, 0),
    policyMinutes: positiveNumber('policy-minutes', v['policy-minutes'], 25),
    collectMinutes: positiveNumber('collect-minutes', v['collect-minutes'], 13),
  };
}

/** The steps, as npm script + arguments. 60% of the measuring is random schedules, 40% proposed ones. */
export function trainAllSteps(args: Args, firstModelDir: string): [string, string[]][] {
  const seed = String(args.seed);
  const random = (args.collectMinutes * 0.6).toFixed(1);
  const proposed = (args.collectMinutes * 0.4).toFixed(1);
  return [
    ['train:cost', ['--seed', seed, '--collect-minutes', random, '--collect-only']],
    ['train:cost', ['--seed', seed, '--collect-minutes', '0', '--epochs', '30', '--out', firstModelDir]],
    [
      'train:cost',
      [
        '--seed',
        String(args.seed + 1),
        '--collect-minutes',
        proposed,
        '--collect-only',
        '--propose-with',
        firstModelDir,
      ],
    ],
    ['train:cost', ['--seed', seed, '--collect-minutes', '0', '--epochs', '40']],
    ['train', ['--seed', seed, '--minutes', String(args.policyMinutes)]],
  ];
}

async function run(args: Args): Promise<number> {
  const firstModelDir = mkdtempSync(path.join(tmpdir(), 'looplab-cost-round1-'));
  const started = Date.now();
  for (const [script, scriptArgs] of trainAllSteps(args, firstModelDir)) {
    const minutes = ((Date.now() - started) / 60_000).toFixed(1);
    process.stdout.write(`train:all: [${minutes} min] npm run ${script} -- ${scriptArgs.join(' ')}\n`);
    const r = spawnSync('npm', ['run', '--silent', script, '--', ...scriptArgs], { stdio: 'inherit' });
    if (r.status !== 0) {
      process.stderr.write(`train:all: npm run ${script} failed (exit ${r.status ?? r.signal}); stopped\n`);
      return 1;
    }
  }
  const minutes = ((Date.now() - started) / 60_000).toFixed(1);
  process.stdout.write(`train:all: done in ${minutes} min (public/agent/ and public/agent/cost-model/)\n`);
  return 0;
}

process.exitCode = await runScript('train:all', USAGE, parseTrainAllArgs, run);
