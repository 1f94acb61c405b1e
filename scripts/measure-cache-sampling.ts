// npm run measure:cache-sampling [-- --quick] [-- --times]
//
// The sampled cache simulation (runtime/cacheSim.ts, codegen/streamSampling.ts) against the exact
// one, both compiled (runtime/wasmCacheSim.ts), on matmul 512^3 and 1024^3 (tiled, untiled, k
// split, packed, with tails) and a convolution, on the default machine; sampled at the default
// budget even where the kernel is short enough to run exactly by default. Prints per schedule the
// accesses simulated, both times and the worst relative error over the misses of every level and
// tensor, and a fingerprint of the sampled run's counters. Exact runs take about two minutes in
// all; --quick runs the first three.
//
// --random N [--seed S] [--op OP --sizes SIZES]: N of the agent's schedules of matmul 1024^3 (or
// the problem given), sampled against exact: the spread of the worst errors.
//
// --times: the sampled runs of the large problems (matmul 2048^3, a large conv, the packing
// lesson's 1024^3 schedules) only, warm module, 3 runs each: wall ms of simulateCache, and a fingerprint of every counter (counts and reuse) to
// tell whether a change left the figures bit-identical. Run it under the bench lock.
import { createHash } from 'node:crypto';
import { execSync } from 'node:child_process';
import { loadCodegen } from '../src/codegen/index.ts';
import { DEFAULT_MACHINE_ID, machineById } from '../src/core/cache/machines.ts';
import { parseProblem } from '../src/core/problem.ts';
import { parseSchedule } from '../src/core/schedule.ts';
import { SAMPLING_BUDGET, simulateCache } from '../src/runtime/cacheSim.ts';
import { loadCacheSim } from '../src/runtime/wasmCacheSim.ts';

const MATMUL = 'C[m,n] += A[m,k] * B[k,n]';
const CONV = 'O[co,oh,ow] += I[ci,oh+kh,ow+kw] * W[co,ci,kh,kw]';
const CASES: Array<[string, string, string]> = [
  [MATMUL, 'm=1024,n=1024,k=1024', 'k:64 m:256 n:128 k:16 m:4 n:8'],
  [MATMUL, 'm=1024,n=1024,k=1024', 'm n k m:4 n:8'],
  [MATMUL, 'm=1024,n=1024,k=1024', 'k:8 m n k:128 m:4 n:8'],
  [MATMUL, 'm=1024,n=1024,k=1024', 'n:8 k:8 pack(B) m:256 pack(A) n:16 k:128 m:4 n:8'],
  [MATMUL, 'm=1024,n=1024,k=1024', 'n:8 k:8 m:8 n:16 m:32 k:128 m:4 n:8'],
  [MATMUL, 'm=1024,n=1024,k=1024', 'n:8 k:8 pack(B) m:8 n:16 m:32 k:128 m:4 n:8'],
  [MATMUL, 'm=1024,n=1024,k=1024', 'n:8 k:8 pack(B) m:8 pack(A) n:16 m:32 k:128 m:4 n:8'],
  [MATMUL, 'm=1000,n=1000,k=1000', 'k:8 m n k:125 m:3 n:8'],
  [MATMUL, 'm=512,n=512,k=512', 'k:16 m n k:32 m:4 n:8'],
  [MATMUL, 'm=512,n=512,k=512', 'k:32 m:128 n:64 k:16 m:4 n:8'],
  [MATMUL, 'm=512,n=512,k=512', 'n:4 k:2 pack(B) m pack(A) n:16 k:256 m:4 n:8'],
  [CONV, 'co=64, ci=64, oh=56, ow=56, kh=3, kw=3', 'co oh ci kh kw ow co:4'],
  // Cache-blocked 2048^3 schedules, 3 x 12 tiles and packs included (their exact runs take 15-30 s each).
  [MATMUL, 'm=2048,n=2048,k=2048', 'n:16 k:8 m:16 n:16 m:32 k:256 m:4 n:8'],
  [MATMUL, 'm=2048,n=2048,k=2048', 'k:8 pack(B) m:21 r32 pack(A) n:170 r8 m:32 k:256 m:3 n:12'],
  [MATMUL, 'm=2048,n=2048,k=2048', 'n:10 r128 k:16 pack(B) m:170 r8 n:16 m:4 k:128 m:3 n:12'],
];

const LARGE: Array<[string, string, string]> = [
  [MATMUL, 'm=2048,n=2048,k=2048', 'k:128 m:512 n:256 k:16 m:4 n:8'],
  [MATMUL, 'm=2048,n=2048,k=2048', 'n:16 k:16 pack(B) m:512 pack(A) n:16 k:128 m:4 n:8'],
  [MATMUL, 'm=2048,n=2048,k=2048', 'm n k m:4 n:8'],
  [MATMUL, 'm=2048,n=2048,k=2048', 'm n k'],
  [CONV, 'co=64, ci=256, oh=56, ow=56, kh=3, kw=3', 'co oh ci kh kw ow co:4'],
  [MATMUL, 'm=2048,n=2048,k=2048', 'n:16 k:8 m:16 n:16 m:32 k:256 m:4 n:8'],
  [MATMUL, 'm=2048,n=2048,k=2048', 'k:8 pack(B) m:21 r32 pack(A) n:170 r8 m:32 k:256 m:3 n:12'],
  [MATMUL, 'm=2048,n=2048,k=2048', 'n:10 r128 k:16 pack(B) m:170 r8 n:16 m:4 k:128 m:3 n:12'],
  // The packing lesson (teach/cacheLessons.ts) at 1024^3.
  [MATMUL, 'm=1024,n=1024,k=1024', 'n:8 k:8 m:8 n:16 m:32 k:128 m:4 n:8'],
  [MATMUL, 'm=1024,n=1024,k=1024', 'n:8 k:8 pack(B) m:8 n:16 m:32 k:128 m:4 n:8'],
  [MATMUL, 'm=1024,n=1024,k=1024', 'n:8 k:8 pack(B) m:8 pack(A) n:16 m:32 k:128 m:4 n:8'],
];
const RUNS = 3;

const quick = process.argv.includes('--quick');
const machine = machineById(DEFAULT_MACHINE_ID);
if (!machine) throw new Error('no default machine');
const codegen = await loadCodegen();
const compiled = await loadCacheSim();

function fingerprint(sim: ReturnType<typeof simulateCache>): string {
  const hash = createHash('sha256');
  hash.update(JSON.stringify(sim.levels));
  hash.update(JSON.stringify(sim.reuse ?? null));
  hash.update(JSON.stringify(sim.sampling ?? null));
  return hash.digest('hex').slice(0, 12);
}

if (process.argv.includes('--times')) {
  console.log(`uptime: ${execSync('uptime').toString().trim()}`);
  for (const [op, sizes, text] of LARGE) {
    const problem = parseProblem(op, sizes);
    const schedule = parseSchedule(problem, text);
    const options = { reuse: true, compiled, budget: SAMPLING_BUDGET };
    simulateCache(codegen, problem, schedule, machine, options);
    const wall: number[] = [];
    const simulate: number[] = [];
    let last: ReturnType<typeof simulateCache> | null = null;
    for (let run = 0; run < RUNS; run++) {
      const t0 = performance.now();
      last = simulateCache(codegen, problem, schedule, machine, options);
      wall.push(performance.now() - t0);
      simulate.push(last.simulateMs);
    }
    if (!last) continue;
    const simulated = last.sampling ? last.sampling.simulated : last.instructions;
    console.log(
      [
        `${op.startsWith('C') ? 'matmul' : 'conv'} ${sizes}`,
        text,
        `${(simulated / 1e6).toFixed(2)} M of ${(last.instructions / 1e6).toFixed(1)} M accesses`,
        `wall ${wall.map((ms) => ms.toFixed(0)).join(', ')} ms`,
        `simulate ${simulate.map((ms) => ms.toFixed(0)).join(', ')} ms`,
        `counters ${fingerprint(last)}`,
      ].join(' | '),
    );
  }
  console.log(`uptime: ${execSync('uptime').toString().trim()}`);
  process.exit(0);
}
const randomAt = process.argv.indexOf('--random');
if (randomAt > 0) {
  await survey(Number(process.argv[randomAt + 1] ?? 20), Number(process.argv[process.argv.indexOf('--seed') + 1] || 1));
  process.exit(0);
}

/** Worst relative error over the misses of every level and tensor, and where. */
function worstError(
  exact: ReturnType<typeof simulateCache>,
  sampled: ReturnType<typeof simulateCache>,
): { worst: number; where: string } {
  let worst = 0;
  let where = 'none';
  exact.levels.forEach((level, l) => {
    level.tensors.forEach((t, i) => {
      const s = sampled.levels[l].tensors[i].misses;
      const error = t.misses === 0 ? (s === 0 ? 0 : 1) : Math.abs(s - t.misses) / t.misses;
      if (error > worst) {
        worst = error;
        where = `${level.name} ${t.tensor}: exact ${t.misses}, sampled ${Math.round(s)}`;
      }
    });
  });
  return { worst, where };
}

/**
 * --random N [--seed S] [--op OP --sizes SIZES]: N seeded schedules of matmul 1024^3 (or the problem
 * given) that the agent chooses from (register
 * tiles, k splits, panels, packs: src/agent/tileSpace.ts), sampled at the default budget against
 * exact; the spread of the worst errors.
 */
async function survey(count: number, seed: number): Promise<void> {
  if (!machine) return;
  const { seededRandom } = await import('../src/core/random.ts');
  const { printSchedule } = await import('../src/core/schedule.ts');
  const { allSpecs, tileSchedule } = await import('../src/agent/tileSpace.ts');
  const arg = (name: string) => {
    const at = process.argv.indexOf(name);
    return at > 0 ? process.argv[at + 1] : undefined;
  };
  const problem = parseProblem(arg('--op') ?? MATMUL, arg('--sizes') ?? 'm=1024,n=1024,k=1024');
  const rand = seededRandom(seed);
  const specs = allSpecs(problem);
  const schedules = new Map<string, ReturnType<typeof parseSchedule>>();
  for (let tries = 0; schedules.size < count && tries < count * 50; tries++) {
    const s = tileSchedule(problem, specs[Math.floor(rand() * specs.length)]);
    if (s) schedules.set(printSchedule(s), s);
  }
  const errors: number[] = [];
  for (const [text, schedule] of schedules) {
    const exact = simulateCache(codegen, problem, schedule, machine, { exact: true, compiled });
    const t0 = performance.now();
    const sampled = simulateCache(codegen, problem, schedule, machine, { compiled, budget: SAMPLING_BUDGET });
    const ms = performance.now() - t0;
    const { worst, where } = worstError(exact, sampled);
    errors.push(worst);
    console.log(`${text} | ${(worst * 100).toFixed(2)}% (${where}) | sampled ${ms.toFixed(0)} ms`);
  }
  errors.sort((a, b) => a - b);
  const within = (bound: number) => errors.filter((e) => e <= bound).length;
  console.log(
    `${errors.length} schedules (seed ${seed}): within 2% ${within(0.02)}, 5% ${within(0.05)}, 10% ${within(0.1)}; ` +
      `median ${(errors[Math.floor(errors.length / 2)] * 100).toFixed(2)}%, worst ${(errors[errors.length - 1] * 100).toFixed(2)}%`,
  );
}

let worstAll = 0;
for (const [op, sizes, text] of quick ? CASES.slice(0, 3) : CASES) {
  const problem = parseProblem(op, sizes);
  const schedule = parseSchedule(problem, text);
  const exact = simulateCache(codegen, problem, schedule, machine, { reuse: true, exact: true, compiled });
  const t0 = performance.now();
  const sampled = simulateCache(codegen, problem, schedule, machine, {
    reuse: true,
    compiled,
    budget: SAMPLING_BUDGET,
  });
  const sampledMs = performance.now() - t0;
  const { worst, where } = worstError(exact, sampled);
  worstAll = Math.max(worstAll, worst);
  const simulated = sampled.sampling ? sampled.sampling.simulated : sampled.instructions;
  console.log(
    [
      `${op.startsWith('C') ? 'matmul' : 'conv'} ${sizes}`,
      text,
      sampled.method,
      `${(simulated / 1e6).toFixed(2)} M of ${(sampled.instructions / 1e6).toFixed(1)} M accesses`,
      `exact ${exact.simulateMs.toFixed(0)} ms, sampled ${sampledMs.toFixed(0)} ms`,
      `worst ${(worst * 100).toFixed(2)}% (${where})`,
      `counters ${fingerprint(sampled)}`,
    ].join(' | '),
  );
}
console.log(`worst error over all: ${(worstAll * 100).toFixed(2)}%`);
