/** A binary min-heap keyed by a number: the live engine's timer queue. */
export class MinHeap<T> {
  private readonly keys: number[] = [];
  private readonly items: T[] = [];

  get size(): number {
    return this.keys.length;
  }

  peekKey(): number {
    return this.keys.length > 0 ? (this.keys[0] as number) : Number.POSITIVE_INFINITY;
  }

  push(key: number, item: T): void {
    const k = this.keys;
    const it = this.items;
    let i = k.length;
    k.push(key);
    it.push(item);
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if ((k[parent] as number) <= key) break;
      k[i] = k[parent] as number;
      it[i] = it[parent] as T;
      i = parent;
    }
    k[i] = key;
    it[i] = item;
  }

  pop(): { key: number; item: T } | undefined {
    const k = this.keys;
    const it = this.items;
    if (k.length === 0) return undefined;
    const top = { key: k[0] as number, item: it[0] as T };
    const lastKey = k.pop() as number;
    const lastItem = it.pop() as T;
    const n = k.length;
    if (n > 0) {
      let i = 0;
      for (;;) {
        const l = 2 * i + 1;
        if (l >= n) break;
        const r = l + 1;
        const c = r < n && (k[r] as number) < (k[l] as number) ? r : l;
        if ((k[c] as number) >= lastKey) break;
        k[i] = k[c] as number;
        it[i] = it[c] as T;
        i = c;
      }
      k[i] = lastKey;
      it[i] = lastItem;
    }
    return top;
  }

  clear(): void {
    this.keys.length = 0;
    this.items.length = 0;
  }
}
