// Helpers shared by the command-line scripts (bench, tune, eval, train): argument parsing with
// one-line errors, the exit-code convention, number formatting and plain-text tables.
//
// Exit codes: 0 success; 1 something failed unexpectedly (or a result is wrong); 2 bad input.
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { excerpt } from '../src/core/format.ts';
import { errorMessage } from '../src/core/errors.ts';
import { formatGflops } from '../src/core/format.ts';

/** Bad input: printed as one line on stderr, exit code 2. */
export class UsageError extends Error {}

/**
 * An integer flag value from `min` to `max`, or `fallback` when the flag is absent. Every integer
 * flag has an upper bound (at most the largest exact integer): a huge count would run for ever.
 */
export function positiveInt(
  flag: string,
  text: string | undefined,
  fallback: number,
  min = 1,
  max = Number.MAX_SAFE_INTEGER,
): number {
  if (text === undefined) return fallback;
  const want =
    max < Number.MAX_SAFE_INTEGER
      ? `an integer from ${min} to ${max}`
      : min === 1
        ? 'a positive integer'
        : `an integer >= ${min}`;
  const t = text.trim();
  if (!/^-?\d+$/.test(t) || Number(t) < min) throw new UsageError(`--${flag} must be ${want}, got '${excerpt(text)}'`);
  if (Number(t) > max) throw new UsageError(`--${flag} must be at most ${max}, got '${excerpt(text)}'`);
  return Number(t);
}

/** Most repetitions a count flag may ask for (--rounds, --samples, ...): more would run for hours. */
export const MAX_REPS = 1000;

/** `--rounds`, shared by the scripts that time in interleaved rounds: 1 to MAX_REPS. */
export function roundsFlag(text: string | undefined, fallback: number): number {
  return positiveInt('rounds', text, fallback, 1, MAX_REPS);
}

/** A file or folder flag value, or `fallback` when absent; an empty one is refused (it would mean the current folder). */
export function pathFlag<T extends string | null>(flag: string, text: string | undefined, fallback: T): string | T {
  if (text === undefined) return fallback;
  if (text.trim() === '') throw new UsageError(`--${flag} needs a path, got ''; give one, or drop --${flag}`);
  return text;
}

/** The `--op` and `--sizes` of a command that takes a problem, or a usage error naming the one missing. */
export function problemFlags(v: { op?: string; sizes?: string }): { op: string; sizes: string } {
  if (v.op === undefined || v.op.trim() === '') {
    throw new UsageError('missing --op "<expr>", e.g. --op "C[m,n] += A[m,k] * B[k,n]"');
  }
  if (v.sizes === undefined || v.sizes.trim() === '') {
    throw new UsageError('missing --sizes, e.g. --sizes "m=256,n=256,k=256"');
  }
  return { op: v.op, sizes: v.sizes };
}

/** A number flag value > 0 (e.g. seconds), or `fallback` when absent. */
export function positiveNumber(flag: string, text: string | undefined, fallback: number): number {
  if (text === undefined) return fallback;
  const x = Number(text);
  if (text.trim() === '' || !Number.isFinite(x) || x <= 0)
    throw new UsageError(`--${flag} wants a number > 0, got '${excerpt(text)}'`);
  return x;
}

/** One of `choices`, or `fallback` when absent. */
export function oneOf<T extends string>(flag: string, text: string | undefined, choices: readonly T[], fallback: T): T {
  if (text === undefined) return fallback;
  if (!(choices as readonly string[]).includes(text))
    throw new UsageError(`--${flag} must be one of ${choices.join(', ')}; got '${excerpt(text)}'`);
  return text as T;
}

/**
 * `--flag -1` as `--flag=-1` for the flags that take a value, so that a negative number (or
 * `-Infinity`) reaches the flag's own check (parseArgs reads it as an option and says the flag has
 * no value).
 */
function attachNegativeValues(argv: string[], options: NonNullable<ParseArgsConfig['options']>): string[] {
  const shorts = new Set(Object.values(options).map((o) => o.short));
  const out: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const name = /^--([^=]+)$/.exec(argv[i])?.[1];
    const next = argv[i + 1];
    // `-1`, `-0.5`, `-Infinity`, `-x`: anything after a single dash but a short option of ours.
    const value = next !== undefined && /^-(?!-)/.test(next) && !shorts.has(next.slice(1));
    if (name !== undefined && options[name]?.type === 'string' && value) {
      out.push(`--${name}=${next}`);
      i++;
    } else {
      out.push(argv[i]);
    }
  }
  return out;
}

/** node:util parseArgs (strict, no positionals) with its errors turned into one-line UsageErrors. */
export function parseFlags<O extends NonNullable<ParseArgsConfig['options']>>(
  argv: string[],
  options: O,
  positionalHint = '',
) {
  try {
    return parseArgs({ args: attachNegativeValues(argv, options), strict: true, allowPositionals: false, options })
      .values;
  } catch (e) {
    const err = e as Error & { code?: string };
    const flag = /'([^' ]+)/.exec(err.message)?.[1];
    switch (err.code) {
      case 'ERR_PARSE_ARGS_UNKNOWN_OPTION':
        throw new UsageError(flag ? `unknown option ${flag}` : err.message);
      case 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE':
        throw new UsageError(flag ? `option ${flag} needs a value` : err.message);
      case 'ERR_PARSE_ARGS_UNEXPECTED_POSITIONAL':
        throw new UsageError(`unexpected argument ${flag ?? ''}${positionalHint ? `; ${positionalHint}` : ''}`);
      default:
        throw new UsageError(err.message);
    }
  }
}

/** Errors that mean "bad input" (exit 2): usage, DSL, schedule, buffer-size and cache-file errors. */
export function isInputError(e: unknown): e is Error {
  return (
    e instanceof Error &&
    (['DslError', 'ScheduleError', 'BufferSizeError', 'CacheFileError'].includes(e.name) || e instanceof UsageError)
  );
}

/**
 * Runs a script: parses the arguments (a UsageError exits 2), prints `usage` for 'help', then
 * runs; input errors exit 2, anything else 1, each as one line `name: message` on stderr
 * (LOOPLAB_DEBUG=1 adds the stack).
 */
export async function runScript<A>(
  name: string,
  usage: string,
  parse: (argv: string[]) => A | 'help',
  run: (args: A) => Promise<number>,
): Promise<number> {
  let args: A | 'help';
  try {
    args = parse(process.argv.slice(2));
  } catch (e) {
    process.stderr.write(`${name}: ${errorMessage(e)} (see --help)\n`);
    return 2;
  }
  if (args === 'help') {
    process.stdout.write(`${usage}\n`);
    return 0;
  }
  try {
    return await run(args);
  } catch (e) {
    const message = errorMessage(e);
    process.stderr.write(`${name}: ${message.split('\n')[0]}\n`);
    if (process.env.LOOPLAB_DEBUG && e instanceof Error) process.stderr.write(`${e.stack}\n`);
    return isInputError(e) ? 2 : 1;
  }
}

export function fmt(x: number | null | undefined, digits = 2): string {
  return x === null || x === undefined || !Number.isFinite(x) ? '-' : x.toFixed(digits);
}

/** A GFLOPS figure as the page shows it (core's formatGflops, three significant digits); '-' when there is none. */
export function fmtGflops(x: number | null | undefined): string {
  return x === null || x === undefined || !Number.isFinite(x) ? '-' : formatGflops(x);
}

export function median(values: readonly number[]): number {
  const s = [...values].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 ? s[mid] : (s[mid - 1] + s[mid]) / 2;
}

/**
 * A plain-text table: a header, a rule, the rows. Columns listed in `left` are left-aligned
 * (default: the first and the last), the others right-aligned.
 */
export function table(header: string[], body: string[][], left: number[] = [0, header.length - 1]): string[] {
  const widths = header.map((h, c) => Math.max(h.length, ...body.map((row) => row[c].length)));
  const line = (cells: string[]) =>
    cells
      .map((cell, c) => (left.includes(c) ? cell.padEnd(widths[c]) : cell.padStart(widths[c])))
      .join('  ')
      .trimEnd();
  return [line(header), line(widths.map((w) => '-'.repeat(w))), ...body.map(line)];
}
