/**
 * The backend conformance suite (`spey/testing`): the properties every likelihood backend must
 * have, whatever its physics. {@link backendConformanceChecks} returns the checks of one backend
 * configuration as named functions that throw a {@link ConformanceError} on failure, so that any
 * test runner can register them (`for (const c of checks) it(c.name, c.run)`):
 *
 * - configuration: init inside the bounds, `allowNegativeSignal`/`poiUpperBound` honoured,
 *   domain bounds (if any) one per parameter and containing the start point;
 * - log-pdf finite at random valid points, objective = −log-pdf;
 * - analytic gradient against 5-point finite differences of the objective;
 * - Hessian symmetric and against 5-point finite differences of the analytic gradient;
 * - Asimov data generated at a parameter point refit to that point (arXiv:1007.1727 eq. 25),
 *   through `StatisticalModel` (fast paths included) and through the generic optimiser;
 * - sampler means equal the expected data within Monte Carlo error;
 * - fits to sampled data stay within the bounds and the domain.
 */
import type { Bound } from "../config/model-config.js";
import { ComputationError, InvalidInput } from "../core/errors.js";
import { Random } from "../math/random.js";
import { StatisticalModel } from "../model/statistical-model.js";
import type { BackendBase } from "../plugin/backend-base.js";
import { abs, max, min, sqrt } from "../core/describe.js";
import { copyOf } from "../core/arrays.js";

/** A backend violates a property of the conformance suite; the message says which and where. */
export class ConformanceError extends ComputationError {
  override name = "ConformanceError";
}

/** One named check of the suite. */
export interface ConformanceCheck {
  readonly name: string;
  /** Runs the check; throws a {@link ConformanceError} when the backend fails it. */
  run(): void;
}

function check(ok: boolean, message: string): void {
  if (!ok) throw new ConformanceError(message);
}
function atMost(value: number, bound: number, what: string): void {
  check(value <= bound, `${what}: ${value} exceeds ${bound}`);
}
function atLeast(value: number, bound: number, what: string): void {
  check(value >= bound, `${what}: ${value} is below ${bound}`);
}

export interface ConformanceOptions {
  /** Random points for the log-pdf / gradient / Hessian checks (default 6). */
  readonly points?: number;
  /** Seed of every random draw of the suite (default 20240611). */
  readonly seed?: number;
  /** Random points are drawn in [init − spread, init + spread] ∩ bounds ∩ domain (default 0.8). */
  readonly spread?: number;
  /** Parameter point of the Asimov-refit and sampler checks (default: the suggested init, μ = 1). */
  readonly truth?: ArrayLike<number>;
  /**
   * Whether the parameters are identifiable from the expected data (default true). When false
   * (e.g. unconstrained nuisances degenerate with μ) the refit is checked through the NLL and
   * the expected data only.
   */
  readonly identifiable?: boolean;
  /**
   * Gradient vs finite differences: |g − g_FD| ≤ gradientTolerance·max(1, |g|) (default 1e-7;
   * the 5-point stencil with h = 1e-3 has truncation ~1e-12 and rounding ~1e-13·|f|/h).
   */
  readonly gradientTolerance?: number;
  /**
   * Hessian vs finite differences of the analytic gradient: |H − H_FD| ≤ hessianTolerance·max(1, |H|)
   * (default 1e-6; raise it for callable signals, whose derivatives are themselves finite differences).
   */
  readonly hessianTolerance?: number;
  /**
   * Asimov refit: |p̂ − p| ≤ refitTolerance·max(1, |p|) (default 1e-5: the optimiser stops at a
   * projected gradient of 1e-9·max(1, |NLL|), so parameters are good to ~1e-8/curvature).
   */
  readonly refitTolerance?: number;
  /**
   * Whether fits find the global optimum, so that a conditional fit can never beat the free fit
   * (default true). Set false for non-convex likelihoods, e.g. a signal quadratic in a parameter,
   * where both fits are local.
   */
  readonly globalOptimum?: boolean;
  /** Pseudo-experiments of the sampler check (default 4000). */
  readonly samplerSize?: number;
  /** Toy fits of the bounds check (default 4). */
  readonly toyFits?: number;
}

/** Box of each parameter: suggested bounds (of `config(options)`) ∩ domain bounds. */
function boxes(backend: BackendBase, options?: { allowNegativeSignal?: boolean }): Bound[] {
  const config = backend.config(options);
  const domain = backend.domainBounds?.();
  return config.suggestedBounds.map((b, i) => {
    const d = domain?.[i];
    return d ? ([max(b[0], d[0]), min(b[1], d[1])] as Bound) : b;
  });
}

/** A random point in [init − spread, init + spread] ∩ box, kept 2% of the spread inside the box. */
function randomPoint(backend: BackendBase, rng: Random, spread: number): Float64Array {
  const config = backend.config();
  const box = boxes(backend);
  const inset = 0.02 * spread;
  return Float64Array.from(config.suggestedInit, (init, i) => {
    const [lo, hi] = box[i]!;
    const a = max(lo + inset, init - spread);
    const b = min(hi - inset, init + spread);
    if (!(a < b))
      throw new InvalidInput(`conformance: parameter ${i} has no room around its init ${init} in [${lo}, ${hi}]`);
    return a + (b - a) * rng.uniform();
  });
}

/**
 * Relative steps of the finite differences. The analytic derivative must agree with one of them:
 * 1e-3 suits smooth functions (truncation ~h⁴), the smaller ones points near a kink or a
 * near-singular curvature (e.g. effective σ close to its clip), where rounding (~1e-16·|f|/h)
 * is still far below the tolerance.
 */
const FD_STEPS = [1e-3, 1e-4, 1e-5];

/** The finite-difference estimate closest to `exact` over {@link FD_STEPS}. */
function closestDerivative(f: (x: Float64Array) => number, x: Float64Array, k: number, exact: number): number {
  let best = Number.NaN;
  for (const step of FD_STEPS) {
    const fd = derivative(f, x, k, step * max(1, abs(x[k]!)));
    if (!(abs(fd - exact) >= abs(best - exact))) best = fd;
  }
  return best;
}

/** 5-point central derivative of f along coordinate k at x (x restored afterwards). */
function derivative(f: (x: Float64Array) => number, x: Float64Array, k: number, h: number): number {
  const x0 = x[k]!;
  x[k] = x0 + 2 * h;
  const f2 = f(x);
  x[k] = x0 + h;
  const f1 = f(x);
  x[k] = x0 - h;
  const fm1 = f(x);
  x[k] = x0 - 2 * h;
  const fm2 = f(x);
  x[k] = x0;
  return (-f2 + 8 * f1 - 8 * fm1 + fm2) / (12 * h);
}

function objectiveOf(backend: BackendBase): (x: Float64Array, grad?: Float64Array) => number {
  const objective = backend.getObjectiveFunction?.();
  if (objective) return objective;
  const logpdf = backend.getLogpdfFunc();
  return (x) => -logpdf(x);
}

/**
 * The conformance checks of one backend configuration: consistent configuration, finite log-pdf,
 * analytic gradient and Hessian against finite differences, Asimov refit (arXiv:1007.1727 eq. 25),
 * sampler means, fits to pseudo-data inside bounds and domain. Checks of a capability the backend
 * does not have pass trivially.
 */
export function backendConformanceChecks(
  makeBackend: () => BackendBase,
  options: ConformanceOptions = {},
): ConformanceCheck[] {
  const seed = options.seed ?? 20240611;
  const nPoints = options.points ?? 6;
  const spread = options.spread ?? 0.8;
  const gradTol = options.gradientTolerance ?? 1e-7;
  const hessTol = options.hessianTolerance ?? 1e-6;
  const refitTol = options.refitTolerance ?? 1e-5;

  const truthOf = (backend: BackendBase): Float64Array => {
    const config = backend.config();
    if (options.truth) return copyOf(options.truth);
    const x = copyOf(config.suggestedInit);
    x[config.poiIndex] = 1;
    return x;
  };

  return [
    {
      name: "has a consistent configuration",
      run: () => {
        const backend = makeBackend();
        const config = backend.config();
        const n = config.npar;
        check(config.suggestedBounds.length === n, "suggestedBounds has one entry per parameter");
        const box = boxes(backend);
        config.suggestedInit.forEach((v, i) => {
          atLeast(v, box[i]![0], `init[${i}]`);
          atMost(v, box[i]![1], `init[${i}]`);
        });
        const domain = backend.domainBounds?.();
        if (domain) check(domain.length === n, "domainBounds has one entry per parameter");
        const poi = config.poiIndex;
        const positive = backend.config({ allowNegativeSignal: false });
        atLeast(positive.suggestedBounds[poi]![0], 0, "lower μ bound without negative signal");
        const upper = backend.config({ poiUpperBound: 5 });
        check(upper.suggestedBounds[poi]![1] === 5, "poiUpperBound is honoured");
        // allowNegativeSignal honoured with a non-default upper bound (README, Differences from spey fixed)
        check(
          upper.suggestedBounds[poi]![0] === config.suggestedBounds[poi]![0],
          "allowNegativeSignal is honoured with a non-default poiUpperBound",
        );
        check(upper.npar === n, "config variants keep the number of parameters");
      },
    },

    {
      name: "has a finite log-pdf at random valid points, and objective = −log-pdf",
      run: () => {
        const backend = makeBackend();
        const rng = new Random(seed);
        const logpdf = backend.getLogpdfFunc();
        const objective = objectiveOf(backend);
        for (let k = 0; k < nPoints; k++) {
          const x = randomPoint(backend, rng, spread);
          const value = logpdf(x);
          check(Number.isFinite(value), `logpdf at [${x.join(", ")}] is ${value}`);
          // same function, same operations up to the sign: rounding only
          atMost(abs(objective(x) + value), 1e-12 * max(1, abs(value)), "|objective + logpdf|");
        }
      },
    },

    {
      name: "has an analytic gradient equal to finite differences",
      run: () => {
        const backend = makeBackend();
        if (!backend.getObjectiveFunction) return;
        const rng = new Random(seed + 1);
        const objective = backend.getObjectiveFunction();
        for (let k = 0; k < nPoints; k++) {
          const x = randomPoint(backend, rng, spread);
          const grad = new Float64Array(x.length).fill(Number.NaN);
          const value = objective(x, grad);
          check(value === objective(x), "asking for the gradient changes the value"); // asking for the gradient does not change the value
          for (let i = 0; i < x.length; i++) {
            const g = grad[i]!;
            const fd = closestDerivative((y) => objective(y), x, i, g);
            check(Number.isFinite(g), `grad[${i}] is ${g}`);
            atMost(abs(g - fd), gradTol * max(1, abs(g)), `grad[${i}] at [${x.join(", ")}]: ${g} vs FD ${fd}`);
          }
        }
      },
    },

    {
      name: "has a symmetric Hessian equal to finite differences of the gradient",
      run: () => {
        const backend = makeBackend();
        if (!backend.getHessianLogpdfFunc) return;
        const rng = new Random(seed + 2);
        const hessian = backend.getHessianLogpdfFunc();
        const objective = objectiveOf(backend);
        const n = backend.config().npar;
        const grad = new Float64Array(n);
        for (let k = 0; k < nPoints; k++) {
          const x = randomPoint(backend, rng, spread);
          const H = hessian(x);
          check(H.length === n * n, `the Hessian has ${H.length} entries, not ${n * n}`);
          let scale = 0;
          for (const v of H) scale = max(scale, abs(v));
          for (let a = 0; a < n; a++) {
            for (let b = a + 1; b < n; b++) {
              // built symmetric; finite-difference signal derivatives are symmetrised too
              atMost(abs(H[a * n + b]! - H[b * n + a]!), 1e-12 * max(1, scale), `Hessian asymmetry at (${a}, ${b})`);
            }
          }
          for (let b = 0; b < n; b++) {
            for (let a = 0; a < n; a++) {
              // ∂²(−log L)/∂x_a∂x_b = ∂/∂x_b of gradient component a
              const exact = -H[a * n + b]!;
              const fd = closestDerivative(
                (y) => {
                  objective(y, grad);
                  return grad[a]!;
                },
                x,
                b,
                exact,
              );
              atMost(
                abs(exact - fd),
                hessTol * max(1, abs(exact)),
                `H[${a}][${b}] at [${x.join(", ")}]: ${exact} vs FD ${fd}`,
              );
            }
          }
        }
      },
    },

    {
      name: "refits Asimov data to the parameters it was generated at (arXiv:1007.1727 eq. 25)",
      run: () => {
        const backend = makeBackend();
        if (!backend.expectedData) return;
        const model = new StatisticalModel(backend);
        const config = backend.config();
        const truth = truthOf(backend);
        const data = backend.expectedData(truth);
        const nllTruth = -backend.getLogpdfFunc({ data })(truth);
        const all = Array.from({ length: config.npar }, (_, i) => i);
        const poi = config.poiIndex;
        const check = (fitted: ArrayLike<number>, nll: number, what: string) => {
          // the truth is the global optimum: no fit may do better, and a good one gets its NLL
          atLeast(nll, nllTruth - 1e-9 * max(1, abs(nllTruth)), `${what}: NLL`);
          atMost(abs(nll - nllTruth), 1e-8 * max(1, abs(nllTruth)), `${what}: NLL`);
          const refit = backend.expectedData!(copyOf(fitted));
          for (let i = 0; i < data.length; i++) {
            atMost(abs(refit[i]! - data[i]!), refitTol * max(1, abs(data[i]!)), `${what}: expected data ${i}`);
          }
          if (options.identifiable === false) return;
          for (let i = 0; i < truth.length; i++) {
            atMost(abs(fitted[i]! - truth[i]!), refitTol * max(1, abs(truth[i]!)), `${what}: parameter ${i}`);
          }
        };
        const [nllFixed, parsFixed] = model.likelihood({ poiTest: truth[poi]!, data, returnParameters: true });
        check(parsFixed, nllFixed, "conditional fit");
        const [free, nllFree] = model.maximizeLikelihood({ data, poiIndices: all });
        check(
          all.map((i) => free[String(i)]!),
          nllFree,
          "free fit",
        );
        // the generic optimiser (an explicit start point bypasses the backends' fast paths)
        const [nllGeneric, parsGeneric] = model.likelihood({
          poiTest: truth[poi]!,
          data,
          returnParameters: true,
          initPars: config.suggestedInit,
        });
        check(parsGeneric, nllGeneric, "conditional fit, generic optimiser");
        const [freeGeneric, nllFreeGeneric] = model.maximizeLikelihood({
          data,
          poiIndices: all,
          initPars: config.suggestedInit,
        });
        check(
          all.map((i) => freeGeneric[String(i)]!),
          nllFreeGeneric,
          "free fit, generic optimiser",
        );
      },
    },

    {
      name: "samples pseudo-data whose means are the expected data (within Monte Carlo error)",
      run: () => {
        const backend = makeBackend();
        if (!backend.getSampler || !backend.expectedData) return;
        const truth = truthOf(backend);
        const expected = backend.expectedData(truth);
        const size = options.samplerSize ?? 4000;
        const samples = backend.getSampler(truth)(size, new Random(seed + 3));
        check(samples.length === size, `the sampler drew ${samples.length} samples, not ${size}`);
        const m = expected.length;
        for (const s of samples) check(s.length === m, `a sample has ${s.length} entries, not ${m}`);
        for (let j = 0; j < m; j++) {
          let mean = 0;
          for (const s of samples) mean += s[j]!;
          mean /= size;
          let variance = 0;
          for (const s of samples) variance += (s[j]! - mean) ** 2;
          variance /= size - 1;
          // 5 standard errors: a seeded draw, with a false-alarm rate < 1e-6 per component
          const tolerance = 5 * sqrt(variance / size) + 1e-12 * max(1, abs(expected[j]!));
          atMost(abs(mean - expected[j]!), tolerance, `component ${j}: mean ${mean} vs ${expected[j]}`);
        }
      },
    },

    {
      name: "keeps fits to pseudo-data inside the bounds and the domain",
      run: () => {
        const backend = makeBackend();
        if (!backend.getSampler) return;
        const model = new StatisticalModel(backend);
        const config = backend.config();
        const truth = truthOf(backend);
        const all = Array.from({ length: config.npar }, (_, i) => i);
        const toys = backend.getSampler(truth)(options.toyFits ?? 4, new Random(seed + 4));
        for (const allowNegativeSignal of [true, false]) {
          const box = boxes(backend, { allowNegativeSignal });
          for (const data of toys) {
            const [fitted, nll] = model.maximizeLikelihood({ data, poiIndices: all, allowNegativeSignal });
            check(Number.isFinite(nll), `free-fit NLL ${nll}`);
            for (const i of all) {
              const v = fitted[String(i)]!;
              // the optimiser projects onto the box exactly; 1e-12 covers the closed-form paths' rounding
              atLeast(v, box[i]![0] - 1e-12 * max(1, abs(box[i]![0])), `parameter ${i}`);
              atMost(v, box[i]![1] + 1e-12 * max(1, abs(box[i]![1])), `parameter ${i}`);
            }
            const [nllCond, parsCond] = model.likelihood({
              poiTest: truth[config.poiIndex]!,
              data,
              returnParameters: true,
            });
            check(Number.isFinite(nllCond), `conditional-fit NLL ${nllCond}`);
            if (options.globalOptimum !== false) {
              atLeast(nllCond, nll - 1e-9 * max(1, abs(nll)), "conditional NLL vs free NLL");
            }
            const domain = backend.domainBounds?.();
            parsCond.forEach((v, i) => {
              if (i === config.poiIndex || !domain) return;
              atLeast(v, domain[i]![0] - 1e-12 * max(1, abs(domain[i]![0])), `parameter ${i} vs its domain`);
              atMost(v, domain[i]![1] + 1e-12 * max(1, abs(domain[i]![1])), `parameter ${i} vs its domain`);
            });
          }
        }
      },
    },
  ];
}
