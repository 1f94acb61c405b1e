// Entry points called from JavaScript (src/codegen/index.ts).
#include <cstdint>
#include <cstdio>
#include <string>
#include <vector>

#include <emscripten/emscripten.h>

#include "lower.h"
#include "plan.h"
#include "spec.h"

namespace {

std::vector<uint8_t> g_bytes;
std::string g_report;

const char* access_name(looplab::Access a) {
  switch (a) {
    case looplab::Access::Vector: return "vector";
    case looplab::Access::Gather: return "gather";
    default: return "splat";
  }
}

// The plan in terms of the caller's loops (the generator's own loops mapped to the caller's).
std::string report_json(const looplab::Plan& plan, const looplab::LoweredKernel& k) {
  char buf[1024];
  std::snprintf(buf, sizeof buf,
                "{\"vecVar\":%d,\"access\":[\"%s\",\"%s\",\"%s\"],\"horizontalSum\":%s,"
                "\"tileStart\":%d,\"accStart\":%d,\"innermostSplit\":%s,\"innermostUnroll\":%d,"
                "\"vectorAccumulators\":%d,\"scalarAccumulators\":%d,\"unrolled\":%d,"
                "\"operands\":%d,\"registers\":%d,\"registerBudget\":%d,"
                "\"relaxed\":%s,\"tailPaths\":%d,\"partialSumCopies\":%d,\"jammedCopies\":%d,\"instructions\":%d,\"locals\":%d,\"bytes\":%d,"
                "\"parallelLoop\":%d,\"parallelIterations\":%d",
                plan.vec_var, access_name(plan.access[0]), access_name(plan.access[1]),
                access_name(plan.access[2]), plan.horizontal_sum ? "true" : "false",
                plan.origin[plan.tile_start], plan.origin[plan.acc_start],
                plan.innermost_split ? "true" : "false",
                plan.innermost_split ? plan.spec.budget.innermost_unroll : 0,
                plan.vector_accumulators, plan.scalar_accumulators, plan.unrolled, plan.operands,
                plan.registers, plan.spec.budget.registers, plan.spec.relaxed ? "true" : "false",
                k.tail_paths, k.partial_sum_copies, k.jammed_copies, k.instructions, k.locals, int(k.module.size()), plan.spec.parallel,
                plan.parallel_iterations);
  std::string out = buf;
  if (plan.requested.reduced) {
    std::snprintf(buf, sizeof buf,
                  ",\"requested\":{\"start\":%d,\"accumulators\":%d,\"operands\":%d,\"registers\":%d}",
                  plan.requested.start, plan.requested.accumulators, plan.requested.operands,
                  plan.requested.registers);
    out += buf;
  }
  std::snprintf(buf, sizeof buf, ",\"scratchBytes\":%lld,\"packs\":[", (long long)(plan.scratch_elements * 4));
  out += buf;
  bool first = true;
  for (int t = 1; t < looplab::kTensors; t++) {
    int at = plan.packed_at(t);
    if (at < 0) continue;
    std::snprintf(buf, sizeof buf, "%s{\"loop\":%d,\"tensor\":%d,\"elements\":%lld,\"offset\":%lld}",
                  first ? "" : ",", plan.origin[at], t, (long long)plan.pack_elements(t),
                  (long long)plan.scratch_offset[t]);
    out += buf;
    first = false;
  }
  out += "]";
  // The loops as the kernel runs them (the innermost possibly split for unrolling, tile loops
  // kept partly outside), with the tile and accumulator region in those terms: what a model of
  // the kernel's memory accesses needs (src/codegen/accessStream.ts).
  out += ",\"plan\":{\"tileStart\":" + std::to_string(plan.tile_start) +
         ",\"accStart\":" + std::to_string(plan.acc_start) +
         ",\"partialSumLimit\":" + std::to_string(plan.partial_sum_limit) + ",\"loops\":[";
  for (size_t l = 0; l < plan.spec.loops.size(); l++) {
    const looplab::LoopSpec& loop = plan.spec.loops[l];
    std::snprintf(buf, sizeof buf, "%s[%d,%d,%d,%d,%d]", l ? "," : "", loop.var, loop.trip, loop.tail, plan.origin[l],
                  loop.pack);
    out += buf;
  }
  out += "]}";
  out += ",\"splits\":[";
  for (size_t i = 0; i < plan.splits.size(); i++) {
    const looplab::TileSplit& s = plan.splits[i];
    std::snprintf(buf, sizeof buf, "%s{\"loop\":%d,\"outer\":%d,\"inner\":%d,\"last\":%d}", i ? "," : "",
                  s.loop, s.outer, s.inner, s.last);
    out += buf;
  }
  return out + "]}";
}

}  // namespace

extern "C" {

// Generates a kernel for the spec (layout in spec.cpp). Returns 0 on success; otherwise
// the report holds the error message.
EMSCRIPTEN_KEEPALIVE int looplab_generate(const int32_t* words, int count) {
  looplab::Spec spec;
  looplab::Plan plan;
  g_bytes.clear();
  std::string error = looplab::decode_spec(words, count, spec);
  if (error.empty()) error = looplab::make_plan(spec, plan);
  if (!error.empty()) {
    g_report = error;
    return 1;
  }
  looplab::LoweredKernel kernel = looplab::lower_kernel(plan);
  g_report = report_json(plan, kernel);
  g_bytes = std::move(kernel.module);
  return 0;
}

EMSCRIPTEN_KEEPALIVE int looplab_peak(int relaxed, int accumulators) {
  g_bytes = looplab::peak_module(relaxed != 0, accumulators);
  g_report = "";
  return 0;
}

EMSCRIPTEN_KEEPALIVE const uint8_t* looplab_result_bytes() { return g_bytes.data(); }
EMSCRIPTEN_KEEPALIVE int looplab_result_size() { return int(g_bytes.size()); }
EMSCRIPTEN_KEEPALIVE const char* looplab_result_report() { return g_report.c_str(); }
EMSCRIPTEN_KEEPALIVE int looplab_result_report_size() { return int(g_report.size()); }
}
