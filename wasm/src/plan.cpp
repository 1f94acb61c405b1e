#include "plan.h"

#include <algorithm>
#include <cmath>
#include <map>
#include <set>

namespace looplab {

namespace {

// Independent accumulators that hide the multiply-add latency: measured here, tiles of 8
// accumulators run at 90-97% of the peak kernel (which has 12).
constexpr int kLatencyAccumulators = 8;
// Unequal passes (a smaller last one) ran at about half the speed their accumulators predict:
// matmul 256^3, m:6 kept as 4 + 2 reached 42% of peak, as 3 + 3 71%; n:32 as 28 + 4 20%, as
// 16 + 16 45%. So a split that divides the loop is preferred unless it holds far fewer.
constexpr double kUnequalPassesPenalty = 2.0;

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
  int loads = 0;  // distinct input values loaded per pass
  int all_operands = 0;  // registers they take when all are loaded first
  int accumulators() const { return vector_acc + scalar_acc; }
  // Operands: input values holding a register at once (see Spec::hoisted_loads).
  int registers(bool relaxed) const { return accumulators() + operands + (relaxed ? 0 : 1); }
  int registers_all_loaded(bool relaxed) const { return accumulators() + all_operands + (relaxed ? 0 : 1); }
};

TileCost tile_cost(const Plan& plan, int level) {
  std::vector<TileOp> ops;
  plan.enumerate_tile(level, plan.full_extents(level), ops);
  std::set<AccKey> keys;
  // Per input value: the first and last multiply-add using it, in the emitted order.
  std::map<std::tuple<int, int64_t, bool>, std::pair<int, int>> uses;
  for (int i = 0; i < int(ops.size()); i++) {
    keys.insert(plan.key_of(ops[i]));
    for (int t = 1; t < kTensors; t++) {
      auto found = uses.emplace(std::make_tuple(t, ops[i].offset[t], ops[i].vector), std::make_pair(i, i));
      found.first->second.second = i;
    }
  }
  TileCost cost;
  cost.ops = int(ops.size());
  cost.loads = int(uses.size());
  bool pairs = false;
  for (auto& [what, range] : uses) pairs |= std::get<2>(what) && plan.paired_gather(std::get<0>(what));
  // All loaded at once; a vector gathered with stride 2 or 3 is shuffled from two loaded
  // vectors, both live.
  for (auto& [what, range] : uses)
    cost.all_operands += std::get<2>(what) && plan.paired_gather(std::get<0>(what)) ? 2 : 1;
  if (plan.spec.hoisted_loads) {
    cost.operands = cost.all_operands;
  } else {
    std::vector<int> live(ops.size() + 1, 0);
    for (auto& [what, range] : uses) {
      live[range.first]++;
      live[range.second + 1]--;
    }
    int now = 0;
    for (int i = 0; i < int(ops.size()); i++) cost.operands = std::max(cost.operands, now += live[i]);
    cost.operands += pairs ? 1 : 0;  // the second load of a pair, until the shuffle
  }
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

void Plan::jammed_tile(const std::vector<int>& extent, int jam_loop, int jam, std::vector<TileOp>& ops) const {
  ops.clear();
  std::vector<TileOp> one;
  enumerate_tile(tile_start, extent, one);
  for (int j = 0; j < jam; j++)
    for (TileOp op : one) {
      for (int t = 0; t < kTensors; t++) op.offset[t] += int64_t(j) * iter_stride(t, jam_loop);
      ops.push_back(op);
    }
}

int Plan::partial_sums(const std::vector<TileOp>& ops) const {
  if (partial_sum_limit == 0) return 1;
  std::set<AccKey> keys;
  for (const TileOp& op : ops) keys.insert(key_of(op));
  return int(keys.size()) <= partial_sum_limit ? 2 : 1;
}

int Plan::jam(int l, const std::vector<int>& extent) const {
  const LoopSpec& loop = spec.loops[l];
  if (l != acc_start - 1 || acc_start == tile_start || horizontal_sum || l == spec.parallel || loop.pack ||
      spec.stride[0][loop.var] == 0)
    return 1;
  std::vector<TileOp> ops;
  jammed_tile(extent, l, 1, ops);
  std::set<AccKey> one;
  for (const TileOp& op : ops) one.insert(key_of(op));
  if (2 * int(one.size()) > kLatencyAccumulators) return 1;
  jammed_tile(extent, l, 2, ops);
  std::set<AccKey> keys;
  std::set<std::tuple<int, int64_t, bool>> loads;
  int registers = 1;  // the mul + add temporary, counted with relaxed SIMD too (see partial_sum_limit)
  for (const TileOp& op : ops) {
    keys.insert(key_of(op));
    for (int t = 1; t < kTensors; t++)
      if (loads.insert(std::make_tuple(t, op.offset[t], op.vector)).second)
        registers += op.vector && paired_gather(t) ? 2 : 1;
  }
  registers += int(keys.size());
  return registers <= spec.budget.registers ? 2 : 1;
}

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
          for (int t = 0; t < kTensors; t++) op.offset[t] = base[t] + int64_t(i) * plan.iter_stride(t, l);
          ops.push_back(op);
        }
        return;
      }
      int st = plan.step[l], full = e / st, rem = e % st;
      int64_t at[kTensors];
      for (int i = 0; i <= full; i++) {
        int inner = i < full ? st : rem;
        if (inner == 0) break;
        for (int t = 0; t < kTensors; t++) at[t] = base[t] + int64_t(i) * plan.iter_stride(t, l);
        extent[x] = inner;
        walk(l + 1, extent, at);
      }
    }
  };
  int64_t zero[kTensors] = {0, 0, 0};
  Walker{*this, ops}.walk(level, extent, zero);
}

int Plan::packed_at(int t) const {
  for (int l = 0; l < int(spec.loops.size()); l++)
    if (spec.loops[l].pack & (1 << t)) return l;
  return -1;
}

int64_t Plan::iter_stride(int t, int l) const {
  int x = spec.loops[l].var;
  if (spec.stride[t][x] == 0) return 0;
  int at = packed_at(t);
  if (at < 0 || l <= at) return int64_t(step[l]) * spec.stride[t][x];
  int64_t block = 1;
  for (int d = l + 1; d < int(spec.loops.size()); d++) {
    const LoopSpec& inner = spec.loops[d];
    if (spec.stride[t][inner.var] != 0) block *= inner.trip + (inner.tail > 0 ? 1 : 0);
  }
  return block;
}

int64_t Plan::pack_elements(int t) const {
  int at = packed_at(t);
  if (at < 0) return 0;
  int64_t n = 1;
  for (int d = at + 1; d < int(spec.loops.size()); d++) {
    const LoopSpec& inner = spec.loops[d];
    if (spec.stride[t][inner.var] != 0) n *= inner.trip + (inner.tail > 0 ? 1 : 0);
  }
  return n;
}

bool Plan::paired_gather(int t) const {
  int64_t s = iter_stride(t, int(spec.loops.size()) - 1);
  return access[t] == Access::Gather && (s == 2 || s == 3);
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
  for (int l = 0; l < plan.original_loops; l++) plan.origin.push_back(l);

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
    plan.origin.push_back(plan.original_loops - 1);
    plan.innermost_split = true;
  }
  plan.step = compute_steps(spec, nullptr);

  for (int t = 0; t < kTensors; t++) {
    int64_t s = plan.iter_stride(t, int(spec.loops.size()) - 1);
    plan.access[t] = s == 0 ? Access::Splat : s == 1 ? Access::Vector : Access::Gather;
  }
  plan.horizontal_sum = spec.stride[0][plan.vec_var] == 0;

  // Accumulators stay in registers across the reduction loops directly above the tile:
  // the output does not move while they run.
  auto acc_start_of = [&](int start) {
    while (start > 0 && spec.stride[0][spec.loops[start - 1].var] == 0) start--;
    return start;
  };
  auto set_tile = [&](int start, const TileCost& cost) {
    plan.tile_start = start;
    plan.vector_accumulators = cost.vector_acc;
    plan.scalar_accumulators = cost.scalar_acc;
    plan.unrolled = cost.ops;
    plan.operands = cost.operands;
    plan.registers = cost.registers(spec.relaxed);
    plan.acc_start = acc_start_of(start);
  };

  // The requested tile: the innermost loops, grown outward under the unroll cap. Loops over
  // output variables always join (they are what a person asks to hold in registers); a
  // reduction loop joins only while the whole tile would fit the registers even with all its
  // values loaded at once, since holding the accumulators across it from outside works as
  // well (with kh and kw of 3 above a co:4 ow:8 tile, 8 + 54 registers: they stay loops).
  // The parallel loop stays a run-time loop above the tile: callers hand out its iterations.
  int n = int(spec.loops.size());
  int start = n - 1;
  TileCost cost = tile_cost(plan, start);
  if (spec.parallel >= 0) {
    const LoopSpec& p = spec.loops[spec.parallel];
    plan.parallel_iterations = p.trip + (p.tail > 0 ? 1 : 0);
  }
  // A loop where an input is packed stays a run-time loop above the tile too: its iterations copy.
  int above = spec.parallel;
  for (int t = 1; t < kTensors; t++) above = std::max(above, plan.packed_at(t));
  while (start > above + 1 && !spec.loops[start - 1].split_by_generator) {
    // Each full iteration of the loop repeats the whole tile: past the cap without enumerating
    // (a long loop would cost milliseconds to walk).
    if (int64_t(cost.ops) * spec.loops[start - 1].trip > budget.unrolled) break;
    TileCost wider = tile_cost(plan, start - 1);
    bool reduction = spec.stride[0][spec.loops[start - 1].var] == 0;
    if (wider.ops > budget.unrolled) break;
    if (reduction && wider.registers_all_loaded(spec.relaxed) > budget.registers) break;
    start--;
    cost = wider;
  }

  // A requested tile needing more registers than there are would spill in every pass. Keep
  // part of one of its output loops as a loop instead, outside the accumulator region. A split
  // need not divide the loop (the last pass then runs a smaller tile), so splits are compared by
  // the time their passes take: a pass with fewer than kLatencyAccumulators accumulators waits
  // on the multiply-add latency. Ties: fewer loads per multiply-add, then the innermost loop.
  if (cost.registers(spec.relaxed) > budget.registers) {
    plan.requested = {true, plan.origin[start], cost.accumulators(), cost.operands, cost.registers(spec.relaxed)};
  }
  while (cost.registers(spec.relaxed) > budget.registers) {
    struct Candidate {
      int loop = 0, inner = 0;
      TileCost cost;
      double time = 0, loads = 0;
      bool fits = false;
    };
    bool found = false;
    Candidate best;
    auto better = [&](const Candidate& c) {
      if (c.fits != best.fits) return c.fits;
      if (!c.fits) return c.cost.registers(spec.relaxed) <= best.cost.registers(spec.relaxed);
      if (std::abs(c.time - best.time) > 1e-9) return c.time < best.time;
      if (std::abs(c.loads - best.loads) > 1e-9) return c.loads < best.loads;
      return true;
    };
    auto pass_time = [](const TileCost& c) {
      return 1.0 / std::min(1.0, double(std::max(1, c.accumulators())) / kLatencyAccumulators);
    };
    for (int l = start; l < n; l++) {
      const LoopSpec& loop = spec.loops[l];
      if (spec.stride[0][loop.var] == 0 || loop.tail != 0 || plan.step[l] != 1 || loop.trip < 2) continue;
      bool shared = false;  // another loop of the variable inside the tile
      for (int o = start; o < n; o++) shared |= o != l && spec.loops[o].var == loop.var;
      if (shared) continue;
      auto cost_with = [&](int trip) {
        Plan trial = plan;
        trial.spec.loops[l].trip = trip;
        trial.step = compute_steps(trial.spec, nullptr);
        return tile_cost(trial, start);
      };
      for (int inner = 1; inner < loop.trip; inner++) {
        if (loop.var == plan.vec_var && inner % kLanes) continue;
        Candidate c;
        c.loop = l;
        c.inner = inner;
        c.cost = cost_with(inner);
        c.fits = c.cost.registers(spec.relaxed) <= budget.registers;
        int passes = loop.trip / inner, last = loop.trip % inner;
        double share = double(passes * inner) / loop.trip;
        c.time = share * pass_time(c.cost);
        double loads = double(passes) * c.cost.loads, ops = double(passes) * c.cost.ops;
        if (last) {
          TileCost l_cost = cost_with(last);
          c.time += (1 - share) * pass_time(l_cost);
          c.time *= kUnequalPassesPenalty;
          loads += l_cost.loads;
          ops += l_cost.ops;
        }
        c.loads = loads / std::max(1.0, ops);
        if (!found || better(c)) best = c;
        found = true;
      }
    }
    if (!found) break;  // nothing left to split: the tile spills
    int at = acc_start_of(start);
    LoopSpec outer = spec.loops[best.loop];
    outer.trip = outer.trip / best.inner;
    outer.tail = spec.loops[best.loop].trip % best.inner;
    spec.loops[best.loop].trip = best.inner;
    plan.splits.push_back({plan.origin[best.loop], outer.trip, best.inner, outer.tail});
    spec.loops.insert(spec.loops.begin() + at, outer);
    plan.origin.insert(plan.origin.begin() + at, plan.origin[best.loop]);
    plan.step = compute_steps(spec, nullptr);
    n++;
    start++;
    cost = best.cost;
  }
  set_tile(start, cost);

  // Unroll the loop above the tile when its iterations are independent tiles (it moves
  // the output). Inside the accumulator region V8 unrolls by itself, and copies of the
  // tile there only make it hoist loads and spill.
  if (plan.tile_start > 0 && plan.acc_start == plan.tile_start && plan.tile_start - 1 != spec.parallel)
    plan.loop_unroll = std::max(1, std::min(budget.loop_unroll, budget.unrolled / std::max(1, cost.ops)));

  for (int t = 1; t < kTensors; t++) {
    plan.scratch_offset[t] = plan.scratch_elements;
    // Panels start on a 64-byte line.
    plan.scratch_elements += (plan.pack_elements(t) + 15) / 16 * 16;
  }

  // Tails multiply the copies of the tile; keep the kernel small enough to compile in
  // milliseconds by unrolling less.
  while (count_tiles(plan, 0, spec.size) * long(plan.unrolled) > budget.emitted) {
    if (plan.loop_unroll > 1) plan.loop_unroll = 1;
    else if (plan.tile_start < n - 1) set_tile(plan.tile_start + 1, tile_cost(plan, plan.tile_start + 1));
    else break;
  }

  if (!plan.horizontal_sum && plan.acc_start < plan.tile_start) {
    // The whole tile's operands bound a smaller copy's. The temporary of mul + add is counted
    // with relaxed SIMD too, so that both flavours of a kernel sum in the same order.
    int free = budget.registers - plan.operands - 1;
    plan.partial_sum_limit = std::max(0, std::min(kLatencyAccumulators - 1, free / 2));
  }
  return "";
}

}  // namespace looplab
