// A measurement store kept in a JSON file (Node only), so that repeated training and evaluation
// runs reuse earlier measurements. Written atomically (temporary file + rename) every
// `flushEvery` new entries and on `flush()`. A missing file is an empty cache; a damaged one is
// reported and replaced.
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { MeasurementStore } from './oracle.ts';

interface CacheFileContent {
  version: 1;
  entries: Record<string, number>;
}

export class JsonFileStore implements MeasurementStore {
  private entries = new Map<string, number>();
  private unsaved = 0;
  /** Set when the file existed but could not be read (it is rewritten on the next flush). */
  readonly loadError: string | null = null;

  constructor(
    readonly file: string,
    private flushEvery = 200,
  ) {
    if (!existsSync(file)) return;
    try {
      const data = JSON.parse(readFileSync(file, 'utf8')) as CacheFileContent;
      if (data?.version !== 1 || typeof data.entries !== 'object' || data.entries === null) throw new Error('not a version 1 measurement cache');
      for (const [k, v] of Object.entries(data.entries)) if (typeof v === 'number' && Number.isFinite(v)) this.entries.set(k, v);
    } catch (e) {
      this.loadError = `ignoring the damaged measurement cache ${file}: ${(e as Error).message}`;
    }
  }

  get(key: string): number | undefined {
    return this.entries.get(key);
  }

  set(key: string, gflops: number): void {
    this.entries.set(key, gflops);
    if (++this.unsaved >= this.flushEvery) this.flush();
  }

  /** Every entry whose key starts with `prefix|` (one target's measurements). */
  *entriesWithPrefix(prefix: string): Generator<[string, number]> {
    for (const entry of this.entries) if (entry[0].startsWith(`${prefix}|`)) yield entry;
  }

  get size(): number {
    return this.entries.size;
  }

  flush(): void {
    if (this.unsaved === 0 && existsSync(this.file)) return;
    mkdirSync(path.dirname(this.file), { recursive: true });
    const content: CacheFileContent = { version: 1, entries: Object.fromEntries(this.entries) };
    const tmp = `${this.file}.${process.pid}.tmp`;
    writeFileSync(tmp, JSON.stringify(content));
    renameSync(tmp, this.file);
    this.unsaved = 0;
  }
}
