// Types of the Emscripten-built cache simulator (wasm/build.sh, wasm/cachesim/cachesim.cpp).
export interface CacheSimModule {
  _malloc(bytes: number): number;
  _free(ptr: number): void;
  _sim_create(
    lineBytes: number,
    levels: number,
    levelSpec: number,
    tensors: number,
    lines: number,
    trackReuse: number,
    runtimeLoops: number,
  ): number;
  _sim_destroy(): void;
  _sim_counts(): number;
  _sim_counts_length(): number;
  _sim_reuse(): number;
  _sim_reuse_length(): number;
  _sim_accesses(): number;
  _sim_program(program: number, scratch: number): void;
  _sim_start_iteration(level: number): void;
  _sim_exec(node: number, b0: number, b1: number, b2: number): number;
  _sim_record(): number;
  _sim_recorded(): number;
  _sim_recorded_length(): number;
  _sim_last_touches(records: number, length: number): number;
  _sim_release(recorded: number): void;
  _sim_replay(records: number, length: number, s0: number, s1: number, s2: number, f0: number, f1: number, f2: number): void;
  _sim_replay_run(
    records: number,
    length: number,
    firstStep: number,
    count: number,
    d0: number,
    d1: number,
    d2: number,
    f0: number,
    f1: number,
    f2: number,
  ): number;
  _sim_mark(level: number): number;
  _sim_forget_older(
    level: number,
    since: number,
    moving: number,
    movingMask: number,
    f0: number,
    f1: number,
    f2: number,
    inFillSets: number,
  ): void;
  _sim_forget_older_by_set(
    level: number,
    since: number,
    length: number,
    steps: number,
    moving: number,
    movingMask: number,
    f0: number,
    f1: number,
    f2: number,
  ): void;
  _sim_mark_fill_sets(
    level: number,
    records: number,
    length: number,
    firstStep: number,
    steps: number,
    d0: number,
    d1: number,
    d2: number,
    f0: number,
    f1: number,
    f2: number,
    countLines: number,
  ): number;
  _sim_write_back_first(): void;
  heap(): Uint8Array;
}
export default function createCacheSimModule(options?: { wasmBinary?: Uint8Array }): Promise<CacheSimModule>;
