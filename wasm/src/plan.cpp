#include "plan.h"

#include <algorithm>
#include <set>

namespace looplab {

namespace {

std::vector<int> compute_steps(const Spec& spec, std::vector<int>* outer_extent) {
  std::vector<int> inner(spec.size.size(), 1);
  std::vector<int> step(spec.loops.size());
  for (int l = int(spec.loops.size()) - 1; l >= 0; l--) {
    const LoopSpec& loop = spec.loops[l];
    step[l] = inner[loop.var];
    inner[loop.var] = loop.trip * step[l] + loop.tail;
  }
  if (outer_extent) *outer_extent = inner;
  return step;
}

struct TileCost {
  int vector_acc = 0, scalar_acc = 0, operands = 0, ops = 0;
  int accumulators() const { return vector_acc + scalar_acc; }
};

TileCost tile_cost(const Plan& plan, int level) {
  std::vector<TileOp> ops;
  plan.enumerate_tile(level, plan.full_extents(level), ops);
  std::set<AccKey> keys;
  std::set<std::tuple<int, int64_t, bool>> operands;
  for (auto& op : ops) {
    keys.insert(plan.key_of(op));
    for (int t = 1; t < kTensors; t++) operands.insert({t, op.offset[t], op.vector});
  }
  TileCost cost;
  cost.ops = int(ops.size());
  cost.operands = int(operands.size());
  for (auto& k : keys) (k.vector ? cost.vector_acc : cost.scalar_acc)++;
  return cost;
}

// How many copies of the tile the lowering emits: tails specialize the loop bodies below
// them, and the loop above the tile may be unrolled.
long count_tiles(const Plan& plan, int l, std::vector<int> extent) {
  if (l >= plan.tile_start) return 1;
  const LoopSpec& loop = plan.spec.loops[l];
  int st = plan.step[l], full = extent[loop.var] / st, rem = extent[loop.var] % st;
  long copies = 0;
  if (full > 0) {
    int unroll = l == plan.tile_start - 1 ? std::min(plan.loop_unroll, full) : 1;
    int bodies = full / unroll == 1 ? full : unroll + full % unroll;
    extent[loop.var] = st;
    copies += bodies * count_tiles(plan, l + 1, extent);
  }
  if (rem > 0) {
    extent[loop.var] = rem;
    copies += count_tiles(plan, l + 1, extent);
  }
  return copies;
}

}  // namespace

std::vector<int> Plan::full_extents(int level) const {
  std::vector<int> extent(spec.size.size(), 0);
  std::vector<bool> set(spec.size.size(), false);
  for (int l = level; l < int(spec.loops.size()); l++) {
    const LoopSpec& loop = spec.loops[l];
    if (set[loop.var]) continue;
    set[loop.var] = true;
    extent[loop.var] = loop.trip * step[l] + loop.tail;
  }
  return extent;
}

void Plan::enumerate_tile(int level, const std::vector<int>& extent, std::vector<TileOp>& ops) const {
  // Walks the tile's loops statically; `base` accumulates element offsets.
  struct Walker {
    const Plan& plan;
    std::vector<TileOp>& ops;
    void walk(int l, std::vector<int> extent, const int64_t* base) {
      const Spec& s = plan.spec;
      const LoopSpec& loop = s.loops[l];
      int x = loop.var;
      int e = extent[x];
      if (l == int(s.loops.size()) - 1) {  // innermost: step 1, vectorized
        int vectors = e / kLanes;
        for (int i = 0; i < e; i++) {
          bool vec = i < vectors * kLanes;
          if (vec && i % kLanes) continue;
          TileOp op;
          op.vector = vec;
          op.lane_group = vec ? i / kLanes : 0;
          for (int t = 0; t < kTensors; t++) op.offset[t] = base[t] + int64_t(i) * s.stride[t][x];
          ops.push_back(op);
        }
        return;
      }
      int st = plan.step[l], full = e / st, rem = e % st;
      int64_t at[kTensors];
      for (int i = 0; i <= full; i++) {
        int inner = i < full ? st : rem;
        if (inner == 0) break;
        for (int t = 0; t < kTensors; t++) at[t] = base[t] + int64_t(i) * st * s.stride[t][x];
        extent[x] = inner;
        walk(l + 1, extent, at);
      }
    }
  };
  int64_t zero[kTensors] = {0, 0, 0};
  Walker{*this, ops}.walk(level, extent, zero);
}

AccKey Plan::key_of(const TileOp& op) const {
  // Along a reduction, several independent partial sums per output element hide the
  // multiply-add latency; they are added together when the accumulators are stored.
  int partial = horizontal_sum && op.vector ? op.lane_group % 4 : 0;
  return AccKey{op.offset[0], op.vector, partial};
}

std::string make_plan(const Spec& input, Plan& plan) {
  plan = Plan();
  plan.spec = input;
  Spec& spec = plan.spec;
  plan.original_loops = int(spec.loops.size());

  std::vector<int> outer_extent;
  compute_steps(spec, &outer_extent);
  std::vector<int> step = compute_steps(spec, nullptr);
  for (size_t l = 0; l < spec.loops.size(); l++)
    if (spec.loops[l].tail >= step[l] && spec.loops[l].tail > 0) return "spec: a tail is not smaller than its step";
  for (size_t v = 0; v < spec.size.size(); v++)
    if (outer_extent[v] != spec.size[v]) return "spec: the loops over a variable do not cover its size";

  LoopSpec innermost = spec.loops.back();
  plan.vec_var = innermost.var;
  const Budget& budget = spec.budget;
  if (innermost.trip > budget.innermost_vectors * kLanes) {
    int chunk = budget.innermost_unroll * kLanes;
    LoopSpec outer = innermost, inner = innermost;
    outer.trip = innermost.trip / chunk;
    outer.tail = innermost.trip % chunk;
    outer.split_by_generator = true;
    inner.trip = chunk;
    inner.tail = 0;
    spec.loops.back() = outer;
    spec.loops.push_back(inner);
    plan.innermost_split = true;
  }
  plan.step = compute_steps(spec, nullptr);

  for (int t = 0; t < kTensors; t++) {
    int64_t s = spec.stride[t][plan.vec_var];
    plan.access[t] = s == 0 ? Access::Splat : s == 1 ? Access::Vector : Access::Gather;
  }
  plan.horizontal_sum = spec.stride[0][plan.vec_var] == 0;

  // Accumulators stay in registers across the reduction loops directly above the tile:
  // the output does not move while they run.
  auto set_tile = [&](int start, const TileCost& cost) {
    plan.tile_start = start;
    plan.vector_accumulators = cost.vector_acc;
    plan.scalar_accumulators = cost.scalar_acc;
    plan.unrolled = cost.ops;
    plan.acc_start = start;
    while (plan.acc_start > 0 && spec.stride[0][spec.loops[plan.acc_start - 1].var] == 0) plan.acc_start--;
  };

  // Grow the tile outward under the unroll cap. A loop over an output variable joins while
  // the accumulators fit the register budget: holding them across the reduction is worth
  // even a few spills. A reduction loop joins only while accumulators and loaded operands
  // together fit, since V8 hoists the unrolled loads and would spill them.
  // The parallel loop stays a run-time loop above the tile: callers hand out its iterations.
  int n = int(spec.loops.size());
  int start = n - 1;
  TileCost cost = tile_cost(plan, start);
  if (spec.parallel >= 0) {
    const LoopSpec& p = spec.loops[spec.parallel];
    plan.parallel_iterations = p.trip + (p.tail > 0 ? 1 : 0);
  }
  while (start > spec.parallel + 1 && !spec.loops[start - 1].split_by_generator) {
    TileCost wider = tile_cost(plan, start - 1);
    bool reduction = spec.stride[0][spec.loops[start - 1].var] == 0;
    int registers = wider.accumulators() + (reduction ? wider.operands : 0);
    if (registers > budget.registers || wider.ops > budget.unrolled) break;
    start--;
    cost = wider;
  }
  set_tile(start, cost);

  // Unroll the loop above the tile when its iterations are independent tiles (it moves
  // the output). Inside the accumulator region V8 unrolls by itself, and copies of the
  // tile there only make it hoist loads and spill.
  if (plan.tile_start > 0 && plan.acc_start == plan.tile_start && plan.tile_start - 1 != spec.parallel)
    plan.loop_unroll = std::max(1, std::min(budget.loop_unroll, budget.unrolled / std::max(1, cost.ops)));

  // Tails multiply the copies of the tile; keep the kernel small enough to compile in
  // milliseconds by unrolling less.
  while (count_tiles(plan, 0, spec.size) * long(plan.unrolled) > budget.emitted) {
    if (plan.loop_unroll > 1) plan.loop_unroll = 1;
    else if (plan.tile_start < n - 1) set_tile(plan.tile_start + 1, tile_cost(plan, plan.tile_start + 1));
    else break;
  }
  return "";
}

}  // namespace looplab
