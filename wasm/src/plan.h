// What the generator decides before emitting code: the vectorized variable, how each tensor
// is accessed along it, which innermost loops form the unrolled register tile, and across
// which loops the tile's accumulators stay in registers.
#pragma once
#include <map>
#include <string>
#include <tuple>
#include <vector>

#include "spec.h"

namespace looplab {

enum class Access { Vector, Gather, Splat };

// One multiply-add of the unrolled tile: f32x4 (4 consecutive iterations of the innermost
// loop) or f32 (a tail of it). Offsets are in elements, relative to the tile's pointers.
struct TileOp {
  bool vector = true;
  int64_t offset[kTensors] = {0, 0, 0};
  int lane_group = 0;  // index of the vector within its innermost loop
};

// Identifies an accumulator: the output element (first lane's) and, when the lanes are
// partial sums along a reduction, which of several independent partial sums.
struct AccKey {
  int64_t offset;
  bool vector;
  int partial;
  bool operator<(const AccKey& o) const {
    return std::tie(offset, vector, partial) < std::tie(o.offset, o.vector, o.partial);
  }
};

// A loop of the requested tile that the register budget kept partly as a loop: the tile runs
// `inner` of its iterations, and a loop of `outer` passes (then one of `last`, if any) runs
// outside the accumulator region.
struct TileSplit {
  int loop = 0;  // the caller's loop index
  int outer = 1, inner = 1;
  int last = 0;  // iterations of a last, smaller pass (0 when `inner` divides the loop)
};

// What the requested tile would have needed, when it did not fit the register budget.
struct RequestedTile {
  bool reduced = false;
  int start = 0;  // the caller's loop index of the tile's first loop
  int accumulators = 0, operands = 0, registers = 0;
};

struct Plan {
  Spec spec;                     // loops possibly with the innermost split in two
  std::vector<int> step;         // per loop, in elements of its variable
  int original_loops = 0;
  std::vector<int> origin;       // per loop: the caller's loop it comes from
  bool innermost_split = false;  // the generator split the innermost loop to unroll it
  int vec_var = 0;
  Access access[kTensors];
  bool horizontal_sum = false;   // the output lacks the vectorized variable
  int tile_start = 0;            // first loop of the unrolled tile
  int acc_start = 0;             // first loop across which accumulators are held
  int vector_accumulators = 0;
  int scalar_accumulators = 0;
  int unrolled = 0;              // multiply-adds in one tile
  int operands = 0;              // registers holding input values (see Spec::hoisted_loads)
  int registers = 0;             // vector registers the tile needs (see tile_registers)
  RequestedTile requested;
  std::vector<TileSplit> splits;
  int loop_unroll = 1;           // copies of the tile per iteration of the loop above it
  int parallel_iterations = 0;   // iterations of the parallel loop (its tail the last), 0 if none
  // A copy of the tile with fewer accumulators than the multiply-add latency needs (a tail's, or
  // a small tile) waits on each chain. When the loop right above the tile is a reduction (inside
  // the accumulator region), a copy with at most this many accumulators keeps two partial sums
  // per accumulator: the loop's iterations alternate between two sets, added when stored. The
  // largest count below kLatencyAccumulators whose double fits the registers with the whole
  // tile's operands; 0 when the tile has no reduction loop above it or lanes are partial sums.
  int partial_sum_limit = 0;

  // The tile's multiply-adds, starting at loop `level` with the given extent per variable.
  void enumerate_tile(int level, const std::vector<int>& extent, std::vector<TileOp>& ops) const;
  AccKey key_of(const TileOp& op) const;
  // Tensor t is gathered along the vectorized variable with stride 2 or 3: each vector is one
  // shuffle of two overlapping vector loads.
  bool paired_gather(int t) const;
  // The tile's multiply-adds over `extent`, for `jam` consecutive iterations of loop `jam_loop`
  // (their offsets moved by the loop's strides; 1: the tile alone).
  void jammed_tile(const std::vector<int>& extent, int jam_loop, int jam, std::vector<TileOp>& ops) const;
  // Independent partial sums per accumulator for a copy of the tile making `ops`: 2 when the
  // copy has at most `partial_sum_limit` accumulators, else 1.
  int partial_sums(const std::vector<TileOp>& ops) const;
  // Iterations of loop l (the output loop right above the accumulator region) that one copy of
  // the region runs together: 2 when a copy of the tile over `extent` (a tail's) has at most half
  // of kLatencyAccumulators accumulators and two of them fit the registers with all their
  // operands, loaded once (an input that does not move with loop l is shared), else 1.
  int jam(int l, const std::vector<int>& extent) const;
  // Extent per variable as seen by loop `level` on the path without tails.
  std::vector<int> full_extents(int level) const;

  // Packing (LoopSpec::pack): the loop at whose iterations input t is packed, or -1.
  int packed_at(int t) const;
  // Elements tensor t's pointer moves per iteration of loop l: in the tensor itself, or, inside
  // the loop where t is packed, in its packed panel (the loops inside that loop over t's
  // variables, in nesting order, each iteration a block of the ones inside it).
  int64_t iter_stride(int t, int l) const;
  // Elements of t's packed panel (0 when t is not packed), and where it starts in the scratch.
  int64_t pack_elements(int t) const;
  int64_t scratch_offset[kTensors] = {0, 0, 0};
  int64_t scratch_elements = 0;
};

// Returns an error message, or "" with `plan` filled.
std::string make_plan(const Spec& spec, Plan& plan);

}  // namespace looplab
