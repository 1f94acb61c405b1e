// A fully associative LRU cache of `capacity` lines, O(1) amortized per reference and no
// allocation per reference. The simulator runs one beside each level to tell capacity misses from
// conflict misses, and touches it on every reference, so it is kept to a few array operations:
//
// Every reference appends the line to a log and stamps the line with its position there. A line
// is resident when its stamp is at or after `tail`, the oldest position that may still hold a
// resident line; an entry of the log is stale once its line has a later stamp. When a new line
// makes the cache overflow, `tail` moves past the stale entries to the least recently used
// resident line and past it: that line is evicted. When the log's window (a ring) is full, the
// resident lines are copied, oldest first, to fresh positions after the newest.

export class FullyAssociativeLru {
  /** Per line number, its last position in the log (-1 never referenced). */
  private readonly stamp: Float64Array;
  private readonly ring: Int32Array;
  private readonly mask: number;
  private head = 0;
  private tail = 0;
  private resident = 0;

  /** `lines`: how many distinct line numbers can occur (0 .. lines-1). */
  constructor(
    readonly capacity: number,
    lines: number,
  ) {
    this.stamp = new Float64Array(lines).fill(-1);
    let size = 16;
    while (size < 4 * capacity) size *= 2;
    this.ring = new Int32Array(size);
    this.mask = size - 1;
  }

  /** References `line`; true when it was resident (a hit). It becomes the most recently used. */
  touch(line: number): boolean {
    if (this.head - this.tail > this.mask) this.compact();
    const stamp = this.stamp;
    const hit = stamp[line] >= this.tail;
    const at = this.head++;
    this.ring[at & this.mask] = line;
    stamp[line] = at;
    if (!hit && ++this.resident > this.capacity) this.evict();
    return hit;
  }

  /** Drops the least recently used resident line. */
  private evict(): void {
    const { ring, stamp, mask } = this;
    let t = this.tail;
    while (stamp[ring[t & mask]] !== t) t++;
    this.tail = t + 1;
    this.resident--;
  }

  /** Moves the resident lines, in recency order, to the newest positions: the window shrinks to them. */
  private compact(): void {
    const { ring, stamp, mask } = this;
    const end = this.head;
    let to = end;
    for (let t = this.tail; t < end; t++) {
      const line = ring[t & mask];
      if (stamp[line] !== t) continue;
      ring[to & mask] = line;
      stamp[line] = to++;
    }
    this.tail = end;
    this.head = to;
  }
}
