#include "spec.h"

namespace looplab {

// Layout: [version=1, flags(bit0: relaxed SIMD, bit1: hoisted loads, bit2: shared memory,
//          bit3: packs follow, bits 8-15: parallel loop + 1), nvars, nloops,
//          size x nvars, stride(out) x nvars, stride(in0) x nvars, stride(in1) x nvars,
//          (var, trip, tail) x nloops,
//          registers, unrolled, innermost_vectors, innermost_unroll, loop_unroll  (0 keeps the default),
//          with bit 3: pack mask x nloops (bit 1: first input, bit 2: second input)]
std::string decode_spec(const int32_t* w, int count, Spec& spec) {
  if (count < 4 || w[0] != 1) return "spec: unknown version";
  int nvars = w[2], nloops = w[3];
  if (nvars < 1 || nvars > kMaxVars) return "spec: bad variable count";
  if (nloops < 1 || nloops > kMaxLoops) return "spec: bad loop count";
  bool packs = (w[1] & 8) != 0;
  int need = 4 + nvars * (1 + kTensors) + 3 * nloops + 5 + (packs ? nloops : 0);
  if (count != need) return "spec: wrong length";
  spec.relaxed = (w[1] & 1) != 0;
  spec.hoisted_loads = (w[1] & 2) != 0;
  spec.shared_memory = (w[1] & 4) != 0;
  spec.parallel = ((w[1] >> 8) & 0xff) - 1;
  if (spec.parallel >= nloops) return "spec: the parallel loop is not a loop of the schedule";
  if (spec.parallel == nloops - 1) return "spec: the innermost loop can't be the parallel loop";
  const int32_t* p = w + 4;
  spec.size.assign(p, p + nvars);
  p += nvars;
  for (int t = 0; t < kTensors; t++) {
    spec.stride[t].assign(p, p + nvars);
    p += nvars;
  }
  for (int v = 0; v < nvars; v++) {
    if (spec.size[v] < 1) return "spec: sizes must be positive";
    for (int t = 0; t < kTensors; t++)
      if (spec.stride[t][v] < 0) return "spec: strides must not be negative";
  }
  spec.loops.clear();
  std::vector<bool> seen(nvars, false);
  for (int l = 0; l < nloops; l++, p += 3) {
    LoopSpec loop;
    loop.var = p[0];
    loop.trip = p[1];
    loop.tail = p[2];
    if (loop.var < 0 || loop.var >= nvars) return "spec: loop over unknown variable";
    if (loop.trip < 0 || loop.tail < 0) return "spec: negative trip or tail";
    seen[loop.var] = true;
    spec.loops.push_back(loop);
  }
  for (int v = 0; v < nvars; v++)
    if (!seen[v]) return "spec: a variable has no loop";
  auto pick = [](int32_t value, int& field) { if (value > 0) field = value; };
  pick(p[0], spec.budget.registers);
  pick(p[1], spec.budget.unrolled);
  pick(p[2], spec.budget.innermost_vectors);
  pick(p[3], spec.budget.innermost_unroll);
  pick(p[4], spec.budget.loop_unroll);
  if (packs) {
    int packed[kTensors] = {0, 0, 0};
    for (int l = 0; l < nloops; l++) {
      int mask = p[5 + l];
      if (mask & ~6) return "spec: only the inputs can be packed";
      if (mask && l == nloops - 1) return "spec: the innermost loop has no loops inside to pack for";
      for (int t = 1; t < kTensors; t++)
        if (mask & (1 << t) && packed[t]++) return "spec: an input is packed at two loops";
      spec.loops[l].pack = mask;
    }
  }
  return "";
}

}  // namespace looplab
