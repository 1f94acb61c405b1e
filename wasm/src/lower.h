// Lowers a plan to the bytes of a kernel module.
#pragma once
#include <cstdint>
#include <vector>

#include "plan.h"

namespace looplab {

struct LoweredKernel {
  std::vector<uint8_t> module;
  int instructions = 0;
  int tail_paths = 0;
  int partial_sum_copies = 0;  // loops above a tile copy that alternate two sets of partial sums
  int jammed_copies = 0;       // output loops whose iterations run two at a time in one region copy
  int locals = 0;
};

// The module imports `env.memory` (shared when the spec says so) and exports
// `kernel(out, in0, in1)` (byte addresses). With a parallel loop it also exports
// `kernel_range(out, in0, in1, begin, end)`, which runs only iterations begin..end-1 of that
// loop (the tail iteration is the last index); `kernel` runs them all.
LoweredKernel lower_kernel(const Plan& plan);

// A module exporting `peak(iterations) -> f32`: `accumulators` independent f32x4
// multiply-adds per iteration, all in registers.
std::vector<uint8_t> peak_module(bool relaxed, int accumulators);

}  // namespace looplab
