#include "lower.h"

#include <algorithm>
#include <map>

#include "wasm_writer.h"

namespace looplab {

namespace {

// Where each tensor is addressed: a pointer local (bytes) plus a static bias (elements)
// folded into the memory instructions' offsets.
struct Pointers {
  uint32_t local[kTensors];
  int64_t bias[kTensors];

  // Moved by `iterations` iterations of loop l.
  Pointers shifted(const Plan& plan, int l, int64_t iterations) const {
    Pointers p = *this;
    for (int t = 0; t < kTensors; t++) p.bias[t] += iterations * plan.iter_stride(t, l);
    return p;
  }
};

uint32_t byte_offset(int64_t elements) { return uint32_t(elements * 4); }

class KernelLowering {
 public:
  explicit KernelLowering(const Plan& plan)
      : plan_(plan),
        spec_(plan.spec),
        scratch_(plan.spec.parallel >= 0 ? kTensors + 2 : kTensors),
        locals_(scratch_ + (plan.scratch_elements > 0 ? 1 : 0)) {}

  LoweredKernel run() {
    CodeWriter body;
    w_ = &body;
    Pointers params{{0, 1, 2}, {0, 0, 0}};
    level(0, spec_.size, params);
    body.end();
    const int locals = int(locals_.count());

    CodeWriter function;
    CodeWriter warm;
    if (spec_.parallel >= 0) warm_up(warm);
    locals_.encode(function);
    function.append(warm);
    function.append(body);

    FunctionDef kernel;
    kernel.export_name = "kernel";
    kernel.params = {ValType::I32, ValType::I32, ValType::I32};
    kernel.body = function.bytes;
    const bool scratch = plan_.scratch_elements > 0;
    std::vector<FunctionDef> functions;
    if (spec_.parallel >= 0) {
      // kernel_range is function 0; kernel calls it with the whole range.
      kernel.params.push_back(ValType::I32);
      kernel.params.push_back(ValType::I32);
      if (scratch) kernel.params.push_back(ValType::I32);
      kernel.export_name = "kernel_range";
      CodeWriter whole;
      whole.uleb(0);  // no locals
      for (uint32_t p = 0; p < kTensors; p++) whole.local_get(p);
      whole.i32_const(0);
      whole.i32_const(plan_.parallel_iterations);
      if (scratch) whole.local_get(kTensors);
      whole.call(spec_.trace ? 1 : 0);
      whole.end();
      FunctionDef all;
      all.export_name = "kernel";
      all.params = {ValType::I32, ValType::I32, ValType::I32};
      if (scratch) all.params.push_back(ValType::I32);
      all.body = whole.bytes;
      functions = {kernel, all};
    } else {
      if (scratch) kernel.params.push_back(ValType::I32);
      functions = {kernel};
    }
    LoweredKernel out;
    out.module = assemble_module(functions, spec_.shared_memory ? MemoryImport::Shared : MemoryImport::Plain,
                                 spec_.trace);
    out.instructions = body.instructions;
    out.tail_paths = tail_paths_;
    out.partial_sum_copies = partial_sum_copies_;
    out.jammed_copies = jammed_copies_;
    out.locals = locals;
    return out;
  }

 private:
  const Plan& plan_;
  const Spec& spec_;
  const uint32_t scratch_;  // the scratch parameter (when an input is packed)
  Locals locals_;
  CodeWriter* w_ = nullptr;
  int tail_paths_ = 1;
  int partial_sum_copies_ = 0;
  int jammed_copies_ = 0;
  int jam_loop_ = 0, jam_ = 1;  // a region copy running jam_ iterations of loop jam_loop_ at once
  bool in_acc_region_ = false;
  std::map<AccKey, uint32_t> acc_;

  // kernel_range(out, in0, in1, begin, end) with begin > end touches no memory: it runs
  // begin - end rounds of 100 register additions and returns. V8 runs a new function in its
  // baseline compiler (Liftoff) and compiles the optimized code in the background once the
  // function has executed enough; the rounds spend that budget in well under a millisecond,
  // where one iteration of a large kernel's loop would run 3-10x slower than optimized for
  // 10 ms or more. The optimized code folds the additions, so a round's time says which code ran.
  void warm_up(CodeWriter& w) {
    const uint32_t begin = kTensors, end = kTensors + 1;
    const uint32_t rounds = locals_.take(ValType::I32), sum = locals_.take(ValType::I32);
    w.local_get(begin);
    w.local_get(end);
    w.i32_gt_s();
    w.if_();
    w.local_get(begin);
    w.local_get(end);
    w.i32_sub();
    w.local_set(rounds);
    w.loop();
    for (int a = 0; a < 100; a++) {
      w.local_get(sum);
      w.i32_const(1);
      w.i32_add();
      w.local_set(sum);
    }
    w.local_get(rounds);
    w.i32_const(1);
    w.i32_sub();
    w.local_tee(rounds);
    w.br_if(0);
    w.end();
    w.return_();
    w.end();
  }

  void level(int l, const std::vector<int>& extent, const Pointers& ptr) {
    if (l == plan_.acc_start && !in_acc_region_) return acc_region(l, extent, ptr);
    if (l == plan_.tile_start) return tile(l, extent, ptr);
    if (l == spec_.parallel) return parallel_loop(l, extent, ptr);
    loop(l, extent, ptr);
  }

  // The parallel loop runs iterations begin..end-1 (parameters 3 and 4) of its full ones, then
  // the partial one when `full` is in that range. Pointers are recomputed from the index.
  void parallel_loop(int l, std::vector<int> extent, const Pointers& ptr) {
    CodeWriter& w = *w_;
    const uint32_t begin = kTensors, end = kTensors + 1;
    int x = spec_.loops[l].var, st = plan_.step[l];
    int full = extent[x] / st, rem = extent[x] % st;
    if (full > 0) {
      uint32_t i = locals_.take(ValType::I32), stop = locals_.take(ValType::I32);
      w.local_get(end);
      w.i32_const(full);
      w.local_get(end);
      w.i32_const(full);
      w.i32_lt_s();
      w.select();
      w.local_set(stop);
      w.local_get(begin);
      w.local_set(i);
      Pointers at = ptr;
      std::vector<uint32_t> owned;
      w.block();
      w.loop();
      w.local_get(i);
      w.local_get(stop);
      w.i32_ge_s();
      w.br_if(1);
      for (int t = 0; t < kTensors; t++) {
        if (plan_.iter_stride(t, l) == 0) continue;
        at.local[t] = locals_.take(ValType::I32);
        owned.push_back(at.local[t]);
        w.local_get(ptr.local[t]);
        w.local_get(i);
        w.i32_const(int32_t(byte_offset(plan_.iter_stride(t, l))));
        w.i32_mul();
        w.i32_add();
        w.local_set(at.local[t]);
      }
      extent[x] = st;
      enter(l, extent, at);
      w.local_get(i);
      w.i32_const(1);
      w.i32_add();
      w.local_set(i);
      w.br(0);
      w.end();
      w.end();
      for (uint32_t local : owned) locals_.give(ValType::I32, local);
      locals_.give(ValType::I32, i);
      locals_.give(ValType::I32, stop);
    }
    if (rem > 0) {
      w.local_get(begin);
      w.i32_const(full);
      w.i32_le_s();
      w.local_get(end);
      w.i32_const(full);
      w.i32_gt_s();
      w.i32_and();
      w.if_();
      extent[x] = rem;
      tail_paths_++;
      enter(l, extent, ptr.shifted(plan_, l, full));
      w.end();
    }
  }

  // A loop at run time: `full` iterations of step `st`, then one partial iteration whose
  // inner loops cover the remaining `rem` elements (a copy of the body specialized to it).
  // The loop right above the tile is unrolled so that more multiply-adds share one branch.
  void loop(int l, std::vector<int> extent, const Pointers& ptr) {
    CodeWriter& w = *w_;
    int x = spec_.loops[l].var, st = plan_.step[l];
    int full = extent[x] / st, rem = extent[x] % st;
    int unroll = l == plan_.tile_start - 1 ? std::max(1, std::min(plan_.loop_unroll, full)) : 1;
    extent[x] = st;
    // A small copy of the tile (a tail's) runs two iterations of the output loop above its
    // accumulator region at once: twice the accumulators, inputs that do not move shared.
    const bool jam = !in_acc_region_ && full >= 2 && l == plan_.acc_start - 1 && plan_.jam(l, extent) == 2;
    if (jam) {
      unroll = 2;
      jammed_copies_++;
    }
    // Two partial sums per accumulator: each iteration adds into one set and then swaps the two
    // sets' locals, so consecutive iterations' multiply-adds are independent.
    const bool swap = in_acc_region_ && l == plan_.tile_start - 1 && plan_.partial_sums(tile_ops(extent)) == 2;
    // Both sets' locals are taken before the loop's body: locals the body frees (its loaded
    // values) would be reused in the next iteration.
    if (swap) {
      swap_partials(extent, false);
      partial_sum_copies_++;
    }
    int rounds = full / unroll, left = full % unroll;
    Pointers at = ptr;
    std::vector<uint32_t> owned;
    auto bodies = [&](const Pointers& from, int count) {
      if (jam && count == 2) {
        jam_loop_ = l;
        jam_ = 2;
        enter(l, extent, from);
        jam_ = 1;
        return;
      }
      for (int u = 0; u < count; u++) {
        enter(l, extent, from.shifted(plan_, l, u));
        if (swap) swap_partials(extent, true);
      }
    };
    if (rounds == 1) {
      bodies(ptr, unroll);
      at = ptr.shifted(plan_, l, unroll);
    } else if (rounds > 1) {
      for (int t = 0; t < kTensors; t++) {
        if (plan_.iter_stride(t, l) == 0) continue;
        at.local[t] = locals_.take(ValType::I32);
        owned.push_back(at.local[t]);
        w.local_get(ptr.local[t]);
        w.local_set(at.local[t]);
      }
      uint32_t count = locals_.take(ValType::I32);
      w.i32_const(rounds);
      w.local_set(count);
      w.loop();
      bodies(at, unroll);
      advance(at, ptr, l, unroll);
      w.local_get(count);
      w.i32_const(1);
      w.i32_sub();
      w.local_tee(count);
      w.br_if(0);
      w.end();
      locals_.give(ValType::I32, count);
    }
    bodies(at, left);
    at = at.shifted(plan_, l, left);
    if (rem > 0) {
      extent[x] = rem;
      tail_paths_++;
      enter(l, extent, at);
    }
    for (uint32_t local : owned) locals_.give(ValType::I32, local);
  }

  // Exchanges the two partial sums of every accumulator of the tile at level `tile` (over
  // `extent`): local.get a, local.get b, local.set a, local.set b.
  void swap_partials(const std::vector<int>& extent, bool emit) {
    std::map<AccKey, bool> keys;
    for (const TileOp& op : tile_ops(extent)) keys[plan_.key_of(op)] = true;
    for (auto& [key, unused] : keys) {
      AccKey second = key;
      second.partial = 1;
      uint32_t a = accumulator(key), b = accumulator(second);
      if (!emit) continue;
      w_->local_get(a);
      w_->local_get(b);
      w_->local_set(a);
      w_->local_set(b);
    }
  }

  // The tile's multiply-adds over `extent`, for the iterations of the loop being jammed.
  std::vector<TileOp> tile_ops(const std::vector<int>& extent) const {
    std::vector<TileOp> ops;
    plan_.jammed_tile(extent, jam_loop_, jam_, ops);
    return ops;
  }

  uint32_t accumulator(const AccKey& key) {
    auto found = acc_.find(key);
    if (found != acc_.end()) return found->second;
    return acc_[key] = locals_.take(key.vector ? ValType::V128 : ValType::F32);
  }

  // In a trace build, calls env.access(address, code) before the memory instruction at `off`
  // bytes from pointer local `p`: stack-neutral, so it goes right before the instruction.
  void trace(uint32_t p, uint32_t off, int tensor, bool store, int bytes) {
    if (!spec_.trace) return;
    w_->local_get(p);
    w_->i32_const(int32_t(off));
    w_->i32_add();
    w_->i32_const(tensor | (store ? 4 : 0) | bytes << 3);
    w_->call(0);
  }

  // The body of one iteration of loop l: its packs (the panels of the packed inputs that the
  // loops inside read, copied to the scratch), then the loops inside, reading the copies.
  void enter(int l, const std::vector<int>& extent, const Pointers& ptr) {
    int mask = spec_.loops[l].pack;
    if (!mask) return level(l + 1, extent, ptr);
    Pointers inside = ptr;
    for (int t = 1; t < kTensors; t++) {
      if (!(mask & (1 << t))) continue;
      pack(t, l + 1, extent, ptr.local[t], ptr.bias[t], scratch_, plan_.scratch_offset[t]);
      inside.local[t] = scratch_;
      inside.bias[t] = plan_.scratch_offset[t];
    }
    level(l + 1, extent, inside);
  }

  // Copies input t's elements that loops d.. read (from pointer local `from` + `from_bias`
  // elements) into the packed layout (Plan::iter_stride) at pointer local `to` + `to_bias`. The
  // walk splits the loops' tails as the kernel does, so exactly the elements it reads are copied.
  void pack(int t, int d, std::vector<int> extent, uint32_t from, int64_t from_bias, uint32_t to, int64_t to_bias) {
    CodeWriter& w = *w_;
    const int n = int(spec_.loops.size());
    while (d < n && spec_.stride[t][spec_.loops[d].var] == 0) d++;
    if (d == n) {
      w.local_get(to);
      w.local_get(from);
      trace(from, byte_offset(from_bias), t, false, 4);
      w.f32_load(byte_offset(from_bias));
      trace(to, byte_offset(to_bias), t, true, 4);
      w.f32_store(byte_offset(to_bias));
      return;
    }
    int x = spec_.loops[d].var, st = plan_.step[d];
    int full = extent[x] / st, rem = extent[x] % st;
    int64_t source = int64_t(st) * spec_.stride[t][x], packed = plan_.iter_stride(t, d);
    extent[x] = st;
    bool last = true;
    for (int e = d + 1; e < n; e++) last &= spec_.stride[t][spec_.loops[e].var] == 0;
    if (last && st == 1 && source == 1 && full >= kLanes) {
      // Contiguous on both sides: whole vectors, then single elements.
      int vectors = full / kLanes;
      for (int v = 0; v < vectors; v++) {
        w.local_get(to);
        w.local_get(from);
        trace(from, byte_offset(from_bias + v * kLanes), t, false, 16);
        w.v128_load(byte_offset(from_bias + v * kLanes));
        trace(to, byte_offset(to_bias + v * kLanes), t, true, 16);
        w.v128_store(byte_offset(to_bias + v * kLanes));
      }
      for (int i = vectors * kLanes; i < full; i++) pack(t, d + 1, extent, from, from_bias + i, to, to_bias + i);
    } else if (full <= 2) {
      for (int i = 0; i < full; i++)
        pack(t, d + 1, extent, from, from_bias + i * source, to, to_bias + i * packed);
    } else {
      // A run-time loop: source and destination pointers advance together.
      uint32_t src = locals_.take(ValType::I32), dst = locals_.take(ValType::I32);
      uint32_t count = locals_.take(ValType::I32);
      w.local_get(from);
      w.local_set(src);
      w.local_get(to);
      w.local_set(dst);
      w.i32_const(full);
      w.local_set(count);
      w.loop();
      pack(t, d + 1, extent, src, from_bias, dst, to_bias);
      w.local_get(src);
      w.i32_const(int32_t(byte_offset(source)));
      w.i32_add();
      w.local_set(src);
      w.local_get(dst);
      w.i32_const(int32_t(byte_offset(packed)));
      w.i32_add();
      w.local_set(dst);
      w.local_get(count);
      w.i32_const(1);
      w.i32_sub();
      w.local_tee(count);
      w.br_if(0);
      w.end();
      locals_.give(ValType::I32, src);
      locals_.give(ValType::I32, dst);
      locals_.give(ValType::I32, count);
    }
    if (rem > 0) {
      extent[x] = rem;
      pack(t, d + 1, extent, from, from_bias + full * source, to, to_bias + full * packed);
    }
  }

  void advance(const Pointers& at, const Pointers& base, int l, int iterations) {
    for (int t = 0; t < kTensors; t++) {
      if (at.local[t] == base.local[t]) continue;
      w_->local_get(at.local[t]);
      w_->i32_const(int32_t(byte_offset(int64_t(iterations) * plan_.iter_stride(t, l))));
      w_->i32_add();
      w_->local_set(at.local[t]);
    }
  }

  // Loops whose accumulators stay in locals: the body is emitted first so that the set of
  // accumulators (all tail paths included) is known before zeroing them.
  void acc_region(int l, const std::vector<int>& extent, const Pointers& ptr) {
    CodeWriter body;
    CodeWriter* outer = w_;
    w_ = &body;
    in_acc_region_ = true;
    acc_.clear();
    level(l, extent, ptr);
    in_acc_region_ = false;
    w_ = outer;
    CodeWriter& w = *w_;
    for (auto& [key, local] : acc_) {
      if (key.vector) w.v128_const_zero(); else w.f32_const(0.0f);
      w.local_set(local);
    }
    w.append(body);
    store_accumulators(ptr.local[0], ptr.bias[0]);
    for (auto& [key, local] : acc_) locals_.give(key.vector ? ValType::V128 : ValType::F32, local);
    acc_.clear();
  }

  void store_accumulators(uint32_t out, int64_t bias) {
    CodeWriter& w = *w_;
    int64_t lane_stride = spec_.stride[0][plan_.vec_var];
    if (!plan_.horizontal_sum) {
      for (auto& entry : acc_) {
        const AccKey& key = entry.first;
        if (key.partial) continue;
        uint32_t local = entry.second;
        AccKey second = key;
        second.partial = 1;
        if (auto found = acc_.find(second); found != acc_.end()) {
          // The tile's two partial sums: added first, then stored as one accumulator.
          w.local_get(local);
          w.local_get(found->second);
          if (key.vector) w.f32x4_add(); else w.f32_add();
          w.local_set(local);
        }
        if (!key.vector) {
          add_to_output(out, bias + key.offset, [&] { w.local_get(local); });
        } else if (plan_.access[0] == Access::Vector) {
          uint32_t off = byte_offset(bias + key.offset);
          w.local_get(out);
          w.local_get(out);
          trace(out, off, 0, false, 16);
          w.v128_load(off);
          w.local_get(local);
          w.f32x4_add();
          trace(out, off, 0, true, 16);
          w.v128_store(off);
        } else {
          for (uint8_t lane = 0; lane < kLanes; lane++)
            add_to_output(out, bias + key.offset + lane * lane_stride, [&] {
              w.local_get(local);
              w.f32x4_extract_lane(lane);
            });
        }
      }
      return;
    }
    // Lanes are partial sums of one output element: add the partial vectors, then the lanes.
    std::map<int64_t, std::vector<std::pair<bool, uint32_t>>> by_output;
    for (auto& [key, local] : acc_) by_output[key.offset].push_back({key.vector, local});
    uint32_t sum = locals_.take(ValType::V128);
    for (auto& entry : by_output) {
      int64_t offset = entry.first;
      const auto& parts = entry.second;
      int vectors = 0;
      for (auto& part : parts) {
        if (!part.first) continue;
        w.local_get(part.second);
        if (vectors++) w.f32x4_add();
      }
      if (vectors) w.local_set(sum);
      add_to_output(out, bias + offset, [&] {
        bool first = true;
        if (vectors) {
          for (uint8_t lane = 0; lane < kLanes; lane++) {
            w.local_get(sum);
            w.f32x4_extract_lane(lane);
            if (lane) w.f32_add();
          }
          first = false;
        }
        for (auto& part : parts) {
          if (part.first) continue;
          w.local_get(part.second);
          if (!first) w.f32_add();
          first = false;
        }
      });
    }
    locals_.give(ValType::V128, sum);
  }

  template <class PushValue>
  void add_to_output(uint32_t out, int64_t element, PushValue push_value) {
    uint32_t off = byte_offset(element);
    w_->local_get(out);
    w_->local_get(out);
    trace(out, off, 0, false, 4);
    w_->f32_load(off);
    push_value();
    w_->f32_add();
    trace(out, off, 0, true, 4);
    w_->f32_store(off);
  }

  // The unrolled tile: straight-line multiply-adds, each input value loaded once.
  void tile(int l, const std::vector<int>& extent, const Pointers& ptr) {
    std::vector<TileOp> ops = tile_ops(extent);
    std::map<std::tuple<int, int64_t, bool>, uint32_t> loaded;
    CodeWriter& w = *w_;
    for (const TileOp& op : ops) {
      AccKey key = plan_.key_of(op);
      uint32_t acc = accumulator(key);
      push_input(1, op, ptr, loaded);
      push_input(2, op, ptr, loaded);
      if (op.vector && spec_.relaxed) {
        w.local_get(acc);
        w.f32x4_relaxed_madd();
      } else if (op.vector) {
        w.f32x4_mul();
        w.local_get(acc);
        w.f32x4_add();
      } else {
        w.f32_mul();
        w.local_get(acc);
        w.f32_add();
      }
      w.local_set(acc);
    }
    for (auto& [what, local] : loaded) locals_.give(std::get<2>(what) ? ValType::V128 : ValType::F32, local);
  }

  void push_input(int t, const TileOp& op, const Pointers& ptr,
                  std::map<std::tuple<int, int64_t, bool>, uint32_t>& loaded) {
    CodeWriter& w = *w_;
    auto what = std::make_tuple(t, op.offset[t], op.vector);
    auto found = loaded.find(what);
    if (found != loaded.end()) {
      w.local_get(found->second);
      return;
    }
    uint32_t p = ptr.local[t];
    int64_t at = ptr.bias[t] + op.offset[t];
    uint32_t off = byte_offset(at);
    w.local_get(p);
    if (!op.vector) {
      trace(p, off, t, false, 4);
      w.f32_load(off);
    } else if (plan_.access[t] == Access::Vector) {
      trace(p, off, t, false, 16);
      w.v128_load(off);
    } else if (plan_.access[t] == Access::Splat) {
      trace(p, off, t, false, 4);
      w.v128_load32_splat(off);
    } else if (int64_t s = plan_.iter_stride(t, int(spec_.loops.size()) - 1); s == 2 || s == 3) {
      // Lanes 0, s, 2s, 3s from two overlapping vector loads (elements 0-3 and 3s-3 - 3s):
      // one shuffle instead of four scalar loads, and no read past the last lane.
      int64_t second = 3 * s - 3;
      uint8_t b = uint8_t(3 - s);
      uint8_t a = uint8_t(s);
      const uint8_t lanes[16] = {0,  1,  2,  3,  uint8_t(4 * a), uint8_t(4 * a + 1), uint8_t(4 * a + 2), uint8_t(4 * a + 3),
                                 uint8_t(16 + 4 * b), uint8_t(16 + 4 * b + 1), uint8_t(16 + 4 * b + 2), uint8_t(16 + 4 * b + 3),
                                 28, 29, 30, 31};
      trace(p, off, t, false, 16);
      w.v128_load(off);
      w.local_get(p);
      trace(p, byte_offset(at + second), t, false, 16);
      w.v128_load(byte_offset(at + second));
      w.i8x16_shuffle(lanes);
    } else {
      int64_t lane_stride = plan_.iter_stride(t, int(spec_.loops.size()) - 1);
      trace(p, off, t, false, 4);
      w.v128_load32_splat(off);
      for (uint8_t lane = 1; lane < kLanes; lane++) {
        w.local_get(p);
        trace(p, byte_offset(at + lane * lane_stride), t, false, 4);
        w.f32_load(byte_offset(at + lane * lane_stride));
        w.f32x4_replace_lane(lane);
      }
    }
    uint32_t local = locals_.take(op.vector ? ValType::V128 : ValType::F32);
    w.local_tee(local);
    loaded[what] = local;
  }
};

}  // namespace

LoweredKernel lower_kernel(const Plan& plan) { return KernelLowering(plan).run(); }

std::vector<uint8_t> peak_module(bool relaxed, int accumulators) {
  Locals locals(1);
  CodeWriter w;
  std::vector<uint32_t> acc;
  uint32_t a = locals.take(ValType::V128), b = locals.take(ValType::V128);
  for (int i = 0; i < accumulators; i++) acc.push_back(locals.take(ValType::V128));
  w.f32_const(0.999f);
  w.f32x4_splat();
  w.local_set(a);
  w.f32_const(0.001f);
  w.f32x4_splat();
  w.local_set(b);
  for (int i = 0; i < accumulators; i++) {
    w.f32_const(float(i + 1));
    w.f32x4_splat();
    w.local_set(acc[i]);
  }
  w.loop();
  for (int i = 0; i < accumulators; i++) {
    w.local_get(acc[i]);
    w.local_get(a);
    if (relaxed) {
      w.local_get(b);
      w.f32x4_relaxed_madd();
    } else {
      w.f32x4_mul();
      w.local_get(b);
      w.f32x4_add();
    }
    w.local_set(acc[i]);
  }
  w.local_get(0);
  w.i32_const(1);
  w.i32_sub();
  w.local_tee(0);
  w.br_if(0);
  w.end();
  for (int i = 0; i < accumulators; i++) {
    w.local_get(acc[i]);
    if (i) w.f32x4_add();
  }
  w.f32x4_extract_lane(0);
  w.end();

  CodeWriter function;
  locals.encode(function);
  function.append(w);
  FunctionDef peak;
  peak.export_name = "peak";
  peak.params = {ValType::I32};
  peak.results = {ValType::F32};
  peak.body = function.bytes;
  return assemble_module({peak}, MemoryImport::None);
}

}  // namespace looplab
