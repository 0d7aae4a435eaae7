import { InvalidInput } from "../core/errors.js";
import { type ExpectationType, type ExpectedOption, toConfidenceLevel } from "../core/expectation.js";
import type { ModelConfig, ParameterValues } from "../config/model-config.js";
import { logWarning, logDebug } from "../core/logger.js";
import { cholesky, solveLinear, symmetricEigenvalues } from "../math/linalg.js";
import { Random } from "../math/random.js";
import { toms748 } from "../math/roots.js";
import { chi2Ppf } from "../math/special.js";
import { pushAll, zeros } from "../core/arrays.js";
import { isFiniteNumber, abs, max, min, sqrt } from "../core/describe.js";

/** Options of {@link findContour}. */
export interface ContourOptions extends ExpectedOption {
  /** Confidence level of the region (default 0.95). */
  readonly confidenceLevel?: number;
  /**
   * Parameters spanning the contour (names or indices). Default: every parameter except the POI
   * (spey's convention). The POI may be included; when it is not, it is held at `poiValue`.
   */
  readonly poiIndices?: readonly (string | number)[];
  /** Value of the POI when it is not a contour parameter (default 1, as spey); `null` profiles it. */
  readonly poiValue?: number | null;
  /**
   * "profile-likelihood" (default): threshold NLL_min + χ²_k.ppf(CL)/2, i.e. 2ΔNLL = χ²_k.ppf(CL),
   * the definition in spey's documentation. "spey": NLL_min + χ²_k.ppf(CL), what spey's code does.
   */
  readonly threshold?: "profile-likelihood" | "spey";
  /** Radial directions per basin (default 64 for k = 2, 2 for k = 1, 200 for k ≥ 3). */
  readonly nRadial?: number;
  /** For k = 2: refine until neighbouring points are closer than this fraction of the contour size (default 0.02). */
  readonly gapTolerance?: number;
  /** Extra random starts to find other basins of the likelihood (default 4). */
  readonly nMultistart?: number;
  /** Seed of every random choice (default 0): same seed, same contour. */
  readonly seed?: number;
  /** Largest radius searched in whitened units (default 30). */
  readonly maxRadius?: number;
  /** Bounds of the contour parameters (default: the model's bounds). */
  readonly bounds?: readonly (readonly [number, number])[];
}

/**
 * What {@link findContour} needs of a model (a {@link StatisticalModel} has it): the parameter
 * layout, the profile NLL with several parameters fixed, and the fit reporting chosen parameters.
 */
export interface ContourModel {
  config(): ModelConfig;
  likelihood(options: { poiTest: ParameterValues; expected: ExpectationType }): number;
  maximizeLikelihood(options: {
    expected: ExpectationType;
    fixedPoiValue?: ParameterValues;
    poiIndices: readonly (string | number)[];
    initPars?: readonly number[];
  }): [Record<string, number>, number];
}

/** A confidence region boundary. */
export interface ContourResult {
  /** Names (or indices as strings) of the contour parameters. */
  readonly parameterNames: string[];
  /** Their indices in the model's parameter vector. */
  readonly parameterIndices: number[];
  /** Best-fit point in contour space. */
  readonly thetaMle: number[];
  readonly nllMin: number;
  /** NLL on the contour. */
  readonly threshold: number;
  /** χ²_k.ppf(CL). */
  readonly delta: number;
  readonly confidenceLevel: number;
  /** Degrees of freedom k. */
  readonly dof: number;
  /** Boundary points, each a k-vector; for k = 2 ordered by angle around each basin. */
  readonly points: number[][];
  /** Local minima below the threshold from which the boundary was searched. */
  readonly basins: number[][];
}

const ROOT_XTOL = 1e-12;

/**
 * The boundary {c : NLL_prof(c) = T} of a confidence region in the space of k contour parameters
 * (spey's `find_contour`), the other parameters profiled. Algorithm: find the global minimum (plus seeded
 * multistart for other basins), whiten with the profile Hessian G = LLᵀ so that the region is close
 * to a unit ball, then for each direction e solve NLL(ĉ + L⁻ᵀ r e) = T by bracketing and TOMS748.
 * For k = 2 directions are equally spaced angles refined by bisection wherever neighbouring points
 * are far apart (gap filling); for k ≥ 3 a seeded Fibonacci-like set of directions. Deterministic.
 */
export function findContour(model: ContourModel, options: ContourOptions = {}): ContourResult {
  const confidenceLevel = toConfidenceLevel(options.confidenceLevel);
  const config = model.config();
  const poi = config.poiIndex;
  const indices = (options.poiIndices ?? [...Array(config.npar).keys()].filter((i) => i !== poi)).map((k) =>
    config.resolveIndex(k),
  );
  if (new Set(indices).size !== indices.length) throw new InvalidInput("poiIndices lists a parameter twice.");
  const k = indices.length;
  if (k < 1)
    throw new InvalidInput(
      "Model must have at least one non-POI parameter for contour finding (or include the POI in poiIndices).",
    );
  const poiValue = indices.includes(poi) ? null : options.poiValue === undefined ? 1 : options.poiValue;
  const expected = options.expected ?? "observed";
  const rng = new Random(options.seed ?? 0);
  const bounds = options.bounds ?? indices.map((i) => config.suggestedBounds[i] as readonly [number, number]);
  if (bounds.length !== k)
    throw new InvalidInput(`bounds must have one entry per contour parameter (expected ${k}, got ${bounds.length}).`);

  const fixedFor = (c: ArrayLike<number>): Record<number, number> => {
    const out: Record<number, number> = {};
    if (poiValue !== null) out[poi] = poiValue;
    indices.forEach((idx, j) => {
      out[idx] = c[j] as number;
    });
    return out;
  };
  const nll = (c: ArrayLike<number>): number => {
    for (let j = 0; j < k; j++) {
      const b = bounds[j] as readonly [number, number];
      const x = c[j] as number;
      if (x < b[0] || x > b[1]) return Number.POSITIVE_INFINITY;
    }
    return model.likelihood({ poiTest: fixedFor(c), expected });
  };

  // Global fit (contour parameters free, POI at poiValue), then seeded multistart.
  const fixedPoi = poiValue === null ? {} : { fixedPoiValue: { [poi]: poiValue } };
  const [best, bestNll] = model.maximizeLikelihood({ expected, ...fixedPoi, poiIndices: indices });
  const start = indices.map((i) => best[String(i)] as number);
  const basins: { c: number[]; nll: number }[] = [{ c: start, nll: bestNll }];
  const nMultistart = options.nMultistart ?? 4;
  const init = [...config.suggestedInit];
  for (let s = 0; s < nMultistart; s++) {
    indices.forEach((idx, j) => {
      const b = bounds[j] as readonly [number, number];
      const lo = isFiniteNumber(b[0]) ? b[0] : (start[j] as number) - 5;
      const hi = isFiniteNumber(b[1]) ? b[1] : (start[j] as number) + 5;
      init[idx] = lo + (hi - lo) * rng.uniform();
    });
    if (poiValue !== null) init[poi] = poiValue;
    try {
      const [p, v] = model.maximizeLikelihood({ expected, ...fixedPoi, poiIndices: indices, initPars: init });
      const c = indices.map((i) => p[String(i)] as number);
      if (isFiniteNumber(v)) basins.push({ c, nll: v });
    } catch (error) {
      logDebug(`findContour: a multistart fit failed (${(error as Error).message}).`);
    }
  }
  basins.sort((a, b) => a.nll - b.nll);
  const nllMin = (basins[0] as { nll: number }).nll;
  const distinct: { c: number[]; nll: number }[] = [];
  for (const b of basins) {
    if (
      distinct.every(
        (d) => Math.hypot(...d.c.map((x, j) => x - (b.c[j] as number))) > 1e-3 * max(1, Math.hypot(...d.c)),
      )
    ) {
      distinct.push(b);
    }
  }
  const delta = chi2Ppf(confidenceLevel, k);
  const threshold = nllMin + (options.threshold === "spey" ? delta : delta / 2);
  const active = distinct.filter((b, i) => i === 0 || b.nll <= threshold - 1e-9);

  const points: number[][] = [];
  for (const basin of active) pushAll(points, boundaryAround(basin.c, nll, threshold, k, rng, options));
  if (points.length === 0) {
    logWarning(
      "No contour points were found. The confidence region may be unbounded or the NLL landscape is numerically ill-conditioned.",
    );
  }
  const names = indices.map((i) => config.parameterNames?.[i] ?? String(i));
  return {
    parameterNames: names,
    parameterIndices: indices,
    thetaMle: (basins[0] as { c: number[] }).c,
    nllMin,
    threshold,
    delta,
    confidenceLevel,
    dof: k,
    points,
    basins: active.map((b) => b.c),
  };
}

/** Whitening matrix M = L⁻ᵀ from the finite-difference Hessian G = LLᵀ of the profile NLL at `c`. */
function whitening(c: number[], nll: (c: ArrayLike<number>) => number, k: number): Float64Array {
  const G = zeros(k * k);
  const f0 = nll(c);
  const h = c.map((x) => 1e-4 * max(1, abs(x)));
  const at = (da: number, a: number, db: number, b: number) => {
    const x = [...c];
    x[a] = (x[a] as number) + da;
    x[b] = (x[b] as number) + db;
    return nll(x);
  };
  for (let a = 0; a < k; a++) {
    const ha = h[a] as number;
    G[a * k + a] = (at(ha, a, 0, a) - 2 * f0 + at(-ha, a, 0, a)) / (ha * ha);
    for (let b = a + 1; b < k; b++) {
      const hb = h[b] as number;
      const v = (at(ha, a, hb, b) - at(ha, a, -hb, b) - at(-ha, a, hb, b) + at(-ha, a, -hb, b)) / (4 * ha * hb);
      G[a * k + b] = v;
      G[b * k + a] = v;
    }
  }
  let ok = G.every(isFiniteNumber);
  if (ok) {
    const eig = symmetricEigenvalues(G, k);
    ok = (eig[0] as number) > 1e-12 * max(1, abs(eig[k - 1] as number));
  }
  const L = ok ? cholesky(G, k) : null;
  const M = zeros(k * k);
  if (!L) {
    logWarning("findContour: the profile Hessian is not positive definite at the minimum; using unit whitening.");
    for (let a = 0; a < k; a++) M[a * k + a] = 1;
    return M;
  }
  // M = L⁻ᵀ: solve Lᵀ M = I column by column (Lᵀ upper triangular).
  const Lt = zeros(k * k);
  for (let a = 0; a < k; a++) for (let b = 0; b < k; b++) Lt[a * k + b] = L[b * k + a] as number;
  for (let col = 0; col < k; col++) {
    const e = zeros(k);
    e[col] = 1;
    const x = solveLinear(Lt, k, e) as Float64Array;
    for (let a = 0; a < k; a++) M[a * k + col] = x[a] as number;
  }
  return M;
}

function boundaryAround(
  anchor: number[],
  nll: (c: ArrayLike<number>) => number,
  threshold: number,
  k: number,
  rng: Random,
  options: ContourOptions,
): number[][] {
  if (!(nll(anchor) < threshold)) {
    logWarning(`findContour: the basin at [${anchor.join(", ")}] is not below the threshold; skipped.`);
    return [];
  }
  const M = whitening(anchor, nll, k);
  const maxRadius = options.maxRadius ?? 30;
  const point = (dir: ArrayLike<number>, r: number): number[] =>
    anchor.map((x, a) => {
      let v = x;
      for (let b = 0; b < k; b++) v += (M[a * k + b] as number) * r * (dir[b] as number);
      return v;
    });
  const solve = (dir: ArrayLike<number>): number[] | undefined => {
    const f = (r: number) => nll(point(dir, r)) - threshold;
    // bracket: r0 from the quadratic approximation, doubled until outside the region
    let lo = 0;
    let hi = sqrt(max(2 * (threshold - nll(anchor)), 1e-6));
    let fhi = f(hi);
    let steps = 0;
    while (fhi < 0 && hi < maxRadius && steps++ < 60) {
      lo = hi;
      hi = min(2 * hi, maxRadius);
      fhi = f(hi);
    }
    if (fhi === Number.POSITIVE_INFINITY) {
      // stepped outside the bounds: bisect back to a finite value above the threshold
      let inner = lo;
      let outer = hi;
      for (let i = 0; i < 200 && isFiniteNumber(fhi) === false; i++) {
        const mid = 0.5 * (inner + outer);
        const fm = f(mid);
        if (fm === Number.POSITIVE_INFINITY) outer = mid;
        else if (fm < 0) inner = mid;
        else {
          hi = mid;
          fhi = fm;
          break;
        }
        if (outer - inner < ROOT_XTOL) break;
      }
      lo = inner;
      if (!isFiniteNumber(fhi)) return undefined; // the region reaches the bound
    }
    if (!(fhi >= 0)) return undefined; // unbounded within maxRadius
    const r = toms748(f, lo, hi, { absoluteTolerance: ROOT_XTOL, relativeTolerance: 1e-12, maxIterations: 200 });
    return point(dir, r.root);
  };

  if (k === 1) {
    return [-1, 1].map((s) => solve([s])).filter((p): p is number[] => p !== undefined);
  }
  if (k === 2) {
    const n = options.nRadial ?? 64;
    const found = new Map<number, number[]>();
    const angles: number[] = [];
    for (let i = 0; i < n; i++) angles.push((2 * Math.PI * i) / n);
    const at = (t: number) => {
      if (!found.has(t)) {
        const p = solve([Math.cos(t), Math.sin(t)]);
        if (p) found.set(t, p);
      }
      return found.get(t);
    };
    for (const t of angles) at(t);
    // gap filling: bisect the angle between neighbours that are far apart
    const scale = max(...[...found.values()].flatMap((p) => p.map((x, j) => abs(x - (anchor[j] as number)))), 1e-12);
    const tol = (options.gapTolerance ?? 0.02) * scale;
    for (let pass = 0; pass < 8; pass++) {
      const sorted = [...found.keys()].sort((a, b) => a - b);
      let added = 0;
      for (let i = 0; i < sorted.length; i++) {
        const t1 = sorted[i] as number;
        const t2 = i + 1 < sorted.length ? (sorted[i + 1] as number) : (sorted[0] as number) + 2 * Math.PI;
        const p1 = found.get(t1) as number[];
        const p2 = found.get(sorted[(i + 1) % sorted.length] as number) as number[];
        if (
          Math.hypot((p1[0] as number) - (p2[0] as number), (p1[1] as number) - (p2[1] as number)) > tol &&
          t2 - t1 > 1e-9
        ) {
          const mid = 0.5 * (t1 + t2);
          if (at(mid % (2 * Math.PI))) added++;
        }
      }
      if (added === 0) break;
    }
    return [...found.keys()].sort((a, b) => a - b).map((t) => found.get(t) as number[]);
  }
  const n = options.nRadial ?? 200;
  const out: number[][] = [];
  for (let i = 0; i < n; i++) {
    const dir = Array.from({ length: k }, () => rng.normal());
    const norm = Math.hypot(...dir);
    const p = solve(dir.map((x) => x / norm));
    if (p) out.push(p);
  }
  return out;
}
