// The cache simulator's hot loop, compiled: runs a kernel's access stream (a flat "program" of the
// stream tree built by src/codegen/accessStream.ts) straight into the simulator, with the reuse
// tracking, in one pass. A port of src/core/cache/simulator.ts, lru.ts and the stream's emission,
// which stay the reference: src/runtime/wasmCacheSim.property.test.ts holds every counter equal.
//
// One simulation at a time per module instance: sim_create, then sim_exec of program nodes (the
// caller walks what it samples), sim_destroy.
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

namespace {

constexpr int N = 7;  // counters per level and tensor, in simulator.ts's COUNTERS order
constexpr int ACCESSES = 0, MISSES = 1, COMPULSORY = 2, CAPACITY = 3, CONFLICT = 4, FILLS = 5, WRITEBACKS = 6;
constexpr int MAX_LEVELS = 8;
constexpr int CARRY_TILE = 254;
constexpr int CARRY_FIRST = 255;
constexpr int MAX_RECORDINGS = 64;
constexpr int MAX_KEPT = 256;

enum NodeKind { LOOP = 0, REGION = 1, LIST = 2, COPY = 3, PACK = 4 };

// Per line number and level, two words side by side (one host cache line serves both): the slot
// holding the line (NEVER_SEEN, ABSENT or the slot) and its place in the level's shadow (-1: none).
constexpr int32_t NEVER_SEEN = -2;
constexpr int32_t ABSENT = -1;

// A fully associative LRU cache of `capacity` lines (lru.ts), kept as a queue of touches, oldest
// first: a touch appends the line and makes that place its own (the second word of the level's
// per-line pair), leaving -1 at the place it had before. When the queue is full its held lines
// (at most `capacity` of 4 * capacity) move to its start, so that costs O(1) per touch on average;
// the -1s let that, and dropping the oldest line, skip the lines touched since without looking
// them up.
struct Shadow {
  int32_t capacity = 0, held = 0, front = 0, back = 0, size = 0;
  int32_t *perLine = nullptr, *queue = nullptr;
  int32_t& placeOf(int32_t line) { return perLine[2 * line + 1]; }
  bool isNewest(int32_t line) { return placeOf(line) == back - 1; }

  void append(int32_t line) {
    if (back == size) compact();
    placeOf(line) = back;
    queue[back++] = line;
  }
  // Without branches on which places are held (about a quarter, in no order a predictor learns).
  void compact() {
    int32_t to = 0;
    int32_t sink = 0;
    for (int32_t at = front; at < back; at++) {
      const int32_t line = queue[at];
      const bool live = line >= 0;
      queue[to] = line;
      *(live ? &placeOf(line) : &sink) = to;
      to += live;
    }
    front = 0;
    back = to;
  }
  void dropOldest() {
    while (queue[front] < 0) front++;
    placeOf(queue[front++]) = -1;
  }
  bool touch(int32_t line) {
    const int32_t place = placeOf(line);
    if (place >= 0) {
      if (place != back - 1) {
        queue[place] = -1;
        append(line);
      }
      return true;
    }
    if (held < capacity) held++;
    else dropOldest();
    append(line);
    return false;
  }
};

// A slot of a level: what a reference reads and writes of it, side by side (one host cache line
// holds four). `used` is the level's clock at its last reference (0: empty), `tag` its line (-1:
// none), `owner` the tensor that last wrote it.
struct Slot {
  double used;
  int32_t tag;
  uint8_t dirty, owner;
};

struct Level {
  int32_t sets = 0, ways = 0, setMask = -1;
  Slot* slot = nullptr;
  int32_t* perLine = nullptr;
  int32_t& slotOf(int32_t line) { return perLine[2 * line]; }
  Shadow shadow;
  double now = 0;
  // sim_mark_fill_sets' sets (1: the fills of the iterations a sampler skips land there), and whether marked.
  uint8_t* fillSets = nullptr;
  bool fillSetsMarked = false;
  // sim_mark_fill_sets' distinct lines per set, that stay and that move, over fillSteps iterations.
  int32_t* fillFixed = nullptr;
  int32_t* fillMoving = nullptr;
  int32_t fillSteps = 0;
  // sim_forget_older_by_set's mark per set.
  double* setSince = nullptr;
  int32_t setOf(int32_t line) const { return setMask >= 0 ? (line & setMask) : (line % sets); }
};

struct Sim {
  int32_t levels = 0, tensors = 0, lineBytes = 0, lineShift = 0, lines = 0;
  Level level[MAX_LEVELS];
  double* counts = nullptr;
  double* reuse = nullptr;
  int32_t countsLength = 0, reuseLength = 0;
  int32_t lastLine = -1, lastSlot = 0, served = 0;
  // The stream: the program, reuse tracking, accesses so far.
  const int32_t* program = nullptr;
  const int32_t* lists = nullptr;
  double* lastTouch = nullptr;
  double* iterationStart = nullptr;
  int32_t runtimeLoops = 0;
  double accesses = 0;
  double scratch = 0;
  int32_t error = 0;
  // What the first level passes to the second, while recording: one log, each recording under
  // way (nested, outermost first) a span of it from its start.
  int32_t* recording = nullptr;
  int32_t recordingLength = 0, recordingCapacity = 0;
  bool recordingOn = false;
  int32_t recordingStarts[MAX_RECORDINGS];
  int32_t recordingDepth = 0;
  // Recordings handed out (sim_recorded), freed by sim_release or sim_destroy, with their room
  // in words: an outermost recording is handed out in the log itself, whose room a later log
  // takes over once it is released (spare), so neither copies nor grows again.
  int32_t* kept[MAX_KEPT];
  int32_t keptCapacity[MAX_KEPT];
  int32_t keptCount = 0;
  int32_t lastRecordedLength = 0;
  int32_t* spare = nullptr;
  int32_t spareCapacity = 0;
  // sim_replay_run's marks, reused from run to run.
  double* marks = nullptr;
  int32_t marksCapacity = 0;
  // lastTouches' scratch, per line: the stamp of the last call that met it and where its pair went.
  int32_t* touchSeen = nullptr;
  int32_t* touchAt = nullptr;
  int32_t touchStamp = 0;
  // sim_mark_fill_sets' per-line stamps (a line counted once per call).
  int32_t* fillStamp = nullptr;
  int32_t fillStampNow = 0;
};

Sim sim;

template <typename T>
T* allocate(size_t count) {
  return static_cast<T*>(calloc(count > 0 ? count : 1, sizeof(T)));
}

void record(int32_t code, int32_t line) {
  if (sim.recordingLength + 2 > sim.recordingCapacity) {
    int32_t capacity = sim.recordingCapacity > 0 ? sim.recordingCapacity * 2 : 4096;
    sim.recording = static_cast<int32_t*>(realloc(sim.recording, capacity * sizeof(int32_t)));
    sim.recordingCapacity = capacity;
  }
  sim.recording[sim.recordingLength++] = code;
  sim.recording[sim.recordingLength++] = line;
}

// The least recently used slot of a set, the first of equals (empty slots are 0). A tournament
// whose left side wins ties, without branches: the winner is the least, first of equals.
struct Entry {
  double used;
  int32_t at;
};
inline Entry earlier(Entry left, Entry right) { return right.used < left.used ? right : left; }
inline Entry least4(const Slot* slot, int32_t at) {
  const Entry a = earlier({slot[at].used, at}, {slot[at + 1].used, at + 1});
  const Entry b = earlier({slot[at + 2].used, at + 2}, {slot[at + 3].used, at + 3});
  return earlier(a, b);
}
template <int WAYS>
inline int32_t leastUsed(const Slot* slot, int32_t base) {
  if (WAYS == 8) return earlier(least4(slot, base), least4(slot, base + 4)).at;
  return earlier(earlier(least4(slot, base), least4(slot, base + 4)),
                 earlier(least4(slot, base + 8), least4(slot, base + 12)))
      .at;
}

inline int32_t leastUsedOf(const Slot* slot, int32_t base, int32_t ways) {
  int32_t victim = base;
  for (int32_t at = base + 1; at < base + ways; at++)
    if (slot[at].used < slot[victim].used) victim = at;
  return victim;
}

// simulator.ts's reference: `wholeLine` is a write-back from the level above. Returns the slot.
int32_t reference(int32_t lv, int32_t tensor, bool write, bool wholeLine, int32_t line) {
  if (lv == 1 && sim.recordingOn) record(tensor | (write ? 4 : 0) | (wholeLine ? 8 : 0), line);
  Level& L = sim.level[lv];
  const int32_t c = (lv * sim.tensors + tensor) * N;
  double* counts = sim.counts;
  counts[c + ACCESSES]++;
  const bool shadowHit = L.shadow.touch(line);
  Slot* const slot = L.slot;
  const int32_t ways = L.ways;
  const int32_t base = (L.setMask >= 0 ? (line & L.setMask) : (line % L.sets)) * ways;
  const double now = ++L.now;
  const int32_t held = L.slotOf(line);
  if (held >= 0) {
    slot[held].used = now;
    if (!wholeLine) sim.served = lv;
    if (write) {
      slot[held].dirty = 1;
      slot[held].owner = tensor;
    }
    return held;
  }
  const int32_t victim = ways == 8    ? leastUsed<8>(slot, base)
                         : ways == 16 ? leastUsed<16>(slot, base)
                                      : leastUsedOf(slot, base, ways);
  Slot& v = slot[victim];
  counts[c + MISSES]++;
  if (held == NEVER_SEEN) {
    counts[c + COMPULSORY]++;
  } else if (!shadowHit) {
    counts[c + CAPACITY]++;
  } else {
    counts[c + CONFLICT]++;
  }
  if (v.tag != -1 && v.dirty) {
    const int32_t owner = v.owner;
    counts[(lv * sim.tensors + owner) * N + WRITEBACKS]++;
    if (lv + 1 < sim.levels) reference(lv + 1, owner, true, true, v.tag);
  }
  if (!wholeLine) {
    counts[c + FILLS]++;
    if (lv + 1 < sim.levels) reference(lv + 1, tensor, false, false, line);
    else sim.served = sim.levels;
  }
  if (v.tag != -1) L.slotOf(v.tag) = ABSENT;
  L.slotOf(line) = victim;
  v.tag = line;
  v.used = now;
  v.dirty = write ? 1 : 0;
  v.owner = tensor;
  return victim;
}

// sim_replay's loop: most replayed lines hit the second level, so a hit is simulated here with the
// level's state in locals (what reference does for it); a miss goes through reference, with the
// locals handed back first. RECORDING: whether a recording is under way (with room for every line).
template <bool RECORDING>
void replayLines(const int32_t* records, int32_t length, const int64_t* shift, const int64_t* fixedFrom) {
  const uint64_t memoryLines = static_cast<uint64_t>(sim.lines);
  int32_t* const log = sim.recording;
  int32_t logLength = sim.recordingLength;
  Level& L = sim.level[1];
  int32_t* const perLine = L.perLine;
  Slot* const slots = L.slot;
  Shadow& S = L.shadow;
  int32_t* const queue = S.queue;
  const int32_t capacity = S.capacity, size = S.size;
  int32_t held = S.held, front = S.front, back = S.back;
  double now = L.now;
  int32_t hits[4] = {0, 0, 0, 0};
  for (int32_t i = 0; i < length; i += 2) {
    const int32_t code = records[i];
    const int32_t tensor = code & 3;
    const int64_t at = records[i + 1];
    const uint64_t moved = static_cast<uint64_t>(at >= fixedFrom[tensor] ? at : at + shift[tensor]);
    if (moved >= memoryLines) continue;
    const int32_t line = static_cast<int32_t>(moved);
    int32_t* const pair = perLine + 2 * line;
    const int32_t slot = pair[0];
    if (slot < 0) {
      sim.recordingLength = logLength;
      S.held = held;
      S.front = front;
      S.back = back;
      L.now = now;
      reference(1, tensor, (code & 4) != 0, (code & 8) != 0, line);
      logLength = sim.recordingLength;
      held = S.held;
      front = S.front;
      back = S.back;
      now = L.now;
      continue;
    }
    if (RECORDING) {
      log[logLength] = code & 15;
      log[logLength + 1] = line;
      logLength += 2;
    }
    hits[tensor]++;
    // The shadow's touch (Shadow::touch).
    const int32_t place = pair[1];
    if (place != back - 1 || place < 0) {
      if (place >= 0) {
        queue[place] = -1;
      } else if (held < capacity) {
        held++;
      } else {
        while (queue[front] < 0) front++;
        perLine[2 * queue[front++] + 1] = -1;
      }
      if (back == size) {
        S.front = front;
        S.back = back;
        S.compact();
        front = S.front;
        back = S.back;
      }
      pair[1] = back;
      queue[back++] = line;
    }
    Slot& hit = slots[slot];
    hit.used = ++now;
    // A write marks the slot dirty and its own (without a branch: writes and reads interleave).
    const int32_t write = (code >> 2) & 1;
    hit.dirty |= static_cast<uint8_t>(write);
    hit.owner = static_cast<uint8_t>(write ? tensor : hit.owner);
  }
  sim.recordingLength = logLength;
  S.held = held;
  S.front = front;
  S.back = back;
  L.now = now;
  for (int32_t t = 0; t < sim.tensors && t < 4; t++) sim.counts[(sim.tensors + t) * N + ACCESSES] += hits[t];
}

// The stream's emit: a list of (code, byte offset) pairs from the tensors' bases, each access
// simulated as CacheSimulator.accessBatch does (an L1 hit inlined), with its carry when the reuse
// is tracked. The hot state lives in locals for the loop (globals would be reloaded after every
// store through a counter pointer).
//
// `iterations` times, the bases moved by the deltas after each: a loop whose body is the list, an
// iteration of plan loop `level` starting before each (level -1: a list alone).
template <bool TRACK>
void emitList(const int32_t* list, int32_t pairs, double b0, double b1, double b2, int32_t iterations, double d0,
              double d1, double d2, int32_t level) {
  Level& L = sim.level[0];
  int32_t* const perLine = L.perLine;
  Slot* const slot = L.slot;
  Shadow& shadow = L.shadow;
  double* const counts = sim.counts;
  double* const lastTouch = sim.lastTouch;
  double* const reuse = sim.reuse;
  double* const iterationStart = sim.iterationStart;
  const int32_t innermost = sim.runtimeLoops - 1;
  const int32_t shift = sim.lineShift;
  const uint32_t lines = static_cast<uint32_t>(sim.lines);
  const int32_t slots = sim.levels + 1;
  int32_t lastLine = sim.lastLine;
  int32_t lastSlot = sim.lastSlot;
  double accesses = sim.accesses;
  double now = L.now;
  // L1 hits per tensor, added to the counters at the end (a counter in memory incremented by
  // every access would chain them all through store-to-load forwarding).
  int32_t hits[4] = {0, 0, 0, 0};
  for (int32_t iteration = 0; iteration < iterations && !sim.error; iteration++) {
    if (TRACK && level >= 0)
      for (int32_t l = level; l < sim.runtimeLoops; l++) iterationStart[l] = accesses;
    // When the innermost loop's current iteration began (a touch since then is carried by the tile).
    const double tileStart = TRACK && innermost >= 0 ? iterationStart[innermost] : -1;
    const uint32_t base[4] = {static_cast<uint32_t>(b0 + iteration * d0), static_cast<uint32_t>(b1 + iteration * d1),
                              static_cast<uint32_t>(b2 + iteration * d2), 0};
    for (int32_t i = 0; i < pairs; i++) {
      const int32_t code = list[2 * i];
      const int32_t tensor = code & 3;
      const bool write = (code & 4) != 0;
      const uint32_t address = base[tensor] + static_cast<uint32_t>(list[2 * i + 1]);
      const uint32_t first = address >> shift;
      const uint32_t last = (address + static_cast<uint32_t>(code >> 3) - 1) >> shift;
      if (last >= lines) {
        sim.error = 1;
        break;
      }
      int32_t carry = 0;
      if (TRACK) {
        const double before = lastTouch[first];
        carry = CARRY_FIRST;
        if (before < 0) {
        } else if (before >= tileStart) {
          carry = CARRY_TILE;
        } else {
          int32_t l = innermost - 1;
          while (l >= 0 && iterationStart[l] > before) l--;
          carry = l + 1;
        }
        lastTouch[first] = accesses;
      }
      accesses++;
      int32_t served = 0;
      for (uint32_t ln = first; ln <= last; ln++) {
        const int32_t line = static_cast<int32_t>(ln);
        if (line != lastLine) {
          lastLine = line;
          const int32_t at = perLine[2 * line];
          if (at < 0) {
            sim.served = 0;
            L.now = now;
            lastSlot = reference(0, tensor, write, false, line);
            now = L.now;
            if (ln == first) served = sim.served;
            continue;
          }
          lastSlot = at;
          slot[at].used = ++now;
          if (perLine[2 * line + 1] != shadow.back - 1) shadow.touch(line);
        }
        hits[tensor]++;
        if (write) {
          slot[lastSlot].dirty = 1;
          slot[lastSlot].owner = tensor;
        }
      }
      if (TRACK) reuse[(tensor * 256 + carry) * slots + served]++;
    }
  }
  for (int32_t t = 0; t < sim.tensors; t++) counts[t * N + ACCESSES] += hits[t];
  sim.lastLine = lastLine;
  sim.lastSlot = lastSlot;
  sim.accesses = accesses;
  L.now = now;
}

void emit(const int32_t* list, int32_t pairs, double b0, double b1, double b2, int32_t iterations = 1, double d0 = 0,
          double d1 = 0, double d2 = 0, int32_t level = -1) {
  if (sim.lastTouch) emitList<true>(list, pairs, b0, b1, b2, iterations, d0, d1, d2, level);
  else emitList<false>(list, pairs, b0, b1, b2, iterations, d0, d1, d2, level);
}

void startIteration(int32_t l) {
  for (int32_t i = l; i < sim.runtimeLoops; i++) sim.iterationStart[i] = sim.accesses;
}

void exec(int32_t node, double b0, double b1, double b2) {
  const int32_t* n = sim.program + node;
  switch (n[0]) {
    case LOOP: {
      const int32_t l = n[1], count = n[2], body = n[6], tail = n[7];
      const double d0 = n[3], d1 = n[4], d2 = n[5];
      const int32_t* inner = sim.program + body;
      if (body >= 0 && inner[0] == LIST)
        emit(sim.lists + inner[1], inner[2], b0, b1, b2, count, d0, d1, d2, l);
      else if (body >= 0)
        for (int32_t i = 0; i < count && !sim.error; i++) {
          startIteration(l);
          exec(body, b0 + i * d0, b1 + i * d1, b2 + i * d2);
        }
      if (tail >= 0 && !sim.error) {
        startIteration(l);
        exec(tail, b0 + count * d0, b1 + count * d1, b2 + count * d2);
      }
      break;
    }
    case REGION:
      exec(n[1], b0, b1, b2);
      if (!sim.error) exec(n[2], b0, b1, b2);
      break;
    case LIST:
      emit(sim.lists + n[1], n[2], b0, b1, b2);
      break;
    case COPY: {
      // A pack's copy of input n[1]: loads from its pointer, stores into its place in the scratch.
      const int32_t tensor = n[1];
      const double from = tensor == 1 ? b1 : b2;
      const double to = sim.scratch + n[4];
      const int32_t* list = sim.lists + n[2];
      for (int32_t i = 0; i < n[3] && !sim.error; i++) {
        const double base = (list[2 * i] & 4) ? to : from;
        emit(list + 2 * i, 1, tensor == 0 ? base : 0, tensor == 1 ? base : 0, tensor == 2 ? base : 0);
      }
      break;
    }
    case PACK: {
      double c1 = b1, c2 = b2;
      for (int32_t i = 0; i < n[2] && !sim.error; i++) {
        const int32_t copy = n[3 + i];
        exec(copy, b0, b1, b2);
        const int32_t* c = sim.program + copy;
        if (c[1] == 1) c1 = sim.scratch + c[4];
        else c2 = sim.scratch + c[4];
      }
      if (!sim.error) exec(n[1], b0, c1, c2);
      break;
    }
    default:
      sim.error = 2;
  }
}

void freeLevel(Level& L) {
  free(L.slot);
  free(L.perLine);
  free(L.shadow.queue);
  free(L.fillSets);
  free(L.fillFixed);
  free(L.fillMoving);
  free(L.setSince);
  L = Level();
}


// Drops from L the lines not referenced since sinceAt(slot) (of the tensors that move), and from
// its shadow what is older.
template <typename SinceAt>
void forgetOlderWhere(Level& L, SinceAt sinceAt, int32_t moving, int32_t movingMask, double f0, double f1, double f2) {
  const double fixedFrom[3] = {f0, f1, f2};
  const double bytes = sim.lineBytes;
  auto stays = [&](int32_t at) {
    const Slot& s = L.slot[at];
    if (s.used > sinceAt(at)) return true;
    if (!moving) return false;
    return !(movingMask & (1 << s.owner)) || static_cast<double>(s.tag) * bytes >= fixedFrom[s.owner];
  };
  // The shadow keeps its newest lines down to the first one the level would drop (retainWhile):
  // the older ones go as the oldest would, which leaves the order of the rest as it was.
  Shadow& S = L.shadow;
  int32_t kept = 0;
  for (int32_t at = S.back - 1; at >= S.front; at--) {
    const int32_t line = S.queue[at];
    if (line < 0) continue;
    const int32_t slot = L.slotOf(line);
    if (!(slot < 0 || stays(slot))) break;
    kept++;
  }
  for (; S.held > kept; S.held--) S.dropOldest();
  const int32_t slots = L.sets * L.ways;
  for (int32_t at = 0; at < slots; at++) {
    const int32_t line = L.slot[at].tag;
    if (line == -1 || stays(at)) continue;
    L.slotOf(line) = ABSENT;
    L.slot[at].tag = -1;
    L.slot[at].dirty = 0;
    L.slot[at].used = 0;
  }
  sim.lastLine = -1;
}

}  // namespace

extern "C" {

void sim_destroy() {
  for (int32_t i = 0; i < sim.levels; i++) freeLevel(sim.level[i]);
  free(sim.counts);
  free(sim.reuse);
  free(sim.lastTouch);
  free(sim.iterationStart);
  free(sim.recording);
  for (int32_t i = 0; i < sim.keptCount; i++) free(sim.kept[i]);
  free(sim.spare);
  free(sim.marks);
  free(sim.touchSeen);
  free(sim.touchAt);
  free(sim.fillStamp);
  sim = Sim();
}

// levelSpec: (bytes, ways) per level; the configuration was checked by config.ts. Returns 0, or 1
// when memory ran out.
int32_t sim_create(int32_t lineBytes, int32_t levels, const int32_t* levelSpec, int32_t tensors, int32_t lines,
                   int32_t trackReuse, int32_t runtimeLoops) {
  sim_destroy();
  if (levels < 1 || levels > MAX_LEVELS) return 2;
  sim.levels = levels;
  sim.tensors = tensors;
  sim.lineBytes = lineBytes;
  sim.lineShift = 0;
  while ((1 << sim.lineShift) < lineBytes) sim.lineShift++;
  sim.lines = lines;
  bool ok = true;
  for (int32_t i = 0; i < levels; i++) {
    Level& L = sim.level[i];
    L.ways = levelSpec[2 * i + 1];
    L.sets = levelSpec[2 * i] / (lineBytes * L.ways);
    const int32_t slots = L.sets * L.ways;
    L.setMask = (L.sets & (L.sets - 1)) == 0 ? L.sets - 1 : -1;
    L.slot = allocate<Slot>(slots);
    L.fillSets = allocate<uint8_t>(L.sets);
    L.fillFixed = allocate<int32_t>(L.sets);
    L.fillMoving = allocate<int32_t>(L.sets);
    L.setSince = allocate<double>(L.sets);
    ok = ok && L.fillSets && L.fillFixed && L.fillMoving && L.setSince;
    L.perLine = allocate<int32_t>(2 * static_cast<size_t>(lines));
    L.shadow.capacity = slots;
    L.shadow.perLine = L.perLine;
    L.shadow.size = 4 * slots;
    L.shadow.queue = allocate<int32_t>(L.shadow.size);
    ok = ok && L.slot && L.perLine && L.shadow.queue;
    if (!ok) break;
    for (int32_t at = 0; at < slots; at++) L.slot[at].tag = -1;
    for (int32_t line = 0; line < lines; line++) {
      L.perLine[2 * line] = NEVER_SEEN;
      L.perLine[2 * line + 1] = -1;
    }
  }
  sim.countsLength = levels * tensors * N;
  sim.reuseLength = tensors * 256 * (levels + 1);
  sim.counts = allocate<double>(sim.countsLength);
  sim.reuse = allocate<double>(sim.reuseLength);
  sim.runtimeLoops = runtimeLoops;
  sim.iterationStart = allocate<double>(runtimeLoops);
  ok = ok && sim.counts && sim.reuse && sim.iterationStart;
  if (ok && trackReuse) {
    sim.lastTouch = allocate<double>(lines);
    ok = sim.lastTouch != nullptr;
    if (ok)
      for (int32_t i = 0; i < lines; i++) sim.lastTouch[i] = -1;
  }
  if (ok)
    for (int32_t i = 0; i < runtimeLoops; i++) sim.iterationStart[i] = -1;
  if (!ok) {
    sim_destroy();
    return 1;
  }
  return 0;
}

double* sim_counts() { return sim.counts; }
int32_t sim_counts_length() { return sim.countsLength; }
double* sim_reuse() { return sim.reuse; }
int32_t sim_reuse_length() { return sim.reuseLength; }
double sim_accesses() { return sim.accesses; }

// The program (accessStream.ts's `program`): its first word is how many words of nodes follow;
// the lists of (code, offset) pairs come after the nodes. It must outlive the runs.
void sim_program(const int32_t* program, double scratch) {
  sim.program = program + 1;
  sim.lists = program + 1 + program[0];
  sim.scratch = scratch;
}

void sim_start_iteration(int32_t level) { startIteration(level); }

// Runs a node of the program at these base addresses. 0, or 1 when an address lies outside the
// simulated memory.
int32_t sim_exec(int32_t node, double b0, double b1, double b2) {
  exec(node, b0, b1, b2);
  return sim.error;
}

// The sampler's side (simulator.ts's record, recorded, replay, mark, forgetOlder, writeBackFirst).
// simulator.ts's lastTouches, in place: each line once, at its last touch, in the order of those;
// written when any touch wrote it (by the last writer), a whole-line write-back only when every
// touch was one. Returns the new length in words (0 when the scratch cannot be had: then `length`).
int32_t lastTouches(int32_t* records, int32_t length) {
  if (!sim.touchSeen) {
    sim.touchSeen = allocate<int32_t>(sim.lines);
    sim.touchAt = allocate<int32_t>(sim.lines);
    if (!sim.touchSeen || !sim.touchAt) return length;
  }
  const int32_t stamp = ++sim.touchStamp;
  int32_t* const seen = sim.touchSeen;
  int32_t* const at = sim.touchAt;
  // Going back from the end, kept pairs are written from the end of the buffer down: a kept pair
  // lands at or after the pair it comes from, so nothing unread is overwritten.
  int32_t top = length;
  for (int32_t i = length - 2; i >= 0; i -= 2) {
    const int32_t code = records[i];
    const int32_t line = records[i + 1];
    if (seen[line] != stamp) {
      seen[line] = stamp;
      top -= 2;
      at[line] = top;
      records[top] = code;
      records[top + 1] = line;
      continue;
    }
    const int32_t k = at[line];
    const int32_t merged = records[k];
    // Going back, the first write met is the last one: its tensor owns the line.
    const int32_t writer = (merged & 4) ? (merged & 3) : (code & 4) ? (code & 3) : (merged & 3);
    records[k] = writer | ((merged | code) & 4) | (merged & code & 8);
  }
  memmove(records, records + top, (length - top) * sizeof(int32_t));
  return length - top;
}

// Recordings nest: each sim_record starts one inside those under way, and sim_recorded ends the
// innermost, which the ones around it keep recording too. Returns 0, or 1 when nested too deep.
int32_t sim_record() {
  if (sim.recordingDepth == MAX_RECORDINGS) return 1;
  if (sim.recordingDepth == 0) {
    sim.recordingLength = 0;
    if (!sim.recording && sim.spare) {
      sim.recording = sim.spare;
      sim.recordingCapacity = sim.spareCapacity;
      sim.spare = nullptr;
      sim.spareCapacity = 0;
    }
  }
  sim.recordingStarts[sim.recordingDepth++] = sim.recordingLength;
  sim.recordingOn = true;
  return 0;
}

// Ends the innermost recording and keeps a copy of it (sim_recorded_length words) until
// sim_release; null when none is under way or memory ran out.
int32_t* sim_recorded() {
  sim.lastRecordedLength = 0;
  if (sim.recordingDepth == 0 || sim.keptCount == MAX_KEPT) return nullptr;
  const int32_t start = sim.recordingStarts[--sim.recordingDepth];
  sim.recordingOn = sim.recordingDepth > 0;
  const int32_t length = sim.recordingLength - start;
  int32_t* copy;
  int32_t capacity = length;
  if (sim.recordingDepth == 0 && start == 0 && length > 0) {
    copy = sim.recording;
    capacity = sim.recordingCapacity;
    sim.recording = nullptr;
    sim.recordingCapacity = 0;
    sim.recordingLength = 0;
  } else {
    copy = static_cast<int32_t*>(malloc((length > 0 ? length : 1) * sizeof(int32_t)));
    if (!copy) return nullptr;
    if (length > 0) memcpy(copy, sim.recording + start, length * sizeof(int32_t));
  }
  sim.keptCapacity[sim.keptCount] = capacity;
  sim.kept[sim.keptCount++] = copy;
  sim.lastRecordedLength = length;
  return copy;
}
int32_t sim_recorded_length() { return sim.lastRecordedLength; }

// A recording from sim_recorded with each line once (lastTouches), in place: done when it is first
// used, most being released unused. Returns its new length in words.
int32_t sim_last_touches(int32_t* records, int32_t length) { return length > 0 ? lastTouches(records, length) : 0; }

void sim_release(int32_t* recorded) {
  for (int32_t i = 0; i < sim.keptCount; i++)
    if (sim.kept[i] == recorded) {
      if (sim.keptCapacity[i] > sim.spareCapacity) {
        free(sim.spare);
        sim.spare = recorded;
        sim.spareCapacity = sim.keptCapacity[i];
      } else {
        free(recorded);
      }
      sim.keptCount--;
      sim.kept[i] = sim.kept[sim.keptCount];
      sim.keptCapacity[i] = sim.keptCapacity[sim.keptCount];
      return;
    }
}

// Lines are moved by whole lines (`line * bytes + shift` floored to a line is `line` plus `shift`
// floored to lines); a line at or past fixedFrom bytes stays.
void sim_replay(const int32_t* records, int32_t length, double s0, double s1, double s2, double f0, double f1,
                double f2) {
  if (sim.levels < 2) return;
  const double bytes = sim.lineBytes;
  // In lines, as integers: clamped far beyond any line, which changes no comparison below.
  constexpr double FAR = 1099511627776.0;  // 2^40
  auto lines = [&](double v) { return static_cast<int64_t>(v < -FAR ? -FAR : v > FAR ? FAR : v); };
  const int64_t shift[4] = {lines(floor(s0 / bytes)), lines(floor(s1 / bytes)), lines(floor(s2 / bytes)), 0};
  // The first line at or past fixedFrom (lines beyond the memory: none is).
  const int64_t fixedFrom[4] = {lines(ceil(f0 / bytes)), lines(ceil(f1 / bytes)), lines(ceil(f2 / bytes)), 0};
  if (sim.recordingOn) {
    // Every replayed line is recorded at most once (deeper levels record nothing): room for all first.
    if (sim.recordingLength + length > sim.recordingCapacity) {
      int32_t capacity = sim.recordingCapacity > 0 ? sim.recordingCapacity : 4096;
      while (capacity < sim.recordingLength + length) capacity *= 2;
      sim.recording = static_cast<int32_t*>(realloc(sim.recording, capacity * sizeof(int32_t)));
      sim.recordingCapacity = capacity;
    }
    replayLines<true>(records, length, shift, fixedFrom);
  } else {
    replayLines<false>(records, length, shift, fixedFrom);
  }
}

// `count` replays in a row, step r shifted by `delta` times (firstStep + r) bytes per tensor (what
// the sampler's loop moves over as many iterations): sim_replay count times, in one call. Returns
// the marks (sim_mark of every level) at the start of each step, `levels` per step, valid until
// the next call; null when memory ran out.
double* sim_replay_run(const int32_t* records, int32_t length, int32_t firstStep, int32_t count, double d0, double d1,
                       double d2, double f0, double f1, double f2) {
  const int32_t need = count * sim.levels;
  if (need > sim.marksCapacity) {
    int32_t capacity = sim.marksCapacity > 0 ? sim.marksCapacity : 256;
    while (capacity < need) capacity *= 2;
    double* grown = static_cast<double*>(realloc(sim.marks, capacity * sizeof(double)));
    if (!grown) return nullptr;
    sim.marks = grown;
    sim.marksCapacity = capacity;
  }
  for (int32_t r = 0; r < count; r++) {
    for (int32_t l = 0; l < sim.levels; l++) sim.marks[r * sim.levels + l] = sim.level[l].now;
    const double steps = static_cast<double>(firstStep + r);
    sim_replay(records, length, d0 * steps, d1 * steps, d2 * steps, f0, f1, f2);
  }
  return sim.marks;
}

double sim_mark(int32_t level) { return sim.level[level].now; }

// forgetOlder for one level: `moving` 0 forgets every line not used since `since`; otherwise only
// those of tensors flagged in movingMask (bit per tensor) below fixedFrom.
// Marks the sets of level `lv` that the recorded lines fall in, moved by delta times r bytes per
// tensor for r in [firstStep, firstStep + steps) (lines at or past fixedFrom stay): where the
// iterations a sampler skips bring their lines. Returns how many sets that is; sim_forget_older
// with `inFillSets` then forgets only there.
int32_t sim_mark_fill_sets(int32_t lv, const int32_t* records, int32_t length, int32_t firstStep, int32_t steps,
                           double d0, double d1, double d2, double f0, double f1, double f2, int32_t countLines) {
  Level& L = sim.level[lv];
  memset(L.fillSets, 0, L.sets);
  L.fillSetsMarked = true;
  const double bytes = sim.lineBytes;
  const double delta[4] = {d0, d1, d2, 0};
  const double fixedFrom[4] = {f0, f1, f2, 0};
  const double end = static_cast<double>(sim.lines) * bytes;
  int32_t marked = 0;
  if (!countLines) {
    for (int32_t r = firstStep; r < firstStep + steps && marked < L.sets; r++)
      for (int32_t i = 0; i < length && marked < L.sets; i += 2) {
        const int32_t tensor = records[i] & 3;
        const double at = static_cast<double>(records[i + 1]) * bytes;
        const double moved = at >= fixedFrom[tensor] ? at : at + delta[tensor] * r;
        if (moved < 0 || moved >= end) continue;
        const int32_t set = L.setOf(static_cast<int32_t>(floor(moved / bytes)));
        if (!L.fillSets[set]) {
          L.fillSets[set] = 1;
          marked++;
        }
      }
    return marked;
  }
  memset(L.fillFixed, 0, L.sets * sizeof(int32_t));
  memset(L.fillMoving, 0, L.sets * sizeof(int32_t));
  L.fillSteps = steps;
  if (!sim.fillStamp) {
    sim.fillStamp = allocate<int32_t>(sim.lines);
    if (!sim.fillStamp) return 0;
  }
  const int32_t stamp = ++sim.fillStampNow;
  for (int32_t i = 0; i < length; i += 2) {
    const int32_t tensor = records[i] & 3;
    const double at = static_cast<double>(records[i + 1]) * bytes;
    const bool stays = at >= fixedFrom[tensor] || delta[tensor] == 0;
    for (int32_t r = firstStep; r < (stays ? firstStep + 1 : firstStep + steps); r++) {
      const double moved = stays ? at : at + delta[tensor] * r;
      if (moved < 0 || moved >= end) continue;
      const int32_t line = static_cast<int32_t>(floor(moved / bytes));
      if (sim.fillStamp[line] == stamp) continue;
      sim.fillStamp[line] = stamp;
      const int32_t set = L.setOf(line);
      if (stays) L.fillFixed[set]++;
      else L.fillMoving[set]++;
      if (!L.fillSets[set]) {
        L.fillSets[set] = 1;
        marked++;
      }
    }
  }
  return marked;
}

void sim_forget_older(int32_t lv, double since, int32_t moving, int32_t movingMask, double f0, double f1, double f2,
                      int32_t inFillSets) {
  Level& L = sim.level[lv];
  const bool masked = inFillSets && L.fillSetsMarked;
  forgetOlderWhere(
      L, [&](int32_t at) { return masked && !L.fillSets[at / L.ways] ? -INFINITY : since; }, moving, movingMask, f0,
      f1, f2);
}

// simulator.ts's forgetOlderBySet: `since` holds the marks 0 .. length - 1 iterations back.
void sim_forget_older_by_set(int32_t lv, const double* since, int32_t length, double steps, int32_t moving,
                             int32_t movingMask, double f0, double f1, double f2) {
  Level& L = sim.level[lv];
  for (int32_t set = 0; set < L.sets; set++) {
    int32_t back = 0;
    double mark = -INFINITY;
    const int32_t fixed = L.fillFixed[set], mover = L.fillMoving[set];
    if (fixed < L.ways) {
      if (mover == 0) {
        L.setSince[set] = mark;
        continue;
      }
      back = static_cast<int32_t>(ceil(static_cast<double>(L.ways - fixed) * (steps > 0 ? steps : L.fillSteps) / mover));
    }
    if (back < length) mark = since[back];
    L.setSince[set] = mark;
  }
  const int32_t ways = L.ways;
  forgetOlderWhere(L, [&](int32_t at) { return L.setSince[at / ways]; }, moving, movingMask, f0, f1, f2);
}

void sim_write_back_first() {
  if (sim.levels < 2) return;
  Level& L = sim.level[0];
  const int32_t slots = L.sets * L.ways;
  for (int32_t at = 0; at < slots; at++)
    if (L.slot[at].tag != -1 && L.slot[at].dirty) {
      reference(1, L.slot[at].owner, true, true, L.slot[at].tag);
      L.slot[at].dirty = 0;
    }
}

}  // extern "C"
