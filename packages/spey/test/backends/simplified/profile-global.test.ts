/**
 * Profiles are global minima: on random valid models of every simplified backend — bins without
 * events, strong third moments, nearly singular correlations among them — the profile NLL at
 * μ ∈ {μ̂, 0, 0.5, 1, 2} is never above the lowest local minimum that an independent minimiser
 * (Nelder–Mead, written here) finds from 50 random feasible starts, and the free fit is never above
 * any conditional fit, nor above Nelder–Mead's free fit from 50 starts.
 *
 * The likelihood itself (the model's `logpdf`) is the reference; what is tested is the search for
 * its minimum. Feasibility (background ≥ 0 per bin, spey's constraint) is evaluated here from the
 * background formulas of each backend.
 */
import { describe, expect, it } from "vitest";
import { setLogHandler } from "../../../src/core/logger.js";
import { getBackend } from "../../../src/model/get-backend.js";
import type { StatisticalModel } from "../../../src/model/statistical-model.js";

/** mulberry32: a small deterministic generator, independent of the library's. */
function generator(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * Nelder–Mead (Lagarias et al., SIAM J. Optim. 9 (1998) 112: reflection 1, expansion 2,
 * contraction ½, shrink ½), restarted from its best vertex until a restart no longer improves;
 * infeasible points count as +∞.
 */
function nelderMead(f: (x: number[]) => number, x0: number[], step: number): { x: number[]; f: number } {
  const n = x0.length;
  let best = { x: x0, f: f(x0) };
  for (let restart = 0; restart < 6; restart++) {
    const simplex: number[][] = [best.x.slice()];
    for (let i = 0; i < n; i++) {
      const v = best.x.slice();
      v[i] = (v[i] as number) + step;
      simplex.push(v);
    }
    let values = simplex.map(f);
    for (let iteration = 0; iteration < 400 * n; iteration++) {
      const order = values.map((v, i) => [v, i] as const).sort((a, b) => a[0] - b[0]);
      const sorted = order.map(([, i]) => simplex[i] as number[]);
      values = order.map(([v]) => v);
      for (let i = 0; i <= n; i++) simplex[i] = sorted[i] as number[];
      const spread = Math.abs((values[n] as number) - (values[0] as number));
      if (spread <= 1e-13 * Math.max(1, Math.abs(values[0] as number)) && Number.isFinite(values[n])) break;
      const centroid = new Array<number>(n).fill(0);
      for (let i = 0; i < n; i++)
        for (let k = 0; k < n; k++) centroid[k] = (centroid[k] as number) + (simplex[i]?.[k] as number) / n;
      const worst = simplex[n] as number[];
      const along = (t: number) => centroid.map((c, k) => c + t * (c - (worst[k] as number)));
      const xr = along(1);
      const fr = f(xr);
      if (fr < (values[0] as number)) {
        const xe = along(2);
        const fe = f(xe);
        if (fe < fr) [simplex[n], values[n]] = [xe, fe];
        else [simplex[n], values[n]] = [xr, fr];
      } else if (fr < (values[n - 1] as number)) {
        [simplex[n], values[n]] = [xr, fr];
      } else {
        const outside = fr < (values[n] as number);
        const xc = along(outside ? 0.5 : -0.5);
        const fc = f(xc);
        if (fc < (outside ? fr : (values[n] as number))) [simplex[n], values[n]] = [xc, fc];
        else {
          for (let i = 1; i <= n; i++) {
            simplex[i] = (simplex[i] as number[]).map(
              (v, k) => (simplex[0]?.[k] as number) + 0.5 * (v - (simplex[0]?.[k] as number)),
            );
            values[i] = f(simplex[i] as number[]);
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

type Backend =
  | "default.uncorrelated_background"
  | "default.correlated_background"
  | "default.third_moment_expansion"
  | "default.effective_sigma";

interface RandomModel {
  readonly model: StatisticalModel;
  /** Whether θ is feasible (background ≥ 0 in every bin), from the backend's formula. */
  readonly feasible: (theta: number[]) => boolean;
  readonly description: string;
}

/**
 * A correlation matrix: identity, moderate, or nearly singular (one dominant direction plus a 3%
 * admixture of independent ones: the smallest eigenvalue is ~1e-3 of the largest).
 */
function correlation(n: number, kind: number, rand: () => number): number[][] {
  const rho = Array.from({ length: n }, (_, i) => Array.from({ length: n }, (_, j) => (i === j ? 1 : 0)));
  if (n === 1 || kind === 0) return rho;
  // ρ = VVᵀ with unit rows is a correlation matrix; V is n × (n + 1)
  const v = Array.from({ length: n }, () => Array.from({ length: n + 1 }, () => rand() * 2 - 1));
  for (const row of v) {
    if (kind === 2) for (let k = 1; k <= n; k++) row[k] = 0.03 * (row[k] as number);
    const norm = Math.hypot(...row);
    for (let k = 0; k < row.length; k++) row[k] = (row[k] as number) / norm;
  }
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < n; j++) {
      let s = 0;
      for (let k = 0; k <= n; k++) s += (v[i]?.[k] as number) * (v[j]?.[k] as number);
      (rho[i] as number[])[j] = i === j ? 1 : s;
    }
  }
  return rho;
}

function randomModel(backend: Backend, rand: () => number): RandomModel | undefined {
  const n = 1 + Math.floor(rand() * 3);
  const background = Array.from({ length: n }, () => 0.5 + 25 * rand() ** 2);
  const signal = Array.from({ length: n }, () => 0.2 + 8 * rand());
  // a third of the bins without events, the others around the background
  const data = background.map((b) =>
    rand() < 0.35 ? 0 : Math.max(0, Math.round(b + 2 * Math.sqrt(b) * (rand() * 2 - 1))),
  );
  const sigma = background.map((b) => b * (0.1 + 0.5 * rand()) + 0.2);
  const kind = Math.floor(rand() * 3);
  const rho = correlation(n, kind, rand);
  const cov = rho.map((row, i) => row.map((r, j) => r * (sigma[i] as number) * (sigma[j] as number)));
  const common = { signalYields: signal, backgroundYields: background, data };
  const description = `${backend} ${JSON.stringify({ ...common, sigma, rho })} correlation kind ${kind}`;
  try {
    if (backend === "default.uncorrelated_background") {
      const model = getBackend(backend)({ ...common, absoluteUncertainties: sigma });
      return {
        model,
        description,
        feasible: (t) => t.every((ti, i) => (background[i] as number) + (sigma[i] as number) * ti >= 0),
      };
    }
    if (backend === "default.correlated_background") {
      const model = getBackend(backend)({ ...common, covarianceMatrix: cov });
      return {
        model,
        description,
        feasible: (t) => t.every((ti, i) => (background[i] as number) + (sigma[i] as number) * ti >= 0),
      };
    }
    if (backend === "default.third_moment_expansion") {
      // strong third moments: up to 95% of the largest allowed, √(8Σᵢᵢ³), either sign
      const m3 = sigma.map((s) => (rand() * 2 - 1) * 0.95 * Math.sqrt(8 * s ** 6));
      const model = getBackend(backend)({ ...common, covarianceMatrix: cov, thirdMoment: m3 });
      const { A, B, C } = model.backend as unknown as { A: Float64Array; B: Float64Array; C: Float64Array };
      return {
        model,
        description: `${description} m3=${m3.map((x) => x.toPrecision(3)).join(",")}`,
        feasible: (t) => t.every((ti, i) => (A[i] as number) + (B[i] as number) * ti + (C[i] as number) * ti * ti >= 0),
      };
    }
    const skew = Array.from({ length: n }, () => (rand() * 2 - 1) * 0.6);
    const envelopes = sigma.map((s, i) => [s * (1 + (skew[i] as number)), s * (1 - (skew[i] as number))]);
    const model = getBackend(backend)({ ...common, correlationMatrix: rho, absoluteUncertaintyEnvelops: envelopes });
    // b + σ_eff(θ)θ, σ_eff = √max(σ⁺σ⁻ + (σ⁺ − σ⁻)(θ − b), 1e-10) (spey's form)
    return {
      model,
      description: `${description} envelopes=${JSON.stringify(envelopes)}`,
      feasible: (t) =>
        t.every((ti, i) => {
          const [sp, sm] = envelopes[i] as [number, number];
          const b = background[i] as number;
          return b + Math.sqrt(Math.max(sp * sm + (sp - sm) * (ti - b), 1e-10)) * ti >= 0;
        }),
    };
  } catch {
    return undefined; // e.g. a third-moment ρ′ that is not positive definite: not a valid model
  }
}

/** Random feasible θ: uniform in [−3, 3] per bin, redrawn where infeasible. */
function feasibleStart(m: RandomModel, n: number, rand: () => number): number[] | undefined {
  for (let attempt = 0; attempt < 1000; attempt++) {
    const t = Array.from({ length: n }, () => 6 * rand() - 3);
    if (m.feasible(t)) return t;
  }
  return undefined;
}

/** The lowest Nelder–Mead minimum of the profile at μ over 50 random feasible starts. */
function independentProfile(m: RandomModel, mu: number, rand: () => number): number {
  const logpdf = m.model.backend.getLogpdfFunc();
  const n = m.model.config().npar - 1;
  const f = (t: number[]) => (m.feasible(t) ? -logpdf(Float64Array.from([mu, ...t])) : Number.POSITIVE_INFINITY);
  let best = Number.POSITIVE_INFINITY;
  for (let s = 0; s < 50; s++) {
    const start = feasibleStart(m, n, rand);
    if (start) best = Math.min(best, nelderMead(f, start, 0.5).f);
  }
  return best;
}

/** The lowest Nelder–Mead minimum of the free fit (μ within its bounds) over 50 random feasible starts. */
function independentFreeFit(m: RandomModel, rand: () => number): number {
  const logpdf = m.model.backend.getLogpdfFunc();
  const [lo, hi] = m.model.config({ allowNegativeSignal: true }).suggestedBounds[0] as [number, number];
  const n = m.model.config().npar - 1;
  const f = (x: number[]) => {
    const mu = x[0] as number;
    if (!(mu >= lo && mu <= hi) || !m.feasible(x.slice(1))) return Number.POSITIVE_INFINITY;
    return -logpdf(Float64Array.from(x));
  };
  let best = Number.POSITIVE_INFINITY;
  for (let s = 0; s < 50; s++) {
    const start = feasibleStart(m, n, rand);
    if (start) best = Math.min(best, nelderMead(f, [lo + (Math.min(hi, 3) - lo) * rand(), ...start], 0.5).f);
  }
  return best;
}

/**
 * Tolerance of "not above": Nelder–Mead's value is that of a feasible point, so it is never below
 * the true minimum; ours is the minimum to the optimiser's tolerance (a projected gradient of
 * 1e-9·√NLL: an NLL error ~1e-18) plus rounding of sums of O(100) terms: 1e-9 absolute.
 */
const NOT_ABOVE = 1e-9;

/** Models per backend. */
const TESTED = Number(process.env.PROFILE_MODELS ?? 20);
const SEED = Number(process.env.PROFILE_SEED ?? 0x5eed);

const BACKENDS: Backend[] = [
  "default.uncorrelated_background",
  "default.correlated_background",
  "default.third_moment_expansion",
  "default.effective_sigma",
];

describe("profiles are global: random models against an independent minimiser from 50 starts", () => {
  for (const backend of BACKENDS) {
    it(`${backend}`, () => {
      setLogHandler(() => {});
      try {
        const rand = generator(SEED + backend.length);
        let tested = 0;
        for (let k = 0; tested < TESTED && k < 10 * TESTED; k++) {
          const m = randomModel(backend, rand);
          if (!m) continue;
          tested++;
          const named = <T>(what: string, f: () => T): T => {
            try {
              return f();
            } catch (error) {
              throw new Error(`${m.description} ${what}: ${(error as Error).message}`);
            }
          };
          const [muhat, free] = named("free fit", () => m.model.maximizeLikelihood({ allowNegativeSignal: true }));
          for (const mu of [muhat, 0, 0.5, 1, 2]) {
            const ours = named(`profile at μ = ${mu}`, () => m.model.likelihood({ poiTest: mu }));
            const theirs = independentProfile(m, mu, rand);
            expect(
              ours,
              `${m.description} profile at μ = ${mu}: ours ${ours}, Nelder–Mead ${theirs}`,
            ).toBeLessThanOrEqual(theirs + NOT_ABOVE);
            // the free fit is the minimum over μ of these profiles
            expect(
              free,
              `${m.description} free fit ${free} above the profile at μ = ${mu} (${ours})`,
            ).toBeLessThanOrEqual(ours + NOT_ABOVE);
          }
          const theirsFree = independentFreeFit(m, rand);
          expect(free, `${m.description} free fit: ours ${free}, Nelder–Mead ${theirsFree}`).toBeLessThanOrEqual(
            theirsFree + NOT_ABOVE,
          );
        }
        expect(tested).toBe(TESTED);
      } finally {
        setLogHandler(null);
      }
    });
  }
});
