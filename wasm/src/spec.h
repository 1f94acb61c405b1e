// The generator's input: a problem's layout and a schedule, as plain numbers.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

namespace looplab {

constexpr int kTensors = 3;  // 0: output, 1: first input, 2: second input
constexpr int kMaxVars = 16;
constexpr int kMaxLoops = 16;
constexpr int kLanes = 4;    // f32x4

struct LoopSpec {
  int var = 0;
  int trip = 1;
  int tail = 0;
  bool split_by_generator = false;  // the outer half of an innermost loop too long to unroll
  // Bit t (1 or 2): at the start of each iteration, input t's panel that the loops inside read
  // is copied into scratch, laid out in their order, and read from there.
  int pack = 0;
};

struct Budget {
  // Vector registers of the tile: accumulators, plus the input values live at once, plus a
  // temporary for f32x4.mul + add. V8 on x64 allocates xmm0-xmm14 (xmm15 is its scratch);
  // measured: 15 needed registers run without spills, 16 or more spill.
  int registers = 15;
  int unrolled = 128;          // multiply-adds in one unrolled tile
  int innermost_vectors = 16;  // longest innermost loop unrolled whole, in vectors
  int innermost_unroll = 4;    // vectors per iteration of a longer innermost loop
  int loop_unroll = 2;         // most copies of the tile per iteration of the loop above it
  long emitted = 16384;        // most multiply-adds emitted in the whole kernel (all tails)
};

struct Spec {
  bool relaxed = false;
  // The engine loads every input value of an unrolled tile before its multiply-adds, so all of
  // them are live at once (V8's TurboFan, Node 20). Otherwise values live from their load to
  // their last use in the emitted order (V8's Turboshaft, Chromium 156).
  bool hoisted_loads = false;
  bool shared_memory = false;             // import a shared memory (threads share it)
  int parallel = -1;                      // loop whose iterations the caller hands out, or -1
  std::vector<int> size;                  // per variable
  std::vector<int64_t> stride[kTensors];  // elements, per tensor per variable
  std::vector<LoopSpec> loops;            // outermost first
  Budget budget;
};

// Decodes the int32 words written by src/codegen (layout documented there). Returns an
// error message, or an empty string when the spec is valid.
std::string decode_spec(const int32_t* words, int count, Spec& spec);

}  // namespace looplab
