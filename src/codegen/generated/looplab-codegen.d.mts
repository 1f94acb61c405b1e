// Types of the Emscripten-built generator (wasm/build.sh).
export interface CodegenModule {
  _malloc(bytes: number): number;
  _free(ptr: number): void;
  _looplab_generate(words: number, count: number): number;
  _looplab_peak(relaxed: number, accumulators: number): number;
  _looplab_result_bytes(): number;
  _looplab_result_size(): number;
  _looplab_result_report(): number;
  _looplab_result_report_size(): number;
  heap(): Uint8Array;
}
export default function createCodegenModule(options?: { wasmBinary?: Uint8Array }): Promise<CodegenModule>;
