/**
 * Groups of duplicates: the connected components of the pairs above the threshold (union-find with path halving and
 * union by size). Transitivity can chain different people through weak links (A~B and B~C, but A and C share
 * nothing), so each group of three or more is checked: it is flagged `chained` when two of its members are more
 * than two links apart, i.e. when the group is not held together by one central record or a dense set of links.
 */

export class UnionFind {
  private readonly parent: Int32Array;
  private readonly size: Int32Array;
  constructor(n: number) {
    this.parent = Int32Array.from({ length: n }, (_, i) => i);
    this.size = new Int32Array(n).fill(1);
  }
  find(x: number): number {
    const p = this.parent;
    while (p[x] !== x) {
      p[x] = p[p[x]!]!;
      x = p[x]!;
    }
    return x;
  }
  union(a: number, b: number): boolean {
    let ra = this.find(a);
    let rb = this.find(b);
    if (ra === rb) return false;
    if (this.size[ra]! < this.size[rb]!) [ra, rb] = [rb, ra];
    this.parent[rb] = ra;
    this.size[ra]! += this.size[rb]!;
    return true;
  }
}

export interface Cluster {
  /** Record indexes, ascending. */
  readonly members: readonly number[];
  /** Pairs above the threshold inside the group. */
  readonly links: number;
  /** Two members are more than two links apart (not checked above maxCheckedSize members: then always true). */
  readonly chained: boolean;
}

/** Groups (two or more records) linked by the given pairs. */
export function clusterPairs(n: number, a: ArrayLike<number>, b: ArrayLike<number>, maxCheckedSize = 200): Cluster[] {
  const uf = new UnionFind(n);
  for (let i = 0; i < a.length; i++) uf.union(a[i]!, b[i]!);
  const byRoot = new Map<number, { members: number[]; edges: [number, number][] }>();
  const groupOf = (r: number) => {
    const root = uf.find(r);
    let g = byRoot.get(root);
    if (g === undefined) {
      g = { members: [], edges: [] };
      byRoot.set(root, g);
    }
    return g;
  };
  for (let i = 0; i < a.length; i++) groupOf(a[i]!).edges.push([a[i]!, b[i]!]);
  const seen = new Uint8Array(n);
  for (let i = 0; i < a.length; i++) {
    for (const r of [a[i]!, b[i]!]) {
      if (seen[r] === 0) {
        seen[r] = 1;
        groupOf(r).members.push(r);
      }
    }
  }
  const out: Cluster[] = [];
  for (const g of byRoot.values()) {
    g.members.sort((x, y) => x - y);
    out.push({ members: g.members, links: g.edges.length, chained: g.members.length > maxCheckedSize || diameterAbove(g.members, g.edges, 2) });
  }
  return out.sort((x, y) => y.members.length - x.members.length || x.members[0]! - y.members[0]!);
}

/** True when some two members are more than `limit` links apart (breadth-first search from each member). */
function diameterAbove(members: readonly number[], edges: readonly [number, number][], limit: number): boolean {
  if (members.length <= limit + 1) return false;
  const adj = new Map<number, number[]>(members.map((m) => [m, []]));
  for (const [x, y] of edges) {
    adj.get(x)!.push(y);
    adj.get(y)!.push(x);
  }
  for (const start of members) {
    const dist = new Map<number, number>([[start, 0]]);
    let frontier = [start];
    for (let d = 1; d <= limit && frontier.length > 0; d++) {
      const next: number[] = [];
      for (const v of frontier) {
        for (const w of adj.get(v)!) {
          if (!dist.has(w)) {
            dist.set(w, d);
            next.push(w);
          }
        }
      }
      frontier = next;
    }
    if (dist.size < members.length) return true;
  }
  return false;
}
