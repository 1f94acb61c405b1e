// A measurement store kept in a JSON file (Node only), so that repeated training and evaluation
// runs reuse earlier measurements. Written atomically (temporary file + rename) every
// `flushEvery` new entries and on `flush()`. A missing file is an empty cache. A file that is not
// a measurement cache is refused and never written over, and so is a file in a folder that does
// not exist (unless the caller asks for the folder to be created, as for training's default).
import { existsSync, mkdirSync, readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { excerpt } from '../core/format.ts';
import type { MeasurementStore } from './oracle.ts';

interface CacheFileContent {
  version: 1;
  entries: Record<string, number>;
}

/** The file given as a measurement cache can't be used as one; the message says why and the fix. */
export class CacheFileError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'CacheFileError';
  }
}

/**
 * Why `data` is not what `flush` writes, or null when it is: only such a file may be written over
 * (anything else in it would be lost).
 */
function notACache(data: unknown): string | null {
  if (!data || typeof data !== 'object' || Array.isArray(data)) return 'not a JSON object';
  const d = data as Record<string, unknown>;
  if (d.version !== 1) return 'no "version": 1';
  const e = d.entries;
  if (!e || typeof e !== 'object' || Array.isArray(e)) return '"entries" is not an object of GFLOPS figures';
  const other = Object.keys(d).filter((k) => k !== 'version' && k !== 'entries');
  if (other.length > 0)
    return `it holds ${other.map((k) => `"${excerpt(k)}"`).join(', ')} besides "version" and "entries"`;
  // null: a figure that was not finite (JSON has no NaN); it is skipped on reading.
  for (const [k, v] of Object.entries(e))
    if (typeof v !== 'number' && v !== null) return `entry "${excerpt(k)}" is not a number`;
  return null;
}

export interface JsonFileStoreOptions {
  /** Write to disk after this many new entries (default 200). */
  flushEvery?: number;
  /** Create the file's folder when it does not exist (default: refuse). */
  createFolder?: boolean;
}

export class JsonFileStore implements MeasurementStore {
  private entries = new Map<string, number>();
  private unsaved = 0;
  private readonly flushEvery: number;
  private readonly createFolder: boolean;

  constructor(
    readonly file: string,
    options: JsonFileStoreOptions = {},
  ) {
    this.flushEvery = options.flushEvery ?? 200;
    this.createFolder = options.createFolder ?? false;
    const folder = path.dirname(file);
    if (!this.createFolder && !existsSync(folder)) {
      throw new CacheFileError(
        `the folder ${folder} does not exist; create it, or give a cache file in an existing folder`,
      );
    }
    if (!existsSync(file)) return;
    const stat = statSync(file);
    if (stat.isDirectory()) throw new CacheFileError(`${file} is a folder, not a measurement cache; give a file name`);
    if (!stat.isFile()) {
      throw new CacheFileError(
        `${file} is not a regular file (a device, pipe or socket), so it can't hold a measurement cache; give a file name`,
      );
    }
    let data: unknown;
    try {
      data = JSON.parse(readFileSync(file, 'utf8'));
    } catch {
      throw new CacheFileError(
        `${file} is not a measurement cache (not JSON) and is left as it is; give another file name, or delete the file if it is a damaged cache`,
      );
    }
    const why = notACache(data);
    if (why) {
      throw new CacheFileError(
        `${file} is not a measurement cache (${why}) and is left as it is; give another file name, or delete the file if it is a damaged cache`,
      );
    }
    for (const [k, v] of Object.entries((data as CacheFileContent).entries))
      if (typeof v === 'number' && Number.isFinite(v)) this.entries.set(k, v);
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
    if (this.createFolder) mkdirSync(path.dirname(this.file), { recursive: true });
    const content: CacheFileContent = { version: 1, entries: Object.fromEntries(this.entries) };
    const tmp = `${this.file}.${process.pid}.tmp`;
    writeFileSync(tmp, JSON.stringify(content));
    renameSync(tmp, this.file);
    this.unsaved = 0;
  }
}
