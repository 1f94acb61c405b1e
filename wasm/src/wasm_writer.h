// A thin, typed writer of WebAssembly binary code: opcodes, immediates and module sections.
// It knows the encoding and nothing about loops; the lowering lives in lower.cpp.
#pragma once
#include <cstdint>
#include <cstring>
#include <string>
#include <vector>

namespace looplab {

enum class ValType : uint8_t { I32 = 0x7f, F32 = 0x7d, V128 = 0x7b };

// Appends encoded instructions to a byte buffer and counts them.
class CodeWriter {
 public:
  std::vector<uint8_t> bytes;
  int instructions = 0;

  void append(const CodeWriter& other) {
    bytes.insert(bytes.end(), other.bytes.begin(), other.bytes.end());
    instructions += other.instructions;
  }

  // Control.
  void block() { op(0x02); byte(0x40); }
  void loop() { op(0x03); byte(0x40); }
  void end() { op(0x0b); }
  void br(uint32_t depth) { op(0x0c); uleb(depth); }
  void br_if(uint32_t depth) { op(0x0d); uleb(depth); }
  void if_() { op(0x04); byte(0x40); }
  void call(uint32_t function) { op(0x10); uleb(function); }
  void select() { op(0x1b); }
  void return_() { op(0x0f); }

  // Locals.
  void local_get(uint32_t i) { op(0x20); uleb(i); }
  void local_set(uint32_t i) { op(0x21); uleb(i); }
  void local_tee(uint32_t i) { op(0x22); uleb(i); }

  // i32.
  void i32_const(int32_t v) { op(0x41); sleb(v); }
  void i32_add() { op(0x6a); }
  void i32_sub() { op(0x6b); }
  void i32_mul() { op(0x6c); }
  void i32_and() { op(0x71); }
  void i32_lt_s() { op(0x48); }
  void i32_gt_s() { op(0x4a); }
  void i32_le_s() { op(0x4c); }
  void i32_ge_s() { op(0x4e); }

  // f32 scalar. Memory accesses take a byte offset added to the address on the stack.
  void f32_load(uint32_t offset) { op(0x2a); memarg(2, offset); }
  void f32_store(uint32_t offset) { op(0x38); memarg(2, offset); }
  void f32_const(float v) { op(0x43); uint8_t b[4]; std::memcpy(b, &v, 4); raw(b, 4); }
  void f32_add() { op(0x92); }
  void f32_mul() { op(0x94); }

  // SIMD (0xfd prefix).
  void v128_load(uint32_t offset) { simd(0x00); memarg(4, offset); }
  void v128_load32_splat(uint32_t offset) { simd(0x09); memarg(2, offset); }
  void v128_store(uint32_t offset) { simd(0x0b); memarg(4, offset); }
  void v128_const_zero() { simd(0x0c); for (int i = 0; i < 16; i++) byte(0); }
  void i8x16_shuffle(const uint8_t (&lanes)[16]) { simd(0x0d); raw(lanes, 16); }
  void f32x4_splat() { simd(0x13); }
  void f32x4_extract_lane(uint8_t lane) { simd(0x1f); byte(lane); }
  void f32x4_replace_lane(uint8_t lane) { simd(0x20); byte(lane); }
  void v128_load32_zero(uint32_t offset) { simd(0x5c); memarg(2, offset); }
  void f32x4_add() { simd(0xe4); }
  void f32x4_mul() { simd(0xe6); }
  void f32x4_relaxed_madd() { simd(0x105); }  // a * b + c

  void uleb(uint64_t v) {
    do {
      uint8_t b = v & 0x7f;
      v >>= 7;
      if (v) b |= 0x80;
      byte(b);
    } while (v);
  }
  void sleb(int64_t v) {
    bool more = true;
    while (more) {
      uint8_t b = v & 0x7f;
      v >>= 7;
      if ((v == 0 && !(b & 0x40)) || (v == -1 && (b & 0x40))) more = false; else b |= 0x80;
      byte(b);
    }
  }
  void byte(uint8_t b) { bytes.push_back(b); }
  void raw(const uint8_t* p, size_t n) { bytes.insert(bytes.end(), p, p + n); }

 private:
  void op(uint8_t code) { instructions++; byte(code); }
  void simd(uint32_t code) { instructions++; byte(0xfd); uleb(code); }
  void memarg(uint32_t align_log2, uint32_t offset) { uleb(align_log2); uleb(offset); }
};

// Local variables of one function, grouped by type, with free lists so that disjoint code
// paths (tails) reuse registers instead of growing the frame.
class Locals {
 public:
  explicit Locals(uint32_t params) : params_(params) {}
  uint32_t take(ValType t) {
    auto& free = free_[slot(t)];
    if (!free.empty()) { uint32_t i = free.back(); free.pop_back(); return i; }
    types_.push_back(t);
    return params_ + uint32_t(types_.size() - 1);
  }
  void give(ValType t, uint32_t index) { free_[slot(t)].push_back(index); }
  // Encodes the local declarations (one run per local: simple and still small).
  void encode(CodeWriter& w) const {
    std::vector<std::pair<uint32_t, ValType>> runs;
    for (ValType t : types_) {
      if (!runs.empty() && runs.back().second == t) runs.back().first++;
      else runs.push_back({1, t});
    }
    w.uleb(runs.size());
    for (auto& r : runs) { w.uleb(r.first); w.byte(uint8_t(r.second)); }
  }
  size_t count() const { return types_.size(); }

 private:
  static int slot(ValType t) { return t == ValType::I32 ? 0 : t == ValType::F32 ? 1 : 2; }
  uint32_t params_;
  std::vector<ValType> types_;
  std::vector<uint32_t> free_[3];
};

// One exported function of a module.
struct FunctionDef {
  std::string export_name;
  std::vector<ValType> params;
  std::vector<ValType> results;
  std::vector<uint8_t> body;  // locals declaration + code + end
};

enum class MemoryImport { None, Plain, Shared };

// Assembles a module with at most an imported memory `env.memory` and exported functions
// (function i has index i, for `call`). With `access_import`, function 0 is the imported
// `env.access(i32, i32)` and function i has index i + 1.
inline std::vector<uint8_t> assemble_module(const std::vector<FunctionDef>& functions, MemoryImport memory,
                                            bool access_import = false) {
  const uint32_t first = access_import ? 1 : 0;
  CodeWriter out;
  const uint8_t header[] = {0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00};
  out.raw(header, sizeof header);
  auto section = [&](uint8_t id, const CodeWriter& content) {
    out.byte(id);
    out.uleb(content.bytes.size());
    out.raw(content.bytes.data(), content.bytes.size());
  };
  auto name = [](CodeWriter& w, const std::string& s) {
    w.uleb(s.size());
    w.raw(reinterpret_cast<const uint8_t*>(s.data()), s.size());
  };
  CodeWriter types;
  types.uleb(functions.size() + first);
  if (access_import) {
    const uint8_t access_type[] = {0x60, 2, uint8_t(ValType::I32), uint8_t(ValType::I32), 0};
    types.raw(access_type, sizeof access_type);
  }
  for (auto& f : functions) {
    types.byte(0x60);
    types.uleb(f.params.size());
    for (auto p : f.params) types.byte(uint8_t(p));
    types.uleb(f.results.size());
    for (auto r : f.results) types.byte(uint8_t(r));
  }
  section(1, types);
  if (memory != MemoryImport::None) {
    CodeWriter imports;
    imports.uleb(1 + first);
    if (access_import) {
      name(imports, "env");
      name(imports, "access");
      imports.byte(0x00);  // function of type 0
      imports.uleb(0);
    }
    name(imports, "env");
    name(imports, "memory");
    imports.byte(0x02);  // memory
    if (memory == MemoryImport::Shared) {
      imports.byte(0x03);  // limits: min and max, shared (a shared memory must declare a max)
      imports.uleb(1);
      imports.uleb(65536);
    } else {
      imports.byte(0x00);  // limits: min only
      imports.uleb(1);
    }
    section(2, imports);
  }
  CodeWriter funcs;
  funcs.uleb(functions.size());
  for (size_t i = 0; i < functions.size(); i++) funcs.uleb(i + first);
  section(3, funcs);
  CodeWriter exports;
  exports.uleb(functions.size());
  for (size_t i = 0; i < functions.size(); i++) {
    name(exports, functions[i].export_name);
    exports.byte(0x00);
    exports.uleb(i + first);
  }
  section(7, exports);
  CodeWriter code;
  code.uleb(functions.size());
  for (auto& f : functions) {
    code.uleb(f.body.size());
    code.raw(f.body.data(), f.body.size());
  }
  section(10, code);
  return out.bytes;
}

}  // namespace looplab
