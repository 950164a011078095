/** Contour lines of a function sampled on a grid (marching squares), as polylines for line marks. */

/** f sampled at xs[j], ys[i]: values[i * xs.length + j]. */
export interface Grid {
  xs: number[];
  ys: number[];
  values: Float64Array;
}

export interface ContourLine {
  level: number;
  points: [number, number][];
}

/**
 * `count` levels between the grid's minimum and a high quantile (the far corners of a view would
 * otherwise take every level); log-spaced above the minimum when `log` (values spanning decades).
 */
export function contourLevels(values: Float64Array, count: number, log = false): number[] {
  const finite = Array.from(values)
    .filter(Number.isFinite)
    .sort((a, b) => a - b);
  if (finite.length === 0) return [];
  const lo = finite[0];
  const hi = finite[Math.floor(0.9 * (finite.length - 1))];
  if (!(hi > lo)) return [];
  return Array.from({ length: count }, (_, k) => {
    const t = (k + 1) / (count + 1);
    return log ? lo + (hi - lo) * ((Math.exp(t * Math.log(1e3)) - 1) / (1e3 - 1)) : lo + (hi - lo) * t;
  });
}

/** The point on a cell edge where f crosses `level` (linear interpolation between the corners). */
const cross = (level: number, a: number, b: number) => (a === b ? 0.5 : (level - a) / (b - a));

/** The polylines where f = level, chained from marching-squares segments through shared edge points. */
export function contourLines(grid: Grid, level: number): ContourLine[] {
  const { xs, ys, values } = grid;
  const nx = xs.length;
  const at = (i: number, j: number) => values[i * nx + j];
  // Edge keys: "h i j" is the edge from (i, j) to (i, j+1); "v i j" from (i, j) to (i+1, j).
  const pointOf = new Map<string, [number, number]>();
  const neighbours = new Map<string, string[]>();
  const edgePoint = (key: string, i: number, j: number, horizontal: boolean) => {
    if (!pointOf.has(key)) {
      const [i2, j2] = horizontal ? [i, j + 1] : [i + 1, j];
      const t = cross(level, at(i, j), at(i2, j2));
      pointOf.set(key, [xs[j] + t * (xs[j2] - xs[j]), ys[i] + t * (ys[i2] - ys[i])]);
    }
    return key;
  };
  const link = (a: string, b: string) => {
    neighbours.set(a, [...(neighbours.get(a) ?? []), b]);
    neighbours.set(b, [...(neighbours.get(b) ?? []), a]);
  };
  for (let i = 0; i + 1 < ys.length; i++) {
    for (let j = 0; j + 1 < nx; j++) {
      const corners = [at(i, j), at(i, j + 1), at(i + 1, j + 1), at(i + 1, j)];
      if (!corners.every(Number.isFinite)) continue;
      // Edges in cyclic order: bottom, right, top, left; an edge is crossed when its corners straddle the level.
      const edges: [string, number, number, boolean][] = [
        [`h ${i} ${j}`, i, j, true],
        [`v ${i} ${j + 1}`, i, j + 1, false],
        [`h ${i + 1} ${j}`, i + 1, j, true],
        [`v ${i} ${j}`, i, j, false],
      ];
      const crossed = edges
        .filter((_, e) => corners[e] >= level !== corners[(e + 1) % 4] >= level)
        .map(([key, a, b, h]) => edgePoint(key, a, b, h));
      if (crossed.length === 2) link(crossed[0], crossed[1]);
      else if (crossed.length === 4) {
        // Saddle cell: the centre's side decides which pairs join.
        const centreAbove = corners.reduce((s, v) => s + v, 0) / 4 >= level;
        const firstAbove = corners[0] >= level;
        if (centreAbove === firstAbove) link(crossed[0], crossed[1]), link(crossed[2], crossed[3]);
        else link(crossed[0], crossed[3]), link(crossed[1], crossed[2]);
      }
    }
  }
  const lines: ContourLine[] = [];
  const visited = new Set<string>();
  const walk = (start: string) => {
    const keys = [start];
    visited.add(start);
    for (let current = start; ; ) {
      const next = (neighbours.get(current) ?? []).find((k) => !visited.has(k));
      if (!next) break;
      visited.add(next);
      keys.push(next);
      current = next;
    }
    // Close a loop back to its start.
    if (keys.length > 2 && (neighbours.get(keys[keys.length - 1]) ?? []).includes(start)) keys.push(start);
    return keys;
  };
  // Open lines first (from their ends, which have one neighbour), then closed loops.
  for (const [key, next] of neighbours)
    if (next.length === 1 && !visited.has(key)) lines.push({ level, points: walk(key).map((k) => pointOf.get(k)!) });
  for (const key of neighbours.keys())
    if (!visited.has(key)) lines.push({ level, points: walk(key).map((k) => pointOf.get(k)!) });
  return lines;
}

/** f on an nx × ny grid over a box, from a batched evaluator of [x, y] points (one call for the whole grid). */
export function sampleGrid(
  box: { x: [number, number]; y: [number, number] },
  n: number,
  evaluate: (points: Float64Array) => ArrayLike<number>,
): Grid {
  const axis = ([lo, hi]: [number, number]) => Array.from({ length: n }, (_, k) => lo + ((hi - lo) * k) / (n - 1));
  const xs = axis(box.x);
  const ys = axis(box.y);
  const points = new Float64Array(n * n * 2);
  for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) points.set([xs[j], ys[i]], 2 * (i * n + j));
  return { xs, ys, values: Float64Array.from(evaluate(points)) };
}
