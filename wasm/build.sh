#!/usr/bin/env bash
# Builds the code generator with Emscripten into src/codegen/generated/ (committed, so the
# app runs without Emscripten) and records a hash of the sources it was built from.
set -euo pipefail
cd "$(dirname "$0")/.."
export NODE_PATH="${NODE_PATH:-/usr/share/nodejs}"
out=src/codegen/generated
mkdir -p "$out"
em++ -std=c++17 -O3 -fno-exceptions -fno-rtti -Wall -Werror \
  wasm/src/*.cpp \
  -sMODULARIZE=1 -sEXPORT_ES6=1 -sENVIRONMENT=web,worker \
  -sALLOW_MEMORY_GROWTH=1 -sFILESYSTEM=0 -sEXPORT_NAME=createCodegenModule \
  -sEXPORTED_FUNCTIONS=_malloc,_free,_looplab_generate,_looplab_peak,_looplab_result_bytes,_looplab_result_size,_looplab_result_report,_looplab_result_report_size \
  --post-js wasm/post.js \
  -o "$out/looplab-codegen.mjs"
# The cache simulator's hot loop (src/runtime/wasmCacheSim.ts loads it), a module of its own.
em++ -std=c++17 -O3 -fno-exceptions -fno-rtti -Wall -Werror \
  wasm/cachesim/cachesim.cpp \
  -sMODULARIZE=1 -sEXPORT_ES6=1 -sENVIRONMENT=web,worker \
  -sALLOW_MEMORY_GROWTH=1 -sMAXIMUM_MEMORY=4GB -sFILESYSTEM=0 -sEXPORT_NAME=createCacheSimModule \
  -sEXPORTED_FUNCTIONS=_malloc,_free,_sim_create,_sim_destroy,_sim_counts,_sim_counts_length,_sim_reuse,_sim_reuse_length,_sim_accesses,_sim_program,_sim_start_iteration,_sim_exec,_sim_record,_sim_recorded,_sim_recorded_length,_sim_last_touches,_sim_release,_sim_replay,_sim_replay_run,_sim_mark,_sim_forget_older,_sim_forget_older_by_set,_sim_mark_fill_sets,_sim_write_back_first \
  --post-js wasm/post.js \
  -o "$out/looplab-cachesim.mjs"
node scripts/wasm-sources-hash.mjs > "$out/sources.json"
echo "built $out/looplab-codegen.mjs ($(wc -c < "$out/looplab-codegen.wasm") bytes of wasm), $out/looplab-cachesim.mjs ($(wc -c < "$out/looplab-cachesim.wasm") bytes)"
