/** A point of a contour line. */
export interface XY {
  readonly x: number;
  readonly y: number;
}

/** A value sampled at (x, y); NaN or missing values leave a hole in the grid. */
export interface Sample {
  readonly x: number;
  readonly y: number;
  readonly value: number;
}

/**
 * Contour lines at `level` of values sampled on a rectilinear grid (every x paired with every y,
 * some points possibly missing), by marching squares with linear interpolation along cell edges.
 * Cells with a missing corner are skipped; saddle cells are resolved with the cell-centre mean.
 * Returns open or closed polylines (closed ones repeat their first point at the end).
 */
export function isolines(samples: readonly Sample[], level: number): XY[][] {
  const xs = [...new Set(samples.map((s) => s.x))].sort((a, b) => a - b);
  const ys = [...new Set(samples.map((s) => s.y))].sort((a, b) => a - b);
  const xIndex = new Map(xs.map((x, i) => [x, i]));
  const yIndex = new Map(ys.map((y, j) => [y, j]));
  const grid: number[] = new Array(xs.length * ys.length).fill(Number.NaN);
  for (const s of samples) grid[(xIndex.get(s.x) as number) * ys.length + (yIndex.get(s.y) as number)] = s.value;
  const at = (i: number, j: number) => grid[i * ys.length + j] as number;

  // Crossing point on an edge, keyed so that the two cells sharing the edge agree.
  const points = new Map<string, XY>();
  const edgePoint = (i0: number, j0: number, i1: number, j1: number): string => {
    const key = `${i0},${j0},${i1},${j1}`;
    if (!points.has(key)) {
      const v0 = at(i0, j0);
      const v1 = at(i1, j1);
      const t = v0 === v1 ? 0.5 : (level - v0) / (v1 - v0);
      const x0 = xs[i0] as number;
      const y0 = ys[j0] as number;
      points.set(key, { x: x0 + t * ((xs[i1] as number) - x0), y: y0 + t * ((ys[j1] as number) - y0) });
    }
    return key;
  };

  const segments: [string, string][] = [];
  for (let i = 0; i + 1 < xs.length; i++) {
    for (let j = 0; j + 1 < ys.length; j++) {
      const corners = [at(i, j), at(i + 1, j), at(i + 1, j + 1), at(i, j + 1)];
      if (!corners.every(Number.isFinite)) continue;
      const code = corners.reduce((c, v, k) => c | ((v >= level ? 1 : 0) << k), 0);
      if (code === 0 || code === 15) continue;
      const bottom = () => edgePoint(i, j, i + 1, j);
      const right = () => edgePoint(i + 1, j, i + 1, j + 1);
      const top = () => edgePoint(i, j + 1, i + 1, j + 1);
      const left = () => edgePoint(i, j, i, j + 1);
      const centreAbove = corners.reduce((a, b) => a + b, 0) / 4 >= level;
      switch (code) {
        case 1:
        case 14:
          segments.push([left(), bottom()]);
          break;
        case 2:
        case 13:
          segments.push([bottom(), right()]);
          break;
        case 3:
        case 12:
          segments.push([left(), right()]);
          break;
        case 4:
        case 11:
          segments.push([right(), top()]);
          break;
        case 6:
        case 9:
          segments.push([bottom(), top()]);
          break;
        case 7:
        case 8:
          segments.push([left(), top()]);
          break;
        case 5:
          if (centreAbove) segments.push([left(), top()], [bottom(), right()]);
          else segments.push([left(), bottom()], [right(), top()]);
          break;
        case 10:
          if (centreAbove) segments.push([left(), bottom()], [right(), top()]);
          else segments.push([left(), top()], [bottom(), right()]);
          break;
      }
    }
  }
  return joinSegments(segments).map((line) => line.map((key) => points.get(key) as XY));
}

/** Chain segments sharing end points into polylines, open chains first, in a deterministic order. */
function joinSegments(segments: readonly [string, string][]): string[][] {
  const byPoint = new Map<string, number[]>();
  segments.forEach(([a, b], k) => {
    for (const p of [a, b]) {
      const list = byPoint.get(p);
      if (list) list.push(k);
      else byPoint.set(p, [k]);
    }
  });
  const used = new Array<boolean>(segments.length).fill(false);
  const walk = (start: number, from: string): string[] => {
    const line = [from];
    let k = start;
    let current = from;
    while (!used[k]) {
      used[k] = true;
      const [a, b] = segments[k] as [string, string];
      current = a === current ? b : a;
      line.push(current);
      const next = (byPoint.get(current) ?? []).find((m) => !used[m]);
      if (next === undefined) break;
      k = next;
    }
    return line;
  };
  const lines: string[][] = [];
  segments.forEach(([a, b], k) => {
    if (used[k]) return;
    if ((byPoint.get(a) ?? []).length === 1) lines.push(walk(k, a));
    else if ((byPoint.get(b) ?? []).length === 1) lines.push(walk(k, b));
  });
  segments.forEach(([a], k) => {
    if (!used[k]) lines.push(walk(k, a));
  });
  return lines;
}
