// What a simulated cache hierarchy is: one line size, then levels from the core outward.

export interface CacheLevelSpec {
  /** `L1d`, `L2`, ... */
  name: string;
  /** Capacity in bytes. */
  bytes: number;
  /** Associativity; `bytes / (lineBytes * ways)` sets. */
  ways: number;
}

export interface CacheConfig {
  /** Bytes per line, a power of two; the same at every level. */
  lineBytes: number;
  /** Outward from the core; each level is filled from the next, the last from memory. */
  levels: CacheLevelSpec[];
}

export function setsOf(level: CacheLevelSpec, lineBytes: number): number {
  return level.bytes / (lineBytes * level.ways);
}

/** Why the configuration can't be simulated, in words, or null when it can. */
export function configProblem(config: CacheConfig): string | null {
  const line = config.lineBytes;
  if (!Number.isInteger(line) || line < 4 || (line & (line - 1)) !== 0)
    return `line size ${line} B is not a power of two of at least 4 bytes; use e.g. 64`;
  if (config.levels.length === 0) return 'a machine needs at least one cache level';
  for (const level of config.levels) {
    if (!Number.isInteger(level.ways) || level.ways < 1)
      return `${level.name}: ${level.ways} ways; the associativity must be a whole number of at least 1`;
    const sets = setsOf(level, line);
    if (!Number.isInteger(sets) || sets < 1)
      return `${level.name}: ${level.bytes} B is not a whole number of sets of ${level.ways} ways x ${line} B lines; pick a size divisible by ${level.ways * line} B`;
  }
  return null;
}
