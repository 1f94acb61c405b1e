// A fully associative LRU cache of `capacity` lines, O(1) per reference: a table from line number
// to node and a doubly linked recency list, all in typed arrays (no allocation per reference).
// The simulator runs one beside each level to tell capacity misses from conflict misses.

export class FullyAssociativeLru {
  private readonly nodeOf: Int32Array;
  private readonly lineOf: Int32Array;
  private readonly prev: Int32Array;
  private readonly next: Int32Array;
  private head = -1;
  private tail = -1;
  private used = 0;

  /** `lines`: how many distinct line numbers can occur (0 .. lines-1). */
  constructor(
    readonly capacity: number,
    lines: number,
  ) {
    this.nodeOf = new Int32Array(lines).fill(-1);
    this.lineOf = new Int32Array(capacity);
    this.prev = new Int32Array(capacity);
    this.next = new Int32Array(capacity);
  }

  /**
   * Keeps the most recent lines as long as `keep` says so, forgets the first one it refuses and
   * every older line.
   */
  retainWhile(keep: (line: number) => boolean): void {
    const kept: number[] = [];
    for (let node = this.head; node >= 0; node = this.next[node]) {
      if (!keep(this.lineOf[node])) break;
      kept.push(this.lineOf[node]);
    }
    for (let node = this.head; node >= 0; node = this.next[node]) this.nodeOf[this.lineOf[node]] = -1;
    this.head = -1;
    this.tail = -1;
    this.used = 0;
    for (let i = kept.length - 1; i >= 0; i--) this.touch(kept[i]);
  }

  /** References `line`; true when it was resident (a hit). It becomes the most recently used. */
  touch(line: number): boolean {
    let node = this.nodeOf[line];
    if (node >= 0) {
      if (node !== this.head) {
        this.unlink(node);
        this.pushFront(node);
      }
      return true;
    }
    if (this.used < this.capacity) {
      node = this.used++;
    } else {
      node = this.tail;
      this.unlink(node);
      this.nodeOf[this.lineOf[node]] = -1;
    }
    this.lineOf[node] = line;
    this.nodeOf[line] = node;
    this.pushFront(node);
    return false;
  }

  private unlink(node: number): void {
    const p = this.prev[node];
    const n = this.next[node];
    if (p >= 0) this.next[p] = n;
    else this.head = n;
    if (n >= 0) this.prev[n] = p;
    else this.tail = p;
  }

  private pushFront(node: number): void {
    this.prev[node] = -1;
    this.next[node] = this.head;
    if (this.head >= 0) this.prev[this.head] = node;
    this.head = node;
    if (this.tail < 0) this.tail = node;
  }
}
