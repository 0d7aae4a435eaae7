/**
 * The independent minimiser of the global-profile tests (issue #9): Nelder–Mead, written here and
 * sharing nothing with the library's optimisers.
 */

/**
 * Nelder–Mead (Lagarias et al., SIAM J. Optim. 9 (1998) 112: reflection 1, expansion 2,
 * contraction ½, shrink ½), restarted from its best vertex until a restart no longer improves;
 * infeasible points count as +∞. Its value is always that of a feasible point.
 */
export function nelderMead(f: (x: number[]) => number, x0: number[], step: number): { x: number[]; f: number } {
  const n = x0.length;
  let best = { x: x0, f: f(x0) };
  if (n === 0) return best;
  // (written for speed — it is most of the global-profile tests' cost — without changing its arithmetic: the
  // vertices are kept sorted by a stable insertion sort, new points built by plain loops)
  const simplex: number[][] = new Array(n + 1);
  const values: number[] = new Array(n + 1);
  const centroid = new Array<number>(n);
  const along = (t: number, worst: number[]) => {
    const x = new Array<number>(n);
    for (let k = 0; k < n; k++) x[k] = (centroid[k] as number) + t * ((centroid[k] as number) - (worst[k] as number));
    return x;
  };
  for (let restart = 0; restart < 4; restart++) {
    simplex[0] = best.x.slice();
    for (let i = 0; i < n; i++) {
      const v = best.x.slice();
      v[i] = (v[i] as number) + step;
      simplex[i + 1] = v;
    }
    for (let i = 0; i <= n; i++) values[i] = f(simplex[i] as number[]);
    for (let iteration = 0; iteration < 300 * n; iteration++) {
      // stable sort by value (+∞ for infeasible vertices, equal among themselves)
      for (let i = 1; i <= n; i++) {
        const v = simplex[i] as number[];
        const fv = values[i] as number;
        let j = i - 1;
        while (j >= 0 && (values[j] as number) - fv > 0) {
          simplex[j + 1] = simplex[j] as number[];
          values[j + 1] = values[j] as number;
          j--;
        }
        simplex[j + 1] = v;
        values[j + 1] = fv;
      }
      // stop when the vertices' values agree to 1e-12 (a wrong basin or a stalled kink is ≥ 1e-6 off)
      const spread = (values[n] as number) - (values[0] as number);
      if (spread <= 1e-12 * Math.max(1, Math.abs(values[0] as number))) break;
      centroid.fill(0);
      for (let i = 0; i < n; i++) {
        const v = simplex[i] as number[];
        for (let k = 0; k < n; k++) centroid[k] = (centroid[k] as number) + (v[k] as number) / n;
      }
      const worst = simplex[n] as number[];
      const xr = along(1, worst);
      const fr = f(xr);
      if (fr < (values[0] as number)) {
        const xe = along(2, worst);
        const fe = f(xe);
        if (fe < fr) [simplex[n], values[n]] = [xe, fe];
        else [simplex[n], values[n]] = [xr, fr];
      } else if (fr < (values[n - 1] as number)) {
        [simplex[n], values[n]] = [xr, fr];
      } else {
        const outside = fr < (values[n] as number);
        const xc = along(outside ? 0.5 : -0.5, worst);
        const fc = f(xc);
        if (fc < (outside ? fr : (values[n] as number))) [simplex[n], values[n]] = [xc, fc];
        else {
          const x0s = simplex[0] as number[];
          for (let i = 1; i <= n; i++) {
            const v = simplex[i] as number[];
            const shrunk = new Array<number>(n);
            for (let k = 0; k < n; k++) shrunk[k] = (x0s[k] as number) + 0.5 * ((v[k] as number) - (x0s[k] as number));
            simplex[i] = shrunk;
            values[i] = f(shrunk);
          }
        }
      }
    }
    let k = 0;
    for (let i = 1; i <= n; i++) if ((values[i] as number) < (values[k] as number)) k = i;
    const improved = (values[k] as number) < best.f - 1e-12 * Math.max(1, Math.abs(best.f));
    if ((values[k] as number) < best.f) best = { x: simplex[k] as number[], f: values[k] as number };
    if (!improved && restart > 0) break;
    step = Math.max(step * 0.3, 1e-3);
  }
  return best;
}
