/**
 * Profiles are global minima (issue #9): on random valid models of every simplified backend of the
 * registry — bins without events, strong third moments, nearly singular correlations among them —
 * the profile NLL at μ ∈ {μ̂, 0, 0.5, 1, 2} is never above the lowest local minimum that an
 * independent minimiser (Nelder–Mead, written here) finds from 50 random feasible starts, the free
 * fit is never above any of these conditional fits, nor above Nelder–Mead's free fit from 50 starts.
 *
 * The likelihood itself (the model's `logpdf`) is the reference; what is tested is the search for
 * its minimum. Feasibility (background ≥ 0 per bin, spey's constraint, and the model's parameter
 * bounds) is evaluated here from the background formulas of each backend.
 *
 * Cost: a fixed number of seeded models per backend (PROFILE_MODELS overrides it for longer local
 * runs, PROFILE_SEED the seed); the test asserts that the drawn models include each hard case.
 */
import { describe, expect, it } from "vitest";
import { setLogHandler } from "../../../src/core/logger.js";
import { availableBackends, getBackend } from "../../../src/model/get-backend.js";
import type { StatisticalModel } from "../../../src/model/statistical-model.js";
// getBackend("pyhf…") needs the HistFactory backends registered, as a user's import of spey/histfactory does
import "../../../src/histfactory.js";
import { createFitter } from "../../../src/fit/fit.js";
import { mulberry32 as generator } from "../../support/mulberry32.js";
import { nelderMead } from "./nelder-mead.js";

/** The hard cases the issue names, recorded per drawn model. */
type Tag = "bin without events" | "nearly singular ρ" | "strong third moment";

interface RandomModel {
  readonly model: StatisticalModel;
  /** Whether the nuisances (every parameter but μ, in order) are feasible. */
  readonly feasible: (t: number[]) => boolean;
  /** A random start of the nuisances (checked for feasibility by the caller). */
  readonly start: (rand: () => number) => number[];
  readonly description: string;
  readonly tags: readonly Tag[];
}

/**
 * A correlation matrix: identity (kind 0), moderate (1), or nearly singular (one dominant direction
 * plus a 3% (2) or 12% (3) admixture of independent ones: det ρ ~1e-3 or ~1e-2).
 */
function correlation(n: number, kind: number, rand: () => number): number[][] {
  const rho = Array.from({ length: n }, (_, i) => Array.from({ length: n }, (_, j) => (i === j ? 1 : 0)));
  if (n === 1 || kind === 0) return rho;
  // ρ = VVᵀ with unit rows is a correlation matrix; V is n × (n + 1)
  const v = Array.from({ length: n }, () => Array.from({ length: n + 1 }, () => rand() * 2 - 1));
  for (const row of v) {
    if (kind >= 2) for (let k = 1; k <= n; k++) row[k] = (kind === 2 ? 0.03 : 0.12) * (row[k] as number);
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

/** det of a 1×1, 2×2 or 3×3 matrix. */
function determinant(m: number[][]): number {
  const a = (i: number, j: number) => m[i]?.[j] as number;
  if (m.length === 1) return a(0, 0);
  if (m.length === 2) return a(0, 0) * a(1, 1) - a(0, 1) * a(1, 0);
  return (
    a(0, 0) * (a(1, 1) * a(2, 2) - a(1, 2) * a(2, 1)) -
    a(0, 1) * (a(1, 0) * a(2, 2) - a(1, 2) * a(2, 0)) +
    a(0, 2) * (a(1, 0) * a(2, 1) - a(1, 1) * a(2, 0))
  );
}

/** θ uniform in [−3, 3] per bin. */
const thetaStart = (n: number) => (rand: () => number) => Array.from({ length: n }, () => 6 * rand() - 3);

/**
 * The `k`-th random model of `backend`: the correlation kind cycles with k (so that nearly singular
 * ones are drawn for sure), every third model has a first bin without events, the other bins have
 * none with probability 0.35.
 */
function randomModel(
  backend: string,
  k: number,
  rand: () => number,
  adapt?: (signal: number[]) => Record<string, unknown>,
): RandomModel | undefined {
  const n = 1 + Math.floor(rand() * 3);
  const background = Array.from({ length: n }, () => 0.5 + 25 * rand() ** 2);
  const signal = Array.from({ length: n }, () => 0.2 + 8 * rand());
  // a third of the bins without events, the others around the background
  const data = background.map((b, i) =>
    (i === 0 && k % 3 === 0) || rand() < 0.35 ? 0 : Math.max(0, Math.round(b + 2 * Math.sqrt(b) * (rand() * 2 - 1))),
  );
  const sigma = background.map((b) => b * (0.1 + 0.5 * rand()) + 0.2);
  const kind = k % 4;
  const rho = correlation(n, kind, rand);
  const cov = rho.map((row, i) => row.map((r, j) => r * (sigma[i] as number) * (sigma[j] as number)));
  const common = { signalYields: signal, backgroundYields: background, data, ...(adapt?.(signal) ?? {}) };
  const description = `${backend} ${JSON.stringify({ ...common, sigma, rho })}`;
  const emptyBin: Tag[] = data.includes(0) ? ["bin without events"] : [];
  // nearly singular: det ρ < 0.05
  const singular: Tag[] = determinant(rho) < 0.05 ? ["nearly singular ρ"] : [];
  const linearFeasible = (t: number[]) =>
    t.every((ti, i) => (background[i] as number) + (sigma[i] as number) * ti >= 0);
  try {
    switch (backend) {
      case "default.uncorrelated_background":
        return {
          model: getBackend(backend)({ ...common, absoluteUncertainties: sigma }),
          description,
          feasible: linearFeasible,
          start: thetaStart(n),
          tags: emptyBin,
        };
      case "default.correlated_background":
        return {
          model: getBackend(backend)({ ...common, covarianceMatrix: cov }),
          description,
          feasible: linearFeasible,
          start: thetaStart(n),
          tags: [...emptyBin, ...singular],
        };
      case "default.third_moment_expansion": {
        // third moments up to 95% of the largest allowed, √(8Σᵢᵢ³), either sign; up to 30% with a
        // nearly singular ρ (stronger ones make ρ′ indefinite there: not a valid model)
        const fraction = sigma.map(() => (rand() * 2 - 1) * (kind >= 2 ? 0.3 : 0.95));
        const m3 = sigma.map((s, i) => (fraction[i] as number) * Math.sqrt(8 * s ** 6));
        const model = getBackend(backend)({ ...common, covarianceMatrix: cov, thirdMoment: m3 });
        const { A, B, C } = model.backend as unknown as { A: Float64Array; B: Float64Array; C: Float64Array };
        const strong: Tag[] = fraction.some((f) => Math.abs(f) >= 0.6) ? ["strong third moment"] : [];
        return {
          model,
          description: `${description} m3=${m3.map((x) => x.toPrecision(3)).join(",")}`,
          feasible: (t) =>
            t.every((ti, i) => (A[i] as number) + (B[i] as number) * ti + (C[i] as number) * ti * ti >= 0),
          start: thetaStart(n),
          tags: [...emptyBin, ...singular, ...strong],
        };
      }
      case "default.effective_sigma": {
        const skew = Array.from({ length: n }, () => (rand() * 2 - 1) * 0.6);
        const envelopes = sigma.map((s, i) => [s * (1 + (skew[i] as number)), s * (1 - (skew[i] as number))]);
        const model = getBackend(backend)({
          ...common,
          correlationMatrix: rho,
          absoluteUncertaintyEnvelops: envelopes,
        });
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
          start: thetaStart(n),
          tags: [...emptyBin, ...singular],
        };
      }
      case "default.poisson": {
        // with absolute uncertainties in two models out of three: λ = μs + b + σθ, θ unconstrained
        // except b + σθ ≥ 0, so bins without events put θ̂ on that bound (and λ on the floor for μ < 0)
        const withTheta = rand() < 2 / 3;
        return {
          model: getBackend(backend)({ ...common, ...(withTheta ? { absoluteUncertainties: sigma } : {}) }),
          description: `${description} ${withTheta ? "with" : "without"} θ`,
          feasible: linearFeasible,
          start: thetaStart(withTheta ? n : 0),
          tags: emptyBin,
        };
      }
      case "default.normal": {
        const gaussianData = background.map((b, i) => b + (sigma[i] as number) * (4 * rand() - 2));
        return {
          model: getBackend(backend)({ ...common, data: gaussianData, absoluteUncertainties: sigma }),
          description: `${description} data=${JSON.stringify(gaussianData)}`,
          feasible: () => true,
          start: thetaStart(0),
          tags: [],
        };
      }
      case "default.multivariate_normal": {
        const gaussianData = background.map((b, i) => b + (sigma[i] as number) * (4 * rand() - 2));
        return {
          model: getBackend(backend)({ ...common, data: gaussianData, covarianceMatrix: cov }),
          description: `${description} data=${JSON.stringify(gaussianData)}`,
          feasible: () => true,
          start: thetaStart(0),
          tags: singular,
        };
      }
      case "pyhf.uncorrelated_background": {
        // spey-pyhf's simplified model: γᵢ scales bᵢ, Poisson constraint with τᵢ = (bᵢ/σᵢ)²; γ within
        // the model's bounds (1e-10 ≤ γ ≤ 10)
        const model = getBackend(backend)({ ...common, absoluteUncertainties: sigma });
        const bounds = model.config().suggestedBounds.slice(1) as [number, number][];
        return {
          model,
          description,
          feasible: (t) =>
            t.every((g, i) => g >= (bounds[i] as [number, number])[0] && g <= (bounds[i] as [number, number])[1]),
          start: (r) => Array.from({ length: n }, () => 0.05 + 2.5 * r()),
          tags: emptyBin,
        };
      }
      default:
        throw new Error(`no random models for ${backend}`);
    }
  } catch (error) {
    if (error instanceof Error && error.message.startsWith("no random models")) throw error;
    return undefined; // e.g. a third-moment ρ′ that is not positive definite: not a valid model
  }
}

/** Random feasible nuisances (redrawn where infeasible). */
function feasibleStart(m: RandomModel, rand: () => number): number[] | undefined {
  for (let attempt = 0; attempt < 1000; attempt++) {
    const t = m.start(rand);
    if (m.feasible(t)) return t;
  }
  return undefined;
}

/** A NaN NLL is outside the likelihood's domain (HistFactory's negative Poisson means): +∞ for Nelder–Mead. */
const finiteOrInfinity = (v: number) => (Number.isNaN(v) ? Number.POSITIVE_INFINITY : v);

/** The lowest Nelder–Mead minimum of the profile at μ over 50 random feasible starts. */
function independentProfile(m: RandomModel, mu: number, rand: () => number): number {
  const logpdf = m.model.backend.getLogpdfFunc();
  // one parameter vector, refilled for each evaluation (every entry is written each time; the
  // likelihood keeps no reference to it): the same values as a fresh vector per call
  let x = new Float64Array(0);
  const f = (t: number[]) => {
    if (!m.feasible(t)) return Number.POSITIVE_INFINITY;
    if (x.length !== t.length + 1) x = new Float64Array(t.length + 1);
    x[0] = mu;
    for (let k = 0; k < t.length; k++) x[k + 1] = t[k] as number;
    return finiteOrInfinity(-logpdf(x));
  };
  let best = Number.POSITIVE_INFINITY;
  for (let s = 0; s < 50; s++) {
    const start = feasibleStart(m, rand);
    if (start) best = Math.min(best, nelderMead(f, start, 0.5).f);
  }
  return best;
}

/** The lowest Nelder–Mead minimum of the free fit (μ within its bounds) over 50 random feasible starts. */
function independentFreeFit(m: RandomModel, rand: () => number): number {
  const logpdf = m.model.backend.getLogpdfFunc();
  const [lo, hi] = m.model.config({ allowNegativeSignal: true }).suggestedBounds[0] as [number, number];
  // the nuisances and the parameter vector, refilled for each evaluation (as independentProfile)
  let theta: number[] = [];
  let vector = new Float64Array(0);
  const f = (x: number[]) => {
    const mu = x[0] as number;
    if (!(mu >= lo && mu <= hi)) return Number.POSITIVE_INFINITY;
    if (theta.length !== x.length - 1) theta = new Array<number>(x.length - 1).fill(0);
    for (let k = 1; k < x.length; k++) theta[k - 1] = x[k] as number;
    if (!m.feasible(theta)) return Number.POSITIVE_INFINITY;
    if (vector.length !== x.length) vector = new Float64Array(x.length);
    for (let k = 0; k < x.length; k++) vector[k] = x[k] as number;
    return finiteOrInfinity(-logpdf(vector));
  };
  let best = Number.POSITIVE_INFINITY;
  for (let s = 0; s < 50; s++) {
    const start = feasibleStart(m, rand);
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

const SEED = Number(process.env.PROFILE_SEED ?? 0x5eed);

/**
 * Every simplified backend of the registry, with its number of seeded models (enough to draw each
 * hard case that applies to it at least twice; the non-convex ones get more) and the hard cases.
 */
const BACKENDS: Record<string, { models: number; cases: readonly Tag[] }> = {
  "default.uncorrelated_background": { models: 8, cases: ["bin without events"] },
  "default.correlated_background": { models: 10, cases: ["bin without events", "nearly singular ρ"] },
  "default.third_moment_expansion": {
    models: 14,
    cases: ["bin without events", "nearly singular ρ", "strong third moment"],
  },
  "default.effective_sigma": { models: 12, cases: ["bin without events", "nearly singular ρ"] },
  "default.poisson": { models: 8, cases: ["bin without events"] },
  "default.normal": { models: 4, cases: [] },
  "default.multivariate_normal": { models: 10, cases: ["nearly singular ρ"] },
  "pyhf.uncorrelated_background": { models: 6, cases: ["bin without events"] },
};

/** Registered backends that are not simplified likelihoods, and where their fits are tested. */
const NOT_SIMPLIFIED: Record<string, string> = {
  pyhf: "full HistFactory workspaces: multi-start fits, test/backends/histfactory/fit-robustness.test.ts",
  "pyhf.simplify": "a converter to default.correlated_background / third_moment_expansion / effective_sigma",
  "default.correlated_combiner": "a combination of other backends' likelihoods (multi-start generic fits)",
  "default.uncorrelated_combiner": "a combination of other backends' profiles (each member's own global profile)",
};

describe("profiles are global: random models against an independent minimiser from 50 starts", () => {
  it("covers every simplified backend of the registry", () => {
    for (const name of availableBackends()) {
      expect(
        name in BACKENDS || name in NOT_SIMPLIFIED,
        `${name} is neither tested here nor listed as not simplified`,
      ).toBe(true);
    }
  });

  for (const [backend, { models, cases }] of Object.entries(BACKENDS)) {
    it(`${backend} (${models} models)`, () => {
      setLogHandler(() => {});
      try {
        const tested = Number(process.env.PROFILE_MODELS ?? models);
        const rand = generator(SEED + backend.length);
        const seen = new Map<Tag, number>();
        let count = 0;
        for (let k = 0; count < tested && k < 10 * tested; k++) {
          const m = randomModel(backend, k, rand);
          if (!m) continue;
          count++;
          for (const tag of m.tags) seen.set(tag, (seen.get(tag) ?? 0) + 1);
          const named = <T>(what: string, f: () => T): T => {
            try {
              return f();
            } catch (error) {
              throw new Error(`${m.description} ${what}: ${(error as Error).message}`);
            }
          };
          expect(m.model.config().poiIndex).toBe(0);
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
        expect(count).toBe(tested);
        // the seeded draw contains each hard case of this backend at least twice
        if (tested === models) for (const tag of cases) expect(seen.get(tag) ?? 0, tag).toBeGreaterThanOrEqual(2);
      } finally {
        setLogHandler(null);
      }
    });
  }
});

/**
 * The exact profiles beyond a plain signal array (issue #9): a callable signal with its parameter
 * φ fixed, signal modifiers with their nuisance α fixed (at fixed μ the signal is then one fixed
 * vector), a θᵢ held fixed, and a caller's `parBounds` (intersected with the feasible set). The
 * fit must come from the backend's exact enumeration (`global`), keep the held values, lie in the
 * feasible set and the bounds, and be ≤ the lowest of 50 Nelder–Mead runs over the remaining θ
 * (and μ for the free fit) within the same bounds. One seeded model per variant and backend.
 */
type Variant = "callable signal" | "signal modifiers" | "fixed θ" | "caller bounds";
const VARIANTS: readonly Variant[] = ["callable signal", "signal modifiers", "fixed θ", "caller bounds"];
/** φ and α where they are held. */
const FIXED_PHI = 0.4;
const FIXED_ALPHA = -0.7;
/** The caller's bounds of the "caller bounds" variant: μ ∈ [0, 4], every θ ∈ [−1.2, 1.5]. */
const MU_BOUNDS: [number, number] = [0, 4];
const THETA_BOUNDS: [number, number] = [-1.2, 1.5];

function adaptFor(variant: Variant): ((signal: number[]) => Record<string, unknown>) | undefined {
  if (variant === "callable signal") {
    return (signal) => ({
      signalYields: (phi: Float64Array) => signal.map((x) => x * (1 + (phi[0] as number))),
      nSignalParameters: 1,
    });
  }
  if (variant === "signal modifiers") {
    return (signal) => ({ modifiers: [{ type: "normalization", uncertainties: signal.map(() => 0.2) }] });
  }
  return undefined;
}

describe("exact profiles with callable or modified signals, fixed nuisances and caller bounds", () => {
  const backends = [
    "default.uncorrelated_background",
    "default.correlated_background",
    "default.third_moment_expansion",
    "default.effective_sigma",
  ];
  for (const backend of backends) {
    it(`${backend}: ${VARIANTS.join(", ")} (one model each)`, () => {
      setLogHandler(() => {});
      try {
        const rand = generator(SEED + 7 * backend.length);
        let count = 0;
        for (let k = 0; count < VARIANTS.length && k < 20 * VARIANTS.length; k++) {
          const variant = VARIANTS[count % VARIANTS.length] as Variant;
          const m = randomModel(backend, k, rand, adaptFor(variant));
          if (!m) continue;
          count++;
          const backendObject = m.model.backend;
          const config = backendObject.config({ allowNegativeSignal: false });
          const npar = config.npar;
          const n = (backendObject as unknown as { nBins: number }).nBins;
          const thetaOffset = variant === "callable signal" ? 2 : 1;
          // the parameters held (besides μ) and the caller's bounds
          const held = new Map<number, number>();
          if (variant === "callable signal") held.set(1, FIXED_PHI);
          if (variant === "signal modifiers") held.set(1 + n, FIXED_ALPHA);
          if (variant === "fixed θ") {
            const t = Array.from({ length: n }, (_, i) => (i === 0 ? 0.3 : 0));
            held.set(thetaOffset, m.feasible(t) ? 0.3 : 0);
          }
          const parBounds =
            variant === "caller bounds" ? [MU_BOUNDS, ...Array.from({ length: n }, () => THETA_BOUNDS)] : undefined;
          const within = (mu: number, theta: number[]) =>
            parBounds === undefined
              ? mu >= (config.suggestedBounds[0]?.[0] as number) && mu <= (config.suggestedBounds[0]?.[1] as number)
              : mu >= MU_BOUNDS[0] &&
                mu <= MU_BOUNDS[1] &&
                theta.every((t) => t >= THETA_BOUNDS[0] && t <= THETA_BOUNDS[1]);
          // the oracle's variables: the θ not held (and μ for the free fit)
          const freeTheta = Array.from({ length: n }, (_, i) => i).filter((i) => !held.has(thetaOffset + i));
          const logpdf = backendObject.getLogpdfFunc();
          const full = (mu: number, free: number[]) => {
            const x = new Float64Array(npar);
            x[0] = mu;
            for (const [index, value] of held) x[index] = value;
            freeTheta.forEach((i, j) => {
              x[thetaOffset + i] = free[j] as number;
            });
            return x;
          };
          // (a plain loop: Array.from over a typed array was a third of this file's time)
          const thetaOf = (x: Float64Array) => {
            const theta = new Array<number>(n);
            for (let i = 0; i < n; i++) theta[i] = x[thetaOffset + i] as number;
            return theta;
          };
          // the oracle's evaluations refill one vector and one θ array (the same entries are
          // written on every call, the others stay 0 as in a fresh vector; nothing keeps them)
          const scratch = new Float64Array(npar);
          const scratchTheta = new Array<number>(n).fill(0);
          const value = (mu: number, free: number[], checkMu: boolean) => {
            const x = scratch;
            x[0] = mu;
            for (const [index, v] of held) x[index] = v;
            for (let j = 0; j < freeTheta.length; j++) x[thetaOffset + (freeTheta[j] as number)] = free[j] as number;
            const theta = scratchTheta;
            for (let i = 0; i < n; i++) theta[i] = x[thetaOffset + i] as number;
            if (!m.feasible(theta) || (parBounds !== undefined && !within(checkMu ? mu : MU_BOUNDS[0], theta)))
              return Number.POSITIVE_INFINITY;
            if (checkMu && !within(mu, theta)) return Number.POSITIVE_INFINITY;
            return finiteOrInfinity(-logpdf(x));
          };
          const randomFree = () => {
            for (let attempt = 0; attempt < 1000; attempt++) {
              const x = full(
                0,
                freeTheta.map(() => 6 * rand() - 3),
              );
              const theta = thetaOf(x);
              if (m.feasible(theta) && (parBounds === undefined || within(MU_BOUNDS[0], theta)))
                return freeTheta.map((i) => theta[i] as number);
            }
            return undefined;
          };
          const fitter = createFitter({
            backend: backendObject,
            config,
            expected: "observed",
            backendFit: true,
            allowNegativeSignal: false,
            ...(parBounds ? { parBounds } : {}),
          });
          const label = `${variant}: ${m.description}`;
          // a fit's point keeps the held values, is feasible and within the caller's bounds, and
          // its NLL is the likelihood's there (1e-9: the same evaluation up to rounding)
          const admissible = (x: Float64Array, what: string) => {
            for (const [index, v] of held) expect(x[index], `${label} ${what}: held parameter ${index}`).toBe(v);
            const theta = thetaOf(x);
            // feasible up to rounding: a θᵢ on the positivity boundary (a bin without events) may be
            // a rounding error outside it, so some combination of nudges by 1e-9·(1 + |θᵢ|) is feasible
            const nudged = (code: number) =>
              theta.map((t, i) => t + ((Math.floor(code / 3 ** i) % 3) - 1) * 1e-9 * (1 + Math.abs(t)));
            const feasible = Array.from({ length: 3 ** n }, (_, code) => code).some((code) => m.feasible(nudged(code)));
            expect(feasible, `${label} ${what}: θ = ${theta} infeasible`).toBe(true);
            if (parBounds) expect(within(x[0] as number, theta), `${label} ${what}: outside parBounds`).toBe(true);
          };
          let lowestConditional = Number.POSITIVE_INFINITY;
          for (const mu of [0, 0.5, 1, 2]) {
            const ours = fitter.fit(new Map([[0, mu], ...held]));
            expect(ours.global, `${label} μ = ${mu}: not the exact enumeration`).toBe(true);
            admissible(ours.parameters, `μ = ${mu}`);
            let theirs = Number.POSITIVE_INFINITY;
            for (let s = 0; s < 50; s++) {
              const start = randomFree();
              if (start) theirs = Math.min(theirs, nelderMead((t) => value(mu, t, false), start, 0.5).f);
            }
            expect(ours.nll, `${label} μ = ${mu}: ours ${ours.nll}, Nelder–Mead ${theirs}`).toBeLessThanOrEqual(
              theirs + NOT_ABOVE,
            );
            lowestConditional = Math.min(lowestConditional, ours.nll);
          }
          const free = fitter.fit(new Map(held));
          expect(free.global, `${label} free fit: not the exact enumeration`).toBe(true);
          admissible(free.parameters, "free fit");
          expect(Math.abs(free.nll + logpdf(free.parameters))).toBeLessThan(NOT_ABOVE);
          expect(free.nll, `${label} free fit above a conditional fit`).toBeLessThanOrEqual(
            lowestConditional + NOT_ABOVE,
          );
          const [lo, hi] = parBounds ? MU_BOUNDS : (config.suggestedBounds[0] as [number, number]);
          let theirsFree = Number.POSITIVE_INFINITY;
          for (let s = 0; s < 50; s++) {
            const start = randomFree();
            if (!start) continue;
            const mu0 = lo + (Math.min(hi, 3) - lo) * rand();
            const run = nelderMead((x) => value(x[0] as number, x.slice(1), true), [mu0, ...start], 0.5);
            theirsFree = Math.min(theirsFree, run.f);
          }
          expect(free.nll, `${label} free fit: ours ${free.nll}, Nelder–Mead ${theirsFree}`).toBeLessThanOrEqual(
            theirsFree + NOT_ABOVE,
          );
        }
        expect(count).toBe(VARIANTS.length);
      } finally {
        setLogHandler(null);
      }
    });
  }
});
